// `chatd mail-ingest`: a customer's reply by email continues the
// conversation. Real mails go through the real binary (the MTA pipe) into
// a real Redis, and a real agent's WebSocket shows the result: the reply
// appended once as a message of channel email, from the customer, with
// the quoted history stripped; refusals with their sysexits codes and
// nothing stored; automatic replies and bounces dropped; a mail matching
// nothing answered by one auto-reply a day; a closed conversation
// reopened and back in the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHATD, CLUSTER, KEYS, ID_SECRET, root, uid, watch, freePort, waitFor, startRedis } from './harness.mjs';
import { convKey, outboxKey, shardOf } from './keys.mjs';
import { runIngest } from './mailtools.mjs';
import { useRouting, testPolicy, cust, agentWith, mustOpen, listOpen, isOffer, isKind, noFrame } from './routing.mjs';

const env = useRouting(startRedis);
const REPLY_KEYS = `3:${randomBytes(32).toString('hex')}`;
const DOMAIN = 'reply.chat.example';
const MAIL_QUEUE = '{m}:q';

// Runs chatd mail-ingest on mail with the node's settings; with
// { settings: false }, nothing but what args give.
const ingest = (mail, { redisUrl, args = [], settings = true } = {}) => runIngest(mail,
  settings ? { redisUrl: redisUrl ?? env.redis?.url, policyFile: env.node?.policyFile, replyKeys: REPLY_KEYS,
    domain: DOMAIN } : null, args);

const replyAddress = (conv, to, extra = []) => execFileSync(CHATD, ['mail-token', '--conv', conv, '--to', to,
  '--reply-keys', REPLY_KEYS, '--reply-domain', DOMAIN, ...extra], { encoding: 'utf8' }).trim();

const crlf = (lines) => `${lines.join('\r\n')}\r\n`;

// A reply as a mail client writes it: the new text, then the quoted
// transcript.
function replyMail({ from, to, text = 'It works again, thank you!', messageId = `<${uid('m')}@mail.example.org>`,
  headers = [] }) {
  return crlf([
    `From: Customer <${from}>`,
    `To: Support <${to}>`,
    'Subject: Re: Live site returns 502',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    ...headers,
    '',
    text,
    '',
    'On Wed, Dec 2, 2026 at 9:00 AM Support <chat@reply.chat.example> wrote:',
    '> Agent: could you retry the deploy?',
    '> Customer: will do',
  ]);
}

// A conversation of a customer with an email address, followed by an
// agent who is away (so no offer takes it) and by its customer.
async function setup(t, { args = [] } = {}) {
  await env.start(t, { policy: testPolicy(), args });
  const email = `${uid('cust')}@Example.ORG`.toLowerCase();
  const claims = cust('gold', { email });
  const customer = await env.connect(claims);
  const opened = await mustOpen(customer, { summary: 'Live site returns 502' });
  const agent = await env.connect(agentWith());
  assert.equal((await agent.request({ type: 'presence', status: 'away' })).type, 'ack');
  await watch(agent, opened.conv, 0);
  return { conv: opened.conv, email, claims, customer, agent, address: replyAddress(opened.conv, email) };
}

const emailMessages = (c, conv) => c.events(conv).filter((e) => e.kind === 'message' && e.channel === 'email');

async function history(c, conv) {
  const r = await c.request({ type: 'history', conv, after: 0, limit: 200 });
  assert.equal(r.type, 'history', JSON.stringify(r));
  return r.events;
}

const queued = () => Number(env.redis.cli('XLEN', MAIL_QUEUE));

