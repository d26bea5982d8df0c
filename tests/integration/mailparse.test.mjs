// `chatd mail-parse`: what chatd reads of an inbound email, as JSON, with
// sysexits exit codes. The raw replies of twelve mail clients come from
// the email corpus beside the project (../shared/email-corpus, skipped
// with a message where it is absent); the other mails are built here as a
// mail client would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHATD, root } from './harness.mjs';

const corpus = process.env.CHATD_EMAIL_CORPUS || join(root, '..', 'shared', 'email-corpus');
const talon = join(corpus, 'talon');
const dir = mkdtempSync(join(tmpdir(), 'chatd-mail-'));

function parse(input, args = []) {
  const r = spawnSync(CHATD, ['mail-parse', ...args, '-'], { input, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout.toString(), err: r.stderr.toString(),
    json: r.status === 0 ? JSON.parse(r.stdout.toString()) : null };
}

const crlf = (lines) => `${lines.join('\r\n')}\r\n`;
const TOKEN = 'a'.repeat(56);

test('the raw replies of twelve mail clients: the reply text alone', { skip: existsSync(talon) ? false : `skipped: email corpus not found at ${talon}` }, () => {
  const manifest = JSON.parse(readFileSync(join(talon, 'manifest.json'), 'utf8'));
  const cases = manifest.cases.filter((c) => c.id.startsWith('standard_replies/'));
  assert.equal(cases.length, 12);
  // talon keeps signatures; chatd also removes "Sent from my iPhone" and a
  // "-- " signature, so for those two it expects the reply alone.
  const signatureRemoved = { 'standard_replies/iphone': 'Hello', 'standard_replies/sparrow': 'Hello' };
  for (const c of cases) {
    const r = parse(readFileSync(join(talon, c.input_path)));
    assert.equal(r.code, 0, `${c.id}: ${r.err}`);
    const expected = signatureRemoved[c.id]
      ?? (c.expected_reply_path ? readFileSync(join(talon, c.expected_reply_path), 'utf8') : c.expected_reply);
    assert.equal(r.json.reply.trim(), expected.trim(), c.id);
    assert.ok(r.json.from.includes('@'), `${c.id}: a sender`);
    assert.equal(r.json.auto_reply, false, c.id);
    assert.equal(r.json.bounce, false, c.id);
  }
});

test('a reply to a transcript: threading ids, the new text in UTF-8 without the quoted transcript', () => {
  const r = parse(crlf([
    'From: =?UTF-8?B?w4VzYQ==?= <Asa@Example.COM>',
    `To: Support <reply+${TOKEN}@reply.example.com>`,
    'Subject: Re: Live site returns 502 [#Q2hh]',
    'Message-ID: <abc@mail.example.com>',
    'In-Reply-To: <c.Q2hhdGRDb252ZXJzYXRpbw.transcript.7@chat.example.com>',
    'References: <c.Q2hhdGRDb252ZXJzYXRpbw.opened.1@chat.example.com> <c.Q2hhdGRDb252ZXJzYXRpbw.transcript.7@chat.example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=ISO-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Merci, =E7a marche maintenant.',
    '',
    'On Wed, Dec 2, 2026 at 9:00 AM Support <reply@example.com> wrote:',
    '> Bo: could you retry the deploy?',
  ]), ['--reply-domain', 'chat.example.com']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.from, 'asa@example.com');
  assert.equal(r.json.from_name, 'Åsa');
  assert.equal(r.json.message_id, 'abc@mail.example.com');
  assert.equal(r.json.in_reply_to, 'c.Q2hhdGRDb252ZXJzYXRpbw.transcript.7@chat.example.com');
  assert.deepEqual(r.json.references, ['c.Q2hhdGRDb252ZXJzYXRpbw.opened.1@chat.example.com',
    'c.Q2hhdGRDb252ZXJzYXRpbw.transcript.7@chat.example.com']);
  assert.equal(r.json.thread_conv, 'Q2hhdGRDb252ZXJzYXRpbw', 'our message id in In-Reply-To names the conversation');
  assert.equal(r.json.reply_token, null, 'reply.example.com is not the reply domain here');
  assert.equal(r.json.reply, 'Merci, ça marche maintenant.');
});

test('a reply token is read from the recipients and, with the reply keys, checked for the sender', () => {
  const mail = (to) => crlf(['From: asa@example.com', `To: ${to}`, 'Message-ID: <x@y>', '', 'thanks']);
  const keys = ['--reply-keys', `7:${'ab'.repeat(32)}`];
  const r = parse(mail(`Support <reply+${TOKEN}@Reply.Example.com>`), ['--reply-domain', 'reply.example.com', ...keys]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.reply_token, TOKEN);
  assert.notEqual(r.json.token.result, 'ok', 'a made-up token never checks out');
  assert.equal(r.json.token.conv, null);
  assert.equal(r.json.thread_conv, null);
  const other = parse(mail(`reply+${TOKEN}@elsewhere.example`), ['--reply-domain', 'reply.example.com']);
  assert.equal(other.json.reply_token, null, 'another domain is not ours');
  assert.equal(other.json.token, undefined, 'no keys, no check');
  assert.equal(parse(mail('x@y.example'), ['--reply-keys', 'nonsense']).code, 2, 'bad keys: a usage error');
});

test('HTML only: converted to text, quoted history dropped', () => {
  const r = parse(crlf([
    'From: a@b.example', 'To: x@y.example', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=UTF-8', '',
    '<div>Works now &amp; thanks!</div><div class="gmail_quote">On Monday Bo wrote:<blockquote>old</blockquote></div>',
  ]));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.from_html, true);
  assert.equal(r.json.reply, 'Works now & thanks!');
});

