// The SUBSCRIBE connection goes half-open (a proxy between chatd and Redis
// stops forwarding it both ways and keeps the sockets open): sends are
// still acked over the command connection, so only a liveness check on
// the subscriber connection can notice. chatd drops it within its
// deadline, reconnects, resubscribes, and the watcher gets every message
// exactly once, in order, without reconnecting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Redis, Chatd, CHATD, KEYS, ID_SECRET, connectAs, customer, agent, openConv, watch, waitFor, uid } from './harness.mjs';
import { RedisProxy } from './redisproxy.mjs';

let redis, proxy, node;
before(async () => {
  redis = await new Redis().start();
  proxy = await new RedisProxy(redis.sock).start();
  node = await new Chatd({ url: proxy.url }).start();
});
after(async () => {
  await node?.stop();
  await proxy?.stop();
  await redis?.destroy();
});

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const isEvent = (conv, seq) => (f) => f.type === 'event' && f.conv === conv && f.seq === seq;

test('a half-open subscriber connection is dropped and replaced; the watcher misses nothing', async () => {
  const cust = await connectAs(node, customer());
  const ag = await connectAs(node, agent());
  const conv = await openConv(cust, 'the bus goes half-open');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const first = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'before' });
  await ag.wait(isEvent(conv, first.seq), { what: 'a live event before the freeze' });

  assert.equal(proxy.freezeSubscribers(), 1, 'one subscriber connection');
  const acks = [];
  for (let i = 0; i < 5; i++) {
    const ack = await cust.request({ type: 'send', client_id: uid('m'), conv, text: `frozen ${i}` });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    acks.push(ack.seq);
  }
  const last = acks[acks.length - 1];
  // The default deadline is 3 s, probed every second: well inside this.
  await ag.wait(isEvent(conv, last), { timeout: 8000, what: `seq ${last} on the watcher after the freeze` });
  await node.waitLog(/bus: no answer for \d+ ms/);
  assert.ok(proxy.subscribers().length >= 2, 'chatd reconnected through the proxy');

  const after1 = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'after' });
  await ag.wait(isEvent(conv, after1.seq), { what: 'a live event after the reconnect' });
  await ag.ping();
  assert.deepEqual(ag.seqs(conv), range(1, after1.seq));
  assert.ok(node.alive());
  cust.close();
  ag.close();
});

test('a healthy subscriber connection is kept: no reconnect while idle', async () => {
  const links = proxy.subscribers().length;
  const warned = (node.log.match(/bus: no answer/g) || []).length;
  // Longer than the deadline: a probe that got no answer would show.
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal(proxy.subscribers().length, links);
  assert.equal((node.log.match(/bus: no answer/g) || []).length, warned);
});

test('bus timing settings are validated', () => {
  const run = (...args) => spawnSync(CHATD, ['serve', '--port', '0', ...args],
    { env: { ...process.env, CHAT_JWT_KEYS: KEYS, CHAT_ID_SECRET: ID_SECRET }, encoding: 'utf8', timeout: 5000 });
  const bad = run('--bus-ping-ms', '2000', '--bus-deadline-ms', '1000');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /bus-deadline-ms .*longer than --bus-ping-ms/);
  const zero = run('--bus-ping-ms', '0');
  assert.notEqual(zero.status, 0);
  assert.match(zero.stderr, /invalid bus-ping-ms '0'/);
});
