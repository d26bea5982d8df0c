// A client that stops reading while a lot is sent to it is closed as a
// slow consumer (--out-queue frames queued), the server stays up, and the
// client gets everything exactly once by reconnecting and resuming.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, Chatd, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';

// node: --out-queue 16 with the default --page (100). paged: the same with
// --page 5, so that a replay page fits in the queue.
let redis, node, paged;
before(async () => {
  redis = await startRedis();
  node = await new Chatd(redis, ['--out-queue', '16', '--rate', '100000', '--burst', '100000']).start();
  paged = await new Chatd(redis, ['--out-queue', '16', '--page', '5', '--rate', '100000', '--burst', '100000']).start();
});
after(async () => {
  await node?.stop();
  await paged?.stop();
  await redis?.destroy();
});

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const TEXT = 15 * 1024;
const MAX_MESSAGES = 2000;

test('with --out-queue 16 (default --page) a resume completes', async () => {
  const cust = await connectAs(node, customer());
  const ag = await connectAs(node, agent());
  const open = await cust.request({ type: 'open', client_id: uid('open'), details: { summary: 'one event' } });
  assert.equal(open.type, 'ack');
  for (const c of [cust, ag]) {
    const r = await watch(c, open.conv, 0);
    assert.equal(r.type, 'synced');
    assert.equal(r.seq, 1);
    assert.deepEqual(c.seqs(open.conv), [1]);
  }
  cust.close();
  ag.close();
});

test('a client that stops reading is closed as a slow consumer; it resumes and gets everything once', async (t) => {
  const node = paged;
  const me = customer();
  const cust = await connectAs(node, me);
  const ag = await connectAs(node, agent());
  const conv = await openConv(cust, 'I read slowly');
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.seq, 2);
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 2);

  cust.ws._socket.pause();
  const slow = 'closing a slow consumer';
  let last = 2;
  for (let sent = 0; sent < MAX_MESSAGES && !node.log.includes(slow); sent += 8) {
    const acks = await Promise.all(range(1, 8).map((i) => ag.request({ type: 'send', client_id: uid('m'), conv,
      text: `${sent + i} `.padEnd(TEXT, 'x') })));
    for (const a of acks) {
      assert.equal(a.type, 'ack', JSON.stringify(a));
      last = Math.max(last, a.seq);
    }
  }
  await node.waitLog(slow);
  // A few more while the client is gone.
  for (let i = 0; i < 5; i++) last = (await ag.request({ type: 'send', client_id: uid('m'), conv, text: `after the close ${i}` })).seq;

  // Reading again, the client finds its connection closed: 4008 if the close
  // frame made it through the stuffed socket, else an abnormal 1006.
  cust.ws._socket.resume();
  const { code } = await cust.waitClose({ timeout: 15000 });
  assert.ok(code === 4008 || code === 1006, `closed with ${code}`);
  assert.ok(node.alive(), 'the server is still up');
  await ag.ping();
  assert.equal(await node.httpStatus('/readyz'), 200);

  const seen = cust.lastSeq(conv);
  t.diagnostic(`closed with ${code} after ${last} events; the slow client had received ${seen}`);
  assert.ok(seen < last, `the slow client missed something (saw ${seen} of ${last})`);
  assert.deepEqual(cust.seqs(conv), range(1, seen), 'what it did get was in order, without gaps');

  const cust2 = await connectAs(node, me);
  const synced = await watch(cust2, conv, seen);
  assert.equal(synced.type, 'synced', JSON.stringify(synced));
  assert.equal(synced.seq, last);
  await cust2.wait((f) => f.type === 'event' && f.conv === conv && f.seq === last, { timeout: 10000 });
  const next = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'live again' });
  await cust2.wait((f) => f.type === 'event' && f.conv === conv && f.seq === next.seq);
  await cust2.ping();
  assert.deepEqual([...cust.seqs(conv), ...cust2.seqs(conv)], range(1, next.seq), 'everything exactly once');
  const texts = cust2.events(conv).filter((e) => e.kind === 'message').map((e) => e.text.length);
  assert.ok(texts.slice(0, -6).every((n) => n === TEXT), 'the replayed messages are whole');
  cust2.close();
  ag.close();
});
