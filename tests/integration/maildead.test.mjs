// chatd mail-dead, the operator's view of the mail that could not be sent,
// against a real Redis (or Redis Cluster), a real SMTP server
// (smtpsink.mjs) and a node that mails: a refused mail listed with its
// error and tries, then dropped; mail dead-lettered while the relay was
// away requeued once it is back and sent exactly once; a malformed entry
// id; Redis out of reach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { Chatd, CHATD, KEYS, ID_SECRET, startRedis, waitFor, freePort, uid, connectAs, customer, agent, openConv } from './harness.mjs';
import { Sink } from './smtpsink.mjs';

const DOMAIN = 'reply.chat.test';
const REPLY_KEYS = `1:${randomBytes(32).toString('hex')}`;
let redis, sink, node;

before(async () => {
  redis = await startRedis();
  sink = await new Sink().start();
  // One try: a mail that fails once is a dead letter.
  node = await new Chatd(redis, ['--smtp-url', `smtp://127.0.0.1:${sink.port}`,
    '--reply-domain', DOMAIN, '--reply-keys', REPLY_KEYS, '--mail-from', `chat@${DOMAIN}`,
    '--smtp-timeout-ms', '300', '--mail-retry-ms', '400', '--mail-retry-max-ms', '800',
    '--mail-tries', '1', '--outbox-scan-ms', '100', '--outbox-lease-ms', '1000']).start();
});

after(async () => {
  await node?.stop();
  await sink?.stop();
  await redis?.destroy();
});

// chatd mail-dead with the node's settings; resolves {code, out (the JSON
// lines), err}.
function mailDead(...args) {
  return new Promise((resolve, reject) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHAT_')));
    const p = spawn(CHATD, ['mail-dead', ...args, '--log-level', 'warn'], {
      env: { ...inherited, CHAT_JWT_KEYS: KEYS, CHAT_ID_SECRET: ID_SECRET, CHAT_REDIS: redis.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code) => {
      const san = err.search(/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
      if (san >= 0) reject(new Error(`mail-dead sanitizer report:\n${err.slice(san, san + 4000)}`));
      resolve({ code, out: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)), err });
    });
  });
}

async function list() {
  const r = await mailDead('list', '--limit', '1000');
  assert.equal(r.code, 0, r.err);
  const last = r.out.pop();
  assert.equal(last.count, r.out.length, 'the last line counts the letters listed');
  return r.out;
}
const letterOf = async (conv) => (await list()).find((l) => l.conv === conv);

const mailsTo = (addr) => sink.lines.map((l) => ({ ...l, data: Buffer.from(l.data, 'base64') }))
  .filter((l) => l.rcpts.includes(addr));
const messageId = (mail) => mail.data.toString('utf8').match(/^Message-ID: ?(\S+)/mi)?.[1];
const deadCount = () => Number(redis.cli('XLEN', '{m}:dead'));
const queueEmpty = () => redis.cli('XLEN', '{m}:q') === '0' && /^0\b/.test(redis.cli('XPENDING', '{m}:q', 'mailer'));

// A conversation with an agent on it, closed: its transcript is queued.
async function closedChat(email = `${uid('c')}@customer.test`) {
  const cust = await connectAs(node, customer(uid('cust'), { email }));
  const conv = await openConv(cust, `Refund ${uid('s')}`);
  const ag = await connectAs(node, agent());
  assert.equal((await ag.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  assert.equal((await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'Refunded.' })).type, 'ack');
  const x = await cust.request({ type: 'close', client_id: uid('x'), conv });
  assert.equal(x.type, 'ack');
  cust.close();
  ag.close();
  return { conv, email, closeSeq: x.seq };
}

