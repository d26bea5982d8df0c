// The SMTP sending edge (server/mailer/smtp.c) against a real SMTP server:
// aiosmtpd with the handler in smtp_sink.py, which prints each delivered
// message and refuses chosen recipients with 550 or 451. The probe program
// (tests/integration/smtp_send_probe.c) sends one message file and prints
// the outcome as JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, waitFor, freePort, uid } from './harness.mjs';
import { Sink } from './smtpsink.mjs';

const PROBE = process.env.SMTP_SEND_PROBE || join(root, 'build', 'tests', 'smtp_send_probe');
const dir = mkdtempSync(join(tmpdir(), 'chatd-smtp-'));

// Runs the probe; resolves with its exit code and the outcome it printed.
function send(url, from, rcpts, message, flags = [], timeout = 15000) {
  const file = join(dir, `${uid('msg')}.eml`);
  writeFileSync(file, message);
  return new Promise((resolve, reject) => {
    const p = spawn(PROBE, [...flags, url, from, rcpts.join(','), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`probe timed out: ${err}`)); }, timeout);
    p.once('exit', (code) => {
      clearTimeout(t);
      try {
        const lines = out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
        resolve({ code, lines, out: lines[0] ?? null, err });
      } catch (e) {
        reject(new Error(`probe printed ${out}: ${e.message}`));
      }
    });
  });
}

const crlf = (lines) => `${lines.join('\r\n')}\r\n`;
const mail = (marker, body = ['Hello.']) => crlf([
  'From: Support <support@chat.example.com>',
  'To: Customer <customer@example.net>',
  `Subject: Transcript ${marker}`,
  `Message-ID: <${marker}@chat.example.com>`,
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  ...body,
]);

let sink;
before(async () => { sink = await new Sink().start(); });
after(async () => {
  await sink?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a message is delivered once, byte for byte, and the relay\'s reply is reported', async () => {
  const marker = uid('exact');
  // A line of a single dot and lines starting with one must survive the
  // SMTP dot-stuffing both ways.
  const message = mail(marker, ['Merci, ça marche.', '.', '..two dots', '.leading dot', '', 'End.']);
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com', ['customer@example.net'], message);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.lines.length, 1);
  assert.equal(r.out.result, 'sent');
  assert.equal(r.out.code, 250);
  assert.equal(r.out.response, '250 2.0.0 Queued as test');
  assert.equal(r.out.reports, 1);
  const got = await waitFor(() => sink.received(marker).length && sink.received(marker), { what: 'the delivery' });
  assert.equal(got.length, 1);
  assert.equal(got[0].from, 'bounces@chat.example.com');
  assert.deepEqual(got[0].rcpts, ['customer@example.net']);
  assert.ok(got[0].data.equals(Buffer.from(message)), `received:\n${got[0].data}`);
});

test('several recipients get one transaction', async () => {
  const marker = uid('multi');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com',
    ['a@example.net', 'b@example.org'], mail(marker));
  assert.equal(r.out.result, 'sent', r.out.error);
  const got = await waitFor(() => sink.received(marker).length && sink.received(marker), { what: 'the delivery' });
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].rcpts, ['a@example.net', 'b@example.org']);
});

test('a recipient refused with 550 is a permanent failure with the relay\'s line', async () => {
  const marker = uid('refused');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com', ['refuse550@example.net'], mail(marker));
  assert.equal(r.code, 1);
  assert.equal(r.out.result, 'permanent');
  assert.equal(r.out.code, 550);
  assert.equal(r.out.response, '550 5.1.1 No such user here');
  assert.equal(r.out.reports, 1);
  assert.equal(sink.received(marker).length, 0);
});

test('one refused recipient fails the whole send: nobody gets it', async () => {
  const marker = uid('partial');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com',
    ['ok@example.net', 'refuse550@example.net'], mail(marker));
  assert.equal(r.out.result, 'permanent');
  assert.equal(sink.received(marker).length, 0);
});

test('a recipient deferred with 451 is a temporary failure', async () => {
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com', ['defer451@example.net'], mail(uid('deferred')));
  assert.equal(r.out.result, 'temporary');
  assert.equal(r.out.code, 451);
  assert.equal(r.out.response, '451 4.3.0 Mailbox busy, try again later');
});