test('a reply with the right token from the right sender: appended once, channel email, only the new text; the same mail again is a duplicate', async (t) => {
  const s = await setup(t);
  const mail = replyMail({ from: s.email.toUpperCase(), to: s.address });
  const r = await ingest(mail);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended', r.err);
  assert.equal(r.json.conv, s.conv);
  assert.equal(r.json.reopened, false);
  const ev = await s.agent.wait((e) => e.type === 'event' && e.conv === s.conv && e.channel === 'email',
    { what: 'the email reply live' });
  assert.equal(ev.kind, 'message');
  assert.equal(ev.seq, r.json.seq);
  assert.equal(ev.text, 'It works again, thank you!', 'quoted history stripped');
  assert.equal(ev.from.id, s.claims.sub);
  assert.equal(ev.from.role, 'customer');
  await s.customer.wait((e) => e.type === 'event' && e.conv === s.conv && e.seq === ev.seq,
    { what: 'the customer sees it too' });

  const again = await ingest(mail);
  assert.equal(again.code, 0, again.err);
  assert.equal(again.json.outcome, 'duplicate');
  assert.equal(again.json.seq, r.json.seq, 'the original seq');
  assert.ok(await noFrame(s.agent, (e) => e.type === 'event' && e.conv === s.conv && e.seq > ev.seq, 300));
  assert.equal(emailMessages(s.agent, s.conv).length, 1, 'delivered live once');
  assert.equal((await history(s.agent, s.conv)).filter((e) => e.channel === 'email').length, 1, 'stored once');
  assert.equal(queued(), 0, 'no auto-reply');

  const forged = await s.customer.request({ type: 'email_reply', client_id: uid('e'), conv: s.conv, text: 'hi' });
  assert.equal(forged.type, 'error');
  assert.equal(forged.code, 'unknown_type', 'no client can send an email reply');
});

test('an empty mail is dropped; an expired token gets the auto-reply; a reply over 16 KiB is cut with a note', async (t) => {
  const s = await setup(t);
  const empty = await ingest(crlf([`From: ${s.email}`, `To: ${s.address}`, `Message-ID: <${uid('e')}@example.org>`,
    '', '', '']));
  assert.equal(empty.code, 0, empty.err);
  assert.equal(empty.json.outcome, 'dropped');
  assert.equal(empty.json.detail, 'empty');

  const expired = replyAddress(s.conv, s.email, ['--expires', '1000']);
  const late = await ingest(replyMail({ from: s.email, to: expired }));
  assert.equal(late.code, 0, late.err);
  assert.equal(late.json.outcome, 'auto_replied');
  assert.equal(queued(), 1);

  const long = await ingest(replyMail({ from: s.email, to: s.address, text: `${'word '.repeat(5000)}\u00e9` }));
  assert.equal(long.json.outcome, 'appended', long.err);
  const ev = await s.agent.wait((e) => e.type === 'event' && e.conv === s.conv && e.channel === 'email');
  assert.ok(Buffer.byteLength(ev.text) <= 16384, `${Buffer.byteLength(ev.text)} bytes`);
  assert.ok(ev.text.startsWith('word word'));
  assert.match(ev.text, /\[The rest of this email was cut: it was too long\.\]$/);
  assert.deepEqual((await history(s.agent, s.conv)).map((e) => e.kind), ['opened', 'message']);
});

test('a forged token is an unknown recipient (67); the right token from another sender is refused (77); nothing is stored', async (t) => {
  const s = await setup(t);
  const local = s.address.split('@')[0];
  const flip = local.at(-1) === 'a' ? 'b' : 'a';
  const forged = `${local.slice(0, -1)}${flip}@${DOMAIN}`;
  const f = await ingest(replyMail({ from: s.email, to: forged }));
  assert.equal(f.code, 67, f.err);
  assert.equal(f.json.outcome, 'unknown_recipient');
  const malformed = await ingest(replyMail({ from: s.email, to: `reply+nonsense@${DOMAIN}` }));
  assert.equal(malformed.code, 67, malformed.err);

  const w = await ingest(replyMail({ from: 'mallory@evil.example', to: s.address }));
  assert.equal(w.code, 77, w.err);
  assert.equal(w.json.outcome, 'rejected');
  assert.equal(w.json.conv, '');

  const events = await history(s.agent, s.conv);
  assert.deepEqual(events.map((e) => e.kind), ['opened'], 'nothing stored');
  assert.equal(queued(), 0, 'no auto-reply to a refused mail');
});

