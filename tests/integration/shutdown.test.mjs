// SIGTERM with clients connected: every client gets close 1001 (reconnect
// elsewhere and resume) and chatd exits 0 promptly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, Client, Redis, Chatd, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';
import { convKey } from './keys.mjs';

const env = useStack();

test('SIGTERM closes every client with 1001 and chatd exits 0', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const idle = await Client.connect(env.node.url); // not authenticated yet
  const conv = await openConv(cust, 'shutting down');
  await watch(ag, conv, 0);
  await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  const m = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'still there?' });
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === m.seq);

  const t0 = Date.now();
  const exit = env.node.stop('SIGTERM', { timeout: 8000 });
  exit.catch(() => {}); // awaited below; failures before that must not go unhandled
  const closes = await Promise.all([cust, ag, idle].map((c) => c.waitClose({ timeout: 8000 })));
  const { code, signal } = await exit;
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 8000);
  assert.match(env.node.log, /signal 15: closing 3 connections/);
  assert.match(env.node.log, /stopped \(0 sessions, 0 redis replies pending\)/);
  assert.deepEqual(closes.map((c) => c.code), [1001, 1001, 1001]);

  // What was acked before the shutdown is stored.
  assert.equal(env.redis.cli('XLEN', convKey(conv, 'e')), '3');
});

test('SIGTERM while Redis does not answer: the drain gives up after its limit, closes in order and exits 0', async () => {
  const redis = await new Redis().start();
  const node = await new Chatd(redis, []).start();
  try {
    const cust = await connectAs(node, customer());
    const conv = await openConv(cust, 'redis stalls');
    await watch(cust, conv, 0);
    redis.proc.kill('SIGSTOP'); // Redis holds the connection but answers nothing
    cust.send({ type: 'send', id: 'stuck', client_id: uid('m'), conv, text: 'into the void' });
    await cust.ping(); // answered after the send was handed to Redis
    const t0 = Date.now();
    const exit = node.stop('SIGTERM', { timeout: 12000 });
    exit.catch(() => {});
    const { code, signal } = await exit;
    const took = Date.now() - t0;
    assert.equal(signal, null);
    assert.equal(code, 0);
    // It waited for the unanswered command, but not for ever.
    assert.ok(took >= 4500 && took < 12000, `took ${took} ms`);
    // The stuck send, and the outbox scans sent meanwhile.
    assert.match(node.log, /stopped \(\d+ sessions, [1-9]\d* redis replies pending\)/);
    assert.equal((await cust.waitClose()).code, 1001);
  } finally {
    redis.proc?.kill('SIGCONT');
    await node.stop();
    await redis.destroy();
  }
});