test('a refused mail is listed with its error and tries, and drop deletes it', async () => {
  const started = Date.now();
  const { conv } = await closedChat(`refuse550-${uid('r')}@customer.test`);
  await waitFor(async () => Boolean(await letterOf(conv)), { timeout: 15000, what: 'the dead letter listed' });
  const letter = await letterOf(conv);
  assert.match(letter.entry, /^\d+-\d+$/);
  assert.equal(letter.kind, 'transcript');
  assert.equal(letter.tries, 1);
  assert.match(letter.error, /550/);
  assert.equal(letter.to, undefined, 'a transcript names no recipient: it goes to the conversation\'s');
  assert.ok(letter.queued_ms >= started - 1000 && letter.queued_ms <= Date.now(), `queued_ms ${letter.queued_ms}`);
  assert.match(letter.job, new RegExp(`^t\\.${conv}\\.`));

  const before = deadCount();
  const dropped = await mailDead('drop', letter.entry);
  assert.equal(dropped.code, 0, dropped.err);
  assert.deepEqual(dropped.out, [{ dropped: 1, unknown: [] }]);
  assert.equal(await letterOf(conv), undefined);
  assert.equal(deadCount(), before - 1);
  // Dropped twice (two operators at once): the second finds it gone.
  const again = await mailDead('drop', letter.entry);
  assert.equal(again.code, 0);
  assert.deepEqual(again.out, [{ dropped: 0, unknown: [letter.entry] }]);
  assert.match(again.err, new RegExp(`no dead letter ${letter.entry}`));
});

test('mail dead-lettered while the relay was away is requeued and sent exactly once', async () => {
  assert.equal((await mailDead('drop', '--all')).code, 0); // a clean slate
  const port = sink.port;
  await sink.stop();
  const chats = [await closedChat(), await closedChat()];
  await waitFor(async () => {
    const letters = await list();
    return chats.every((c) => letters.some((l) => l.conv === c.conv));
  }, { timeout: 15000, what: 'both dead-lettered' });
  const first = await letterOf(chats[0].conv);
  assert.equal(first.tries, 1);
  assert.ok(first.error, 'the error of the failed try');
  sink = await new Sink().start([], port);

  // One by its id, with an id that is not there: the known one goes.
  const one = await mailDead('requeue', first.entry, '1-1');
  assert.equal(one.code, 0, one.err);
  assert.deepEqual(one.out, [{ requeued: 1, unknown: ['1-1'] }]);
  assert.match(one.err, /no dead letter 1-1/);
  await waitFor(() => mailsTo(chats[0].email).length === 1 && queueEmpty(),
    { timeout: 15000, what: 'the requeued mail sent' });
  assert.equal(deadCount(), 1);

  // The rest.
  const all = await mailDead('requeue', '--all');
  assert.equal(all.code, 0, all.err);
  assert.deepEqual(all.out, [{ requeued: 1, unknown: [] }]);
  await waitFor(() => mailsTo(chats[1].email).length === 1 && queueEmpty() && deadCount() === 0,
    { timeout: 15000, what: 'the rest sent, no dead letters left' });
  for (const c of chats)
    assert.deepEqual(mailsTo(c.email).map(messageId), [`<c.${c.conv}.t.${c.closeSeq}@${DOMAIN}>`], 'exactly once');
  assert.deepEqual(await list(), []);
});

test('a malformed entry id changes nothing and exits 65', async () => {
  const { conv } = await closedChat(`refuse550-${uid('r')}@customer.test`);
  await waitFor(async () => Boolean(await letterOf(conv)), { timeout: 15000, what: 'the dead letter listed' });
  const { entry } = await letterOf(conv);
  for (const op of ['requeue', 'drop']) {
    const r = await mailDead(op, entry, 'nope');
    assert.equal(r.code, 65);
    assert.match(r.err, /malformed entry id 'nope'/);
    assert.deepEqual(r.out, []);
  }
  assert.equal((await letterOf(conv))?.entry, entry, 'still there');
  const usage = await mailDead('requeue');
  assert.equal(usage.code, 64, 'requeue wants ids or --all');
});

test('Redis out of reach: exit 75 once the wait is over', async () => {
  const t0 = Date.now();
  const r = await mailDead('list', '--wait-ms', '300', '--redis', `redis://127.0.0.1:${await freePort()}`);
  assert.equal(r.code, 75, r.err);
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  assert.match(r.err, /not reached within 300 ms/);
});