test('a message refused after DATA with 550 is a permanent failure', async () => {
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'datafail550@chat.example.com', ['customer@example.net'], mail(uid('data')));
  assert.equal(r.out.result, 'permanent');
  assert.equal(r.out.code, 550);
  assert.equal(r.out.response, '550 5.7.1 Message content rejected');
});

test('a stopped relay (connection refused) is a temporary failure', async () => {
  const stopped = await new Sink().start();
  await stopped.stop();
  const r = await send(`smtp://127.0.0.1:${stopped.port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(uid('down')));
  assert.equal(r.out.result, 'temporary');
  assert.equal(r.out.code, 0);
  assert.match(r.out.error, /connect/i);
});

test('required STARTTLS that the relay does not offer is a temporary failure, nothing sent', async () => {
  const marker = uid('tls');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(marker), ['-s']);
  assert.equal(r.out.result, 'temporary');
  assert.equal(sink.received(marker).length, 0);
});

// A relay that accepts the connection and never says a word.
async function silentRelay(fn) {
  const socks = new Set();
  const srv = createServer((s) => { socks.add(s); s.on('error', () => {}); });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(srv.address().port, socks);
  } finally {
    for (const s of socks) s.destroy();
    await new Promise((resolve) => srv.close(resolve));
  }
}

test('a relay that never answers times out as a temporary failure', async () => {
  await silentRelay(async (port, socks) => {
    const r = await send(`smtp://127.0.0.1:${port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(uid('silent')), ['-t', '500']);
    assert.equal(socks.size, 1);
    assert.equal(r.out.result, 'temporary');
    assert.match(r.out.error, /timed out/i);
  });
});

test('destroying the sender cancels the sends in flight: each reported once as cancelled, clean exit', async () => {
  await silentRelay(async (port, socks) => {
    const r = await send(`smtp://127.0.0.1:${port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(uid('cancel')), ['-c', '300', '-n', '3']);
    assert.equal(r.code, 1, r.err);
    assert.equal(socks.size, 3);
    assert.equal(r.lines.length, 3);
    assert.deepEqual(r.lines.map((l) => l.result), ['cancelled', 'cancelled', 'cancelled']);
    assert.deepEqual(r.lines.map((l) => l.reports), [1, 2, 3]);
  });
});

test('several sends at once each report once and each arrive once', async () => {
  const marker = uid('many');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(marker), ['-n', '8']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.lines.length, 8);
  assert.deepEqual(r.lines.map((l) => l.result), Array(8).fill('sent'));
  assert.deepEqual(r.lines.map((l) => l.reports), [1, 2, 3, 4, 5, 6, 7, 8]);
  await waitFor(() => sink.received(marker).length >= 8, { what: 'eight deliveries' });
  assert.equal(sink.received(marker).length, 8);
});

test('an address that could smuggle SMTP commands is refused before anything is sent or reported', async () => {
  const marker = uid('inject');
  const r = await send(`smtp://127.0.0.1:${sink.port}`, 'bounces@chat.example.com',
    ['customer@example.net>\r\nRCPT TO:<other@example.org'], mail(marker));
  assert.equal(r.code, 2);
  assert.equal(r.lines.length, 0);
  assert.equal(sink.received(marker).length, 0);
});

test('STARTTLS: sent over TLS to a relay whose certificate we trust; an untrusted one is a temporary failure', async () => {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 30000 });
  // aiosmtpd with a certificate refuses mail until STARTTLS has run.
  const tls = await new Sink().start(['--tlscert', cert, '--tlskey', key]);
  try {
    const marker = uid('tls-ok');
    const r = await send(`smtp://127.0.0.1:${tls.port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(marker), ['-s', '-a', cert]);
    assert.equal(r.out.result, 'sent', r.out.error);
    const got = await waitFor(() => tls.received(marker).length && tls.received(marker), { what: 'the delivery over TLS' });
    assert.equal(got.length, 1);
    const bad = uid('tls-bad');
    const u = await send(`smtp://127.0.0.1:${tls.port}`, 'bounces@chat.example.com', ['customer@example.net'], mail(bad), ['-s']);
    assert.equal(u.out.result, 'temporary');
    assert.match(u.out.error, /certificate/i);
    assert.equal(tls.received(bad).length, 0);
  } finally {
    await tls.stop();
  }
});