test('an automatic reply and a bounce are dropped (0): nothing stored, no auto-reply queued', async (t) => {
  const s = await setup(t);
  const auto = await ingest(replyMail({ from: s.email, to: s.address, text: 'I am out of office until Monday.',
    headers: ['Auto-Submitted: auto-replied'] }));
  assert.equal(auto.code, 0, auto.err);
  assert.equal(auto.json.outcome, 'dropped');
  const bounce = await ingest(crlf([
    'Return-Path: <>', 'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>', `To: ${s.address}`,
    'Subject: Undelivered Mail Returned to Sender', `Message-ID: <${uid('b')}@mx.example.org>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary=b', '',
    '--b', 'Content-Type: text/plain', '', 'Delivery to the following recipient failed.', '--b--']));
  assert.equal(bounce.code, 0, bounce.err);
  assert.equal(bounce.json.outcome, 'dropped');
  const loop = await ingest(replyMail({ from: `chat@${DOMAIN}`, to: s.address }));
  assert.equal(loop.json.outcome, 'dropped', 'mail from our own domain is a loop');
  assert.deepEqual((await history(s.agent, s.conv)).map((e) => e.kind), ['opened']);
  assert.equal(queued(), 0);
});

test('a mail with no token and no references gets one auto-reply; a second from the same sender does not queue another', async (t) => {
  await env.start(t, { policy: testPolicy() });
  const sender = `${uid('stranger')}@example.net`;
  const mail = (n) => crlf([`From: Stranger <${sender}>`, `To: support@${DOMAIN}`, `Subject: Question ${n}`,
    `Message-ID: <${uid('q')}@example.net>`, '', 'Can you help me with my site?']);
  const first = await ingest(mail(1));
  assert.equal(first.code, 0, first.err);
  assert.equal(first.json.outcome, 'auto_replied');
  assert.equal(queued(), 1);
  const jobs = env.redis.cli('XRANGE', MAIL_QUEUE, '-', '+');
  assert.match(jobs, new RegExp(sender.replace(/[.]/g, '\\.')), 'to the sender');
  const second = await ingest(mail(2));
  assert.equal(second.code, 0, second.err);
  assert.equal(second.json.outcome, 'auto_replied', 'the sender was told recently');
  assert.equal(queued(), 1, 'still one job');
});

test('no reply address but In-Reply-To one of our Message-IDs: appended', async (t) => {
  const s = await setup(t);
  const r = await ingest(replyMail({ from: s.email, to: `support@${DOMAIN}`, text: 'Found by the thread.',
    headers: [`In-Reply-To: <c.${s.conv}.transcript.3@${DOMAIN}>`,
      `References: <c.${s.conv}.opened.1@${DOMAIN}> <c.${s.conv}.transcript.3@${DOMAIN}>`] }));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended');
  const ev = await s.agent.wait((e) => e.type === 'event' && e.conv === s.conv && e.channel === 'email');
  assert.equal(ev.text, 'Found by the thread.');
  const other = await ingest(replyMail({ from: 'someone@else.example', to: `support@${DOMAIN}`,
    headers: [`In-Reply-To: <c.${s.conv}.transcript.3@${DOMAIN}>`] }));
  assert.equal(other.code, 77, 'the thread names it, but the sender is not its customer');
});

test('bad input: garbage is 65, a 20 MB mail is 65 at once and the node is fine, a broken charset still arrives as valid UTF-8', async (t) => {
  const s = await setup(t);
  const garbage = await ingest('this is not an email at all');
  assert.equal(garbage.code, 65);
  assert.equal(garbage.json.outcome, 'malformed');

  const started = Date.now();
  const big = await ingest(Buffer.concat([Buffer.from(crlf([`From: ${s.email}`, `To: ${s.address}`, ''])),
    Buffer.alloc(20 << 20, 'x')]));
  assert.equal(big.code, 65, big.err);
  assert.equal(big.json.outcome, 'too_large');
  assert.ok(Date.now() - started < 5000, 'refused quickly');
  await s.agent.ping();

  const broken = await ingest(Buffer.concat([Buffer.from(crlf([`From: ${s.email}`, `To: ${s.address}`,
    `Message-ID: <${uid('c')}@mail.example.org>`, 'Content-Type: text/plain; charset=x-no-such-charset', '', ''])),
  Buffer.from([0x48, 0xe9, 0xff, 0x21, 0x0d, 0x0a])]));
  assert.equal(broken.code, 0, broken.err);
  assert.equal(broken.json.outcome, 'appended');
  const ev = await s.agent.wait((e) => e.type === 'event' && e.conv === s.conv && e.channel === 'email');
  assert.ok(ev.text.startsWith('H') && ev.text.endsWith('!'), JSON.stringify(ev.text));
  assert.ok(!ev.text.includes('\0'));
});

test('the settings of chatd serve from a config file; without reply keys: 78', async (t) => {
  const s = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'chatd-ingest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'chatd.conf');
  const lines = [`redis = ${env.redis.url}`, `jwt-keys = ${KEYS}`, `id-secret = ${ID_SECRET}`,
    `reply-domain = ${DOMAIN}`, `policy = ${env.node.policyFile}`];
  writeFileSync(file, [...lines, `reply-keys = ${REPLY_KEYS}`].join('\n'));
  const r = await ingest(replyMail({ from: s.email, to: s.address }), { settings: false, args: ['--config', file] });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended');
  writeFileSync(file, lines.join('\n'));
  const none = await ingest(replyMail({ from: s.email, to: s.address }), { settings: false, args: ['--config', file] });
  assert.equal(none.code, 78, none.err);
  assert.match(none.err, /reply-keys/);
});

test('Redis down: 75, nothing stored', async (t) => {
  const s = await setup(t);
  const port = await freePort();
  const r = await ingest(replyMail({ from: s.email, to: s.address }),
    { redisUrl: `redis://127.0.0.1:${port}`, args: ['--wait-ms', '500'] });
  assert.equal(r.code, 75, r.err);
  assert.equal(r.json.outcome, 'try_later');
  assert.deepEqual((await history(s.agent, s.conv)).map((e) => e.kind), ['opened']);
});

test('a reply to a closed conversation reopens it: reopened event, waiting, kept again, back in the queue and offered', async (t) => {
  const s = await setup(t, { args: ['--retention', '3600'] });
  const closed = await s.customer.request({ type: 'close', client_id: uid('close'), conv: s.conv });
  assert.equal(closed.type, 'ack', JSON.stringify(closed));
  await s.agent.wait(isKind(s.conv, 'closed'));
  assert.ok(Number(env.redis.cli('TTL', convKey(s.conv, 'm'))) > 0, 'a closed conversation expires');
  await waitFor(() => env.redis.cli('HGET', `{r}:cv:${s.conv}`, 'state') === 'closed', { what: 'routing closed' });

  const mail = replyMail({ from: s.email, to: s.address, text: 'Sorry, it broke again.' });
  const r = await ingest(mail);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended');
  assert.equal(r.json.reopened, true);
  const reopened = await s.agent.wait(isKind(s.conv, 'reopened'), { what: 'reopened live' });
  await s.agent.wait((f) => f.type === 'feed' && f.kind === 'requeued' && f.conv === s.conv && f.status === 'waiting',
    { what: 'the feed says it waits again' });
  const msg = await s.agent.wait((e) => e.type === 'event' && e.conv === s.conv && e.kind === 'message');
  assert.equal(msg.seq, reopened.seq + 1);
  assert.equal(msg.seq, r.json.seq);
  assert.equal(msg.channel, 'email');
  assert.equal(reopened.from.role, 'customer');
  assert.equal(env.redis.cli('HGET', convKey(s.conv, 'm'), 'status'), 'waiting');
  assert.equal(env.redis.cli('HGET', convKey(s.conv, 'm'), 'ep'), '1');
  assert.equal(env.redis.cli('TTL', convKey(s.conv, 'm')), '-1', 'kept again');
  assert.equal(env.redis.cli('TTL', convKey(s.conv, 'e')), '-1');

  const open = await listOpen(s.agent);
  const item = open.find((i) => i.conv === s.conv);
  assert.ok(item, 'listed open again');
  assert.equal(item.status, 'waiting');
  const online = await env.connect(agentWith());
  await online.wait(isOffer(s.conv), { what: 'the reopened conversation offered' });

  // The same mail again changes nothing; the close's outbox entry applied
  // again (an older epoch) leaves it in the queue.
  const again = await ingest(mail);
  assert.equal(again.json.outcome, 'duplicate');
  assert.equal(again.json.reopened, false);
  assert.equal(s.agent.events(s.conv).filter((e) => e.kind === 'reopened').length, 1);
  env.redis.cli('FCALL', env.redis.cli('FUNCTION', 'LIST').match(/chatd_\w+_route_close/)[0], '1', '{r}:board',
    '{r}:', s.conv, '0');
  assert.notEqual(env.redis.cli('HGET', `{r}:cv:${s.conv}`, 'state'), 'closed', 'an older close is ignored');
  // The consumer applying the close and the reopening again (a node that
  // stopped before it moved its cursor) leaves it open and waiting.
  const ob = outboxKey(shardOf(s.conv));
  env.redis.cli('XADD', ob, '*', 'k', 'x', 'c', s.conv, 't', String(Date.now()));
  env.redis.cli('XADD', ob, '*', 'k', 'r', 'c', s.conv, 't', String(Date.now()), 'u', s.claims.sub, 'ep', '1',
    'cl', 'normal');
  await waitFor(() => env.redis.cli('XLEN', ob) === '0', { timeout: 10000, what: 'the outbox applied again' });
  assert.equal(env.redis.cli('HGET', `{r}:cv:${s.conv}`, 'state'), 'waiting');
  assert.notEqual(env.redis.cli('ZSCORE', 'convs:open', s.conv), '', 'still in the open index');

  // Closed again, and reopened again by a second mail: a new epoch
  // replaces the routing state its close left, and it is offered again.
  const closedAgain = await s.customer.request({ type: 'close', client_id: uid('close'), conv: s.conv });
  assert.equal(closedAgain.type, 'ack', JSON.stringify(closedAgain));
  await waitFor(() => env.redis.cli('HGET', `{r}:cv:${s.conv}`, 'state') === 'closed', { what: 'routing closed again' });
  assert.equal(env.redis.cli('HGET', `{r}:cv:${s.conv}`, 'ep'), '1', 'closed in epoch 1');
  const from = online.frames.length;
  const second = await ingest(replyMail({ from: s.email, to: s.address, text: 'And once more.' }));
  assert.equal(second.json.outcome, 'appended', second.err);
  assert.equal(second.json.reopened, true);
  assert.equal(env.redis.cli('HGET', convKey(s.conv, 'm'), 'ep'), '2');
  await online.wait(isOffer(s.conv), { from, what: 'offered again after the second reopening' });
  assert.equal(s.agent.events(s.conv).filter((e) => e.kind === 'reopened').length, 2);
});

test('through Redis Sentinel: the reply reaches the primary the sentinels name', { skip: CLUSTER ? 'runs once, on its own Redis' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chatd-ingest-sentinel-'));
  let base;
  for (let tries = 0; ; tries++) {
    base = 20000 + Math.floor(Math.random() * 9000);
    try {
      execFileSync(join(root, 'scripts', 'redis-sentinel'), ['start', dir, String(base)], { stdio: ['ignore', 'ignore', 'pipe'] });
      break;
    } catch (e) {
      execFileSync(join(root, 'scripts', 'redis-sentinel'), ['stop', dir]);
      if (tries >= 3) throw e;
    }
  }
  try {
    const cli = (...args) => execFileSync('redis-cli', ['-p', String(base), ...args], { encoding: 'utf8' }).trim();
    const conv = 'Q2hhdGRDb252ZXJzYXRpbw';
    cli('HSET', convKey(conv, 'm'), 'seq', '1', 'status', 'waiting', 'customer', 'cust-s', 'customer_name', 'Sam',
      'email', 'sam@example.org', 'tier', 'gold');
    const url = `redis-sentinel://${[2, 3, 4].map((i) => `127.0.0.1:${base + i}`).join(',')}/chatd`;
    const r = await ingest(replyMail({ from: 'sam@example.org', to: replyAddress(conv, 'sam@example.org'),
      text: 'Via the sentinels.' }), { redisUrl: url });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.outcome, 'appended');
    assert.match(cli('XRANGE', convKey(conv, 'e'), '-', '+'), /Via the sentinels\./);
  } finally {
    execFileSync(join(root, 'scripts', 'redis-sentinel'), ['stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
