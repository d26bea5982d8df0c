// Mail end to end: a real SMTP server (aiosmtpd, smtpsink.mjs), a real
// Redis and chatd. The transcript when a conversation closes, one
// notification for agent replies the customer has not read (later ones
// batched), the relay away (mail waits, then goes exactly once), the dead
// letters (a refusal at once; a temporary failure after the last try), and
// the whole loop: a reply to the transcript, written as a mail client
// writes it, through chatd mail-ingest into the conversation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Chatd, startRedis, waitFor, uid, connectAs, customer, agent, openConv, watch } from './harness.mjs';
import { Sink } from './smtpsink.mjs';
import { runIngest, header, plainText, replyTo } from './mailtools.mjs';

const DOMAIN = 'reply.chat.test';
const REPLY_KEYS = `1:${randomBytes(32).toString('hex')}`;
let redis, sink, node, nodeArgs;

before(async () => {
  redis = await startRedis();
  sink = await new Sink().start();
  nodeArgs = ['--smtp-url', `smtp://127.0.0.1:${sink.port}`,
    '--reply-domain', DOMAIN, '--reply-keys', REPLY_KEYS,
    '--mail-from', `chat@${DOMAIN}`, '--mail-from-name', 'Example Support',
    '--smtp-timeout-ms', '300', '--mail-retry-ms', '400', '--mail-retry-max-ms', '800',
    '--mail-tries', '3', '--notify-delay-s', '1', '--notify-gap-s', '0',
    '--outbox-scan-ms', '100', '--outbox-lease-ms', '1000'];
  node = await new Chatd(redis, nodeArgs).start();
});

after(async () => {
  await node?.stop();
  await sink?.stop();
  await redis?.destroy();
});

const mailsTo = (addr) => sink.lines.map((l) => ({ ...l, data: Buffer.from(l.data, 'base64') }))
  .filter((l) => l.rcpts.includes(addr));
const queueEmpty = () => {
  const info = redis.cli('XPENDING', '{m}:q', 'mailer');
  return redis.cli('XLEN', '{m}:q') === '0' && /^0\b/.test(info);
};

// A customer with an address, a conversation, and an agent on it.
async function chat(email = `${uid('c')}@customer.test`) {
  const sub = uid('cust');
  const cust = await connectAs(node, customer(sub, { email }));
  const conv = await openConv(cust, `Checkout fails ${uid('s')}`);
  const ag = await connectAs(node, agent());
  assert.equal((await ag.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  await watch(ag, conv, 0);
  return { cust, ag, conv, email, sub };
}

const say = async (c, conv, text) => {
  const r = await c.request({ type: 'send', client_id: uid('m'), conv, text });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  return r.seq;
};

test('a closed conversation\'s transcript reaches the customer, answerable and threaded', async () => {
  const { cust, ag, conv, email } = await chat();
  await say(cust, conv, 'The checkout page shows a 502.');
  await say(ag, conv, 'Looking at it now — café crème ☕');
  await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'internal: cache bug' });
  const closed = await cust.request({ type: 'close', client_id: uid('x'), conv });
  assert.equal(closed.type, 'ack');
  await waitFor(() => mailsTo(email).length === 1, { timeout: 10000, what: 'the transcript' });
  const [mail] = mailsTo(email);
  const text = mail.data.toString('utf8');
  assert.equal(mail.from, `chat@${DOMAIN}`);
  assert.equal(header(mail, 'Message-ID'), `<c.${conv}.t.${closed.seq}@${DOMAIN}>`);
  assert.equal(header(mail, 'In-Reply-To'), `<c.${conv}.o.1@${DOMAIN}>`);
  assert.match(header(mail, 'Reply-To'), new RegExp(`^<reply\\+[a-z2-7]{56}@${DOMAIN.replace(/\./g, '\\.')}>$`));
  assert.match(header(mail, 'Subject'), new RegExp(`\\[#${conv.slice(0, 8)}\\]`));
  assert.match(text, /multipart\/alternative/);
  assert.ok(text.includes('The checkout page shows a 502.'));
  assert.ok(!text.includes('internal: cache bug'), 'notes never reach the customer');
  // The agent's text is in the mail, UTF-8 intact (quoted-printable or
  // base64 parts decoded by looking for the words around it).
  assert.match(text, /Looking at it now/);
  cust.close();
  ag.close();
});