test('automatic replies and bounces are recognized', () => {
  const auto = parse(crlf(['From: a@b.example', 'To: x@y.example', 'Auto-Submitted: auto-replied',
    'Subject: Out of office', '', 'I am away.']));
  assert.equal(auto.json.auto_reply, true);
  const human = parse(crlf(['From: a@b.example', 'To: x@y.example', 'Auto-Submitted: no', '', 'hi']));
  assert.equal(human.json.auto_reply, false);
  const bulk = parse(crlf(['From: a@b.example', 'To: x@y.example', 'Precedence: bulk', '', 'news']));
  assert.equal(bulk.json.auto_reply, true);
  const bounce = parse(crlf(['Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.example>',
    'To: x@y.example', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary=b', '',
    '--b', 'Content-Type: text/plain', '', 'Delivery failed.', '--b--']));
  assert.equal(bounce.code, 0, bounce.err);
  assert.equal(bounce.json.bounce, true);
});

test('bad input: garbage and an empty mail are 65, a missing file 66, a huge mail 65, a broken charset still reads', () => {
  assert.equal(parse('this is not an email at all').code, 65);
  assert.equal(parse('').code, 65);
  const missing = spawnSync(CHATD, ['mail-parse', join(dir, 'nope.eml')]);
  assert.equal(missing.status, 66);
  const big = join(dir, 'big.eml');
  writeFileSync(big, crlf(['From: a@b.example', 'To: x@y.example', '', 'x'.repeat(26 << 20)]));
  const huge = spawnSync(CHATD, ['mail-parse', big]);
  assert.equal(huge.status, 65);
  assert.match(huge.stderr.toString(), /over 25 MiB/);
  const broken = parse(Buffer.concat([Buffer.from(crlf(['From: a@b.example', 'To: x@y.example',
    'Content-Type: text/plain; charset=x-no-such-charset', '', ''])), Buffer.from([0x48, 0xe9, 0xff, 0x21, 0x0d, 0x0a])]));
  assert.equal(broken.code, 0, broken.err);
  assert.ok(broken.json.text.length > 0);
  assert.equal(spawnSync(CHATD, ['mail-parse']).status, 2);
});