test('unread agent replies are mailed once, batched; a reply read in time is not', async () => {
  const { cust, ag, conv, email, sub } = await chat();
  await say(cust, conv, 'Anyone there?');
  await cust.close(); // the customer is away
  await say(ag, conv, 'First reply');
  await say(ag, conv, 'Second reply');
  await waitFor(() => mailsTo(email).length === 1, { timeout: 10000, what: 'the notification' });
  let text = mailsTo(email)[0].data.toString('utf8');
  assert.match(text, /First reply/);
  assert.match(text, /Second reply/);
  assert.ok(!text.includes('Anyone there?'), 'only what the customer has not seen');
  assert.match(header(mailsTo(email)[0], 'Message-ID'), new RegExp(`^<c\\.${conv}\\.n\\.\\d+@`));
  // A later reply: its own notification, with only itself.
  await say(ag, conv, 'Third reply');
  await waitFor(() => mailsTo(email).length === 2, { timeout: 10000, what: 'the second notification' });
  text = mailsTo(email)[1].data.toString('utf8');
  assert.match(text, /Third reply/);
  assert.ok(!text.includes('First reply'));

  // The customer back and reading: nothing is mailed.
  const back = await connectAs(node, customer(sub, { email }));
  await watch(back, conv, 0);
  const seq = await say(ag, conv, 'Fourth reply, read at once');
  await waitFor(() => redis.cli('ZSCORE', '{m}:nudge', conv) !== '', { what: 'the look planned' });
  await back.request({ type: 'read', conv, seq });
  await waitFor(() => redis.cli('ZSCORE', '{m}:nudge', conv) === '', { timeout: 10000, what: 'the look made' });
  await waitFor(queueEmpty, { timeout: 10000, what: 'the queue to drain' });
  assert.equal(mailsTo(email).length, 2, 'a reply read in time is not mailed');
  ag.close();
  back.close();
});

test('with the relay away mail waits in the queue; back, each mail goes exactly once', async () => {
  const port = sink.port;
  await sink.stop();
  const chats = [await chat(), await chat()];
  for (const c of chats) {
    await say(c.ag, c.conv, 'We fixed it.');
    const x = await c.cust.request({ type: 'close', client_id: uid('x'), conv: c.conv });
    assert.equal(x.type, 'ack');
    c.closeSeq = x.seq;
  }
  // Both tried and failed (each has its error recorded), nothing lost.
  await waitFor(() => Number(redis.cli('HLEN', '{m}:err')) >= 2, { timeout: 10000, what: 'failed tries recorded' });
  assert.ok(!queueEmpty());
  sink = await new Sink().start([], port);
  await waitFor(() => chats.every((c) => mailsTo(c.email).length >= 1) && queueEmpty(),
    { timeout: 15000, what: 'the mails sent once the relay is back' });
  for (const c of chats) {
    const ids = mailsTo(c.email).map((m) => header(m, 'Message-ID'));
    assert.deepEqual(ids, [`<c.${c.conv}.t.${c.closeSeq}@${DOMAIN}>`], 'exactly once');
    c.cust.close();
    c.ag.close();
  }
  assert.equal(redis.cli('HLEN', '{m}:err'), '0');
});

test('a refused mail goes to the dead letters at once; a deferred one after its last try', async () => {
  const refused = await chat(`refuse550-${uid('r')}@customer.test`);
  const deferred = await chat(`defer451-${uid('d')}@customer.test`);
  const before = Number(redis.cli('XLEN', '{m}:dead'));
  for (const c of [refused, deferred])
    assert.equal((await c.cust.request({ type: 'close', client_id: uid('x'), conv: c.conv })).type, 'ack');
  await waitFor(() => Number(redis.cli('XLEN', '{m}:dead')) === before + 2 && queueEmpty(),
    { timeout: 15000, what: 'both dead-lettered' });
  const dead = redis.cli('--no-raw', 'XRANGE', '{m}:dead', '-', '+');
  const entryOf = (conv) => {
    const lines = redis.cli('XRANGE', '{m}:dead', '-', '+').split('\n');
    const at = lines.indexOf(conv);
    assert.ok(at > 0, `a dead letter for ${conv}: ${dead}`);
    const rest = lines.slice(at);
    return { tries: rest[rest.indexOf('tries') + 1], error: rest[rest.indexOf('error') + 1] };
  };
  const r = entryOf(refused.conv);
  assert.equal(r.tries, '1');
  assert.match(r.error, /550/);
  const d = entryOf(deferred.conv);
  assert.equal(d.tries, '3');
  assert.match(d.error, /451/);
  for (const c of [refused, deferred]) {
    c.cust.close();
    c.ag.close();
  }
});

test('the customer asks for the transcript: mailed once until there is more', async () => {
  const { cust, ag, conv, email } = await chat();
  await say(ag, conv, 'Here is the fix: clear the cache.');
  const first = await cust.request({ type: 'transcript', conv });
  assert.equal(first.type, 'ack', JSON.stringify(first));
  assert.equal(first.duplicate, false);
  await waitFor(() => mailsTo(email).length === 1, { timeout: 10000, what: 'the transcript asked for' });
  const [mail] = mailsTo(email);
  assert.match(header(mail, 'Message-ID'), new RegExp(`^<c\\.${conv}\\.r\\.\\d+@`));
  assert.match(mail.data.toString('utf8'), /clear the cache/);
  const again = await cust.request({ type: 'transcript', conv });
  assert.equal(again.type, 'ack');
  assert.equal(again.duplicate, true, 'nothing new since: nothing more is sent');
  const byAgent = await ag.request({ type: 'transcript', conv });
  assert.equal(byAgent.code, 'forbidden');
  // Another customer's conversation, and a customer without an address.
  const other = await connectAs(node, customer(uid('o'), { email: `${uid('o')}@customer.test` }));
  assert.equal((await other.request({ type: 'transcript', conv })).code, 'forbidden');
  const noMail = await connectAs(node, customer());
  const own = await openConv(noMail, 'No address');
  const r = await noMail.request({ type: 'transcript', conv: own });
  assert.equal(r.code, 'no_email');
  assert.equal(r.retryable, false);
  await waitFor(queueEmpty, { timeout: 10000, what: 'the queue to drain' });
  assert.equal(mailsTo(email).length, 1);
  for (const c of [cust, ag, other, noMail]) c.close();
});

test('a node that dies with mail waiting loses none of it', async () => {
  const port = sink.port;
  await sink.stop();
  const c = await chat();
  await say(c.ag, c.conv, 'Fixed before the crash.');
  const x = await c.cust.request({ type: 'close', client_id: uid('x'), conv: c.conv });
  assert.equal(x.type, 'ack');
  await waitFor(() => Number(redis.cli('HLEN', '{m}:err')) >= 1, { timeout: 10000, what: 'a failed try' });
  c.cust.terminate();
  c.ag.terminate();
  await node.stop('SIGKILL');
  sink = await new Sink().start([], port);
  node = await new Chatd(redis, nodeArgs).start();
  await waitFor(() => mailsTo(c.email).length >= 1 && queueEmpty(),
    { timeout: 15000, what: 'the mail sent by the restarted node' });
  assert.deepEqual(mailsTo(c.email).map((m) => header(m, 'Message-ID')),
    [`<c.${c.conv}.t.${x.seq}@${DOMAIN}>`]);
});

// chatd mail-ingest with the node's settings.
const ingest = (mail) => runIngest(mail, { redisUrl: redis.url, replyKeys: REPLY_KEYS, domain: DOMAIN });

test('the whole loop: a reply to the transcript, quoting it, continues the conversation', async () => {
  const { cust, ag, conv, email } = await chat();
  await say(cust, conv, 'The checkout page shows a 502.');
  await say(ag, conv, 'Fixed: the upstream timeout was too short.');
  assert.equal((await cust.request({ type: 'close', client_id: uid('x'), conv })).type, 'ack');
  cust.close();
  await waitFor(() => mailsTo(email).length === 1, { timeout: 10000, what: 'the transcript' });
  const [sent] = mailsTo(email);
  assert.match(plainText(sent), /upstream timeout/);
  const reply = replyTo(sent, { from: email, messageId: `<${uid('reply')}@mail.customer.test>`,
    text: 'Thanks, that worked! One more question: is the fix permanent?' });
  const r = await ingest(reply);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended');
  assert.equal(r.json.conv, conv);
  const msg = await ag.wait((f) => f.type === 'event' && f.conv === conv && f.kind === 'message' && f.channel === 'email',
    { timeout: 10000, what: 'the email reply, live' });
  assert.equal(msg.text, 'Thanks, that worked! One more question: is the fix permanent?');
  assert.equal(msg.from.role, 'customer');
  assert.ok(ag.events(conv).some((e) => e.kind === 'reopened'), 'the closed conversation reopened');
  // The same mail again (an MTA retry): accepted, nothing more stored.
  const again = await ingest(reply);
  assert.equal(again.code, 0);
  assert.equal(again.json.outcome, 'duplicate');
  const seen = await ag.request({ type: 'history', conv });
  assert.equal(seen.events.filter((e) => e.kind === 'message' && e.channel === 'email').length, 1);
  // Closed again: a second transcript, with the reply in it, answerable too.
  assert.equal((await ag.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  await say(ag, conv, 'Yes, it is permanent.');
  const x2 = await ag.request({ type: 'close', client_id: uid('x'), conv });
  assert.equal(x2.type, 'ack');
  await waitFor(() => mailsTo(email).length === 2, { timeout: 10000, what: 'the second transcript' });
  const second = mailsTo(email)[1];
  assert.equal(header(second, 'Message-ID'), `<c.${conv}.t.${x2.seq}@${DOMAIN}>`);
  assert.match(plainText(second), /is the fix permanent\?/);
  assert.match(plainText(second), /Yes, it is permanent\./);
  ag.close();
});
