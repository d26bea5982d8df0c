// Redis down mid-conversation: requests get unavailable (retryable), never
// an ack; /readyz says 503; chatd stays up. When Redis is back, a retry
// with the same client_id is stored exactly once, watchers receive it
// without reconnecting, and what was stored before survived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useStack, Redis, Chatd, freePort, connectAs, customer, agent, openConv, watch, waitFor, uid, SINGLE_REDIS_ONLY,
} from './harness.mjs';

const env = useStack();

test('Redis stopped mid-conversation and started again', { skip: SINGLE_REDIS_ONLY }, async () => {
  const me = customer();
  const cust = await connectAs(env.node, me);
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'Redis goes away');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  for (let i = 3; i <= 6; i++) {
    const who = i % 2 ? cust : ag;
    const ack = await who.request({ type: 'send', client_id: uid('m'), conv, text: `before ${i}` });
    assert.equal(ack.seq, i);
  }
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 6);
  const before = (await cust.request({ type: 'history', conv, after: 0 })).events;
  assert.deepEqual(before.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);

  await env.redis.stop();
  await waitFor(async () => (await env.node.httpStatus('/readyz')) === 503, { what: '/readyz 503 while Redis is down' });
  assert.equal(await env.node.httpStatus('/healthz'), 200);
  assert.ok(env.node.alive());

  // While down: unavailable, retryable, never an ack.
  const cid = uid('retry-me');
  const down = await cust.request({ type: 'send', client_id: cid, conv, text: 'sent while Redis was down' });
  assert.equal(down.type, 'error', JSON.stringify(down));
  assert.equal(down.code, 'unavailable');
  assert.equal(down.retryable, true);
  const downAgent = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'agent while down' });
  assert.equal(downAgent.code, 'unavailable');
  assert.equal(downAgent.retryable, true);
  for (const [c, frame] of [
    [cust, { type: 'history', conv, after: 0 }],
    [cust, { type: 'list' }],
    [cust, { type: 'read', conv, seq: 6 }],
    [ag, { type: 'claim', client_id: uid('c'), conv }],
  ]) {
    const r = await c.request(frame);
    assert.equal(r.type, 'error', `${frame.type}: ${JSON.stringify(r)}`);
    assert.equal(r.code, 'unavailable', frame.type);
    assert.equal(r.retryable, true, frame.type);
  }
  // Connections stay up and answer what needs no Redis.
  await cust.ping();
  await ag.ping();
  assert.ok(env.node.alive());

  await env.redis.start();
  await waitFor(async () => (await env.node.httpStatus('/readyz')) === 200, { timeout: 10000, what: '/readyz 200 after Redis is back' });

  // The retry with the same client_id is stored once.
  const retry = await cust.request({ type: 'send', client_id: cid, conv, text: 'sent while Redis was down' });
  assert.equal(retry.type, 'ack', JSON.stringify(retry));
  assert.equal(retry.duplicate, false);
  assert.equal(retry.seq, 7);
  const again = await cust.request({ type: 'send', client_id: cid, conv, text: 'sent while Redis was down' });
  assert.equal(again.duplicate, true);
  assert.equal(again.seq, 7);
  assert.ok(!cust.frames.some((f) => f.id === down.id && f.type === 'ack'), 'the refused request was never acked');

  // The watching agent gets it live without reconnecting (the bus
  // resubscribed and refilled).
  const live = await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 7, { timeout: 10000, what: 'seq 7 live on the old agent connection' });
  assert.equal(live.client_id, cid);
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 7, { timeout: 10000 });
  const m8 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'after' });
  assert.equal(m8.seq, 8);
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 8, { timeout: 10000, what: 'seq 8 live on the old customer connection' });
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 8);
  await ag.ping();
  await cust.ping();
  assert.deepEqual(ag.seqs(conv), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(cust.seqs(conv), [1, 2, 3, 4, 5, 6, 7, 8]);

  // Exactly one stored copy; what came before survived.
  const hist = (await cust.request({ type: 'history', conv, after: 0 })).events;
  assert.deepEqual(hist.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(hist.slice(0, 6), before);
  assert.equal(hist.filter((e) => e.client_id === cid).length, 1);
  assert.ok(!hist.some((e) => e.text === 'agent while down'));
  const list = await cust.request({ type: 'list' });
  assert.equal(list.items[0].conv, conv);
  assert.equal(list.items[0].last_seq, 8);
  assert.equal(list.items[0].status, 'assigned');

  // Feeds work again too.
  const ag2 = await connectAs(env.node, agent());
  const other = await connectAs(env.node, customer());
  const c2 = await other.request({ type: 'open', client_id: uid('o'), details: { summary: 'after the outage' } });
  await ag.wait((f) => f.type === 'feed' && f.conv === c2.conv, { timeout: 10000, what: 'feed on the old agent connection' });
  await ag2.wait((f) => f.type === 'feed' && f.conv === c2.conv);
  // The customer's own feed (one pattern subscription per node) too: a
  // conversation opened in a new tab shows up on the old connection.
  const tab = await connectAs(env.node, me);
  const c3 = await openConv(tab, 'from a new tab after the outage');
  const opened = await cust.wait((f) => f.type === 'feed' && f.conv === c3, { timeout: 10000, what: 'user feed on the old customer connection' });
  assert.equal(opened.kind, 'opened');
  assert.ok(!other.frames.some((f) => f.type === 'feed' && f.conv === c3), "another customer's feed stays out");
  assert.ok(env.node.alive());
  for (const c of [cust, ag, ag2, other, tab]) c.close();
});

test('a longer outage: watchers still get live events afterwards without reconnecting', { skip: SINGLE_REDIS_ONLY }, async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'Redis goes away for a while');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 2);

  // Down long enough for several reconnect attempts (the store backs off
  // 50 ms, 100 ms, ... up to 2 s between them).
  const failures = () => (env.node.log.match(/redis: No such file or directory|redis: connect failed/g) || []).length;
  const failedBefore = failures();
  await env.redis.stop();
  await waitFor(async () => (await env.node.httpStatus('/readyz')) === 503, { what: '/readyz 503' });
  await waitFor(() => failures() >= failedBefore + 6, { timeout: 10000, interval: 50, what: 'six failed reconnect attempts' });
  const cid = uid('m');
  const down = await cust.request({ type: 'send', client_id: cid, conv, text: 'while down' });
  assert.equal(down.code, 'unavailable');
  await env.redis.start();
  await waitFor(async () => (await env.node.httpStatus('/readyz')) === 200, { timeout: 10000, what: '/readyz 200' });

  const retry = await cust.request({ type: 'send', client_id: cid, conv, text: 'while down' });
  assert.equal(retry.type, 'ack', JSON.stringify(retry));
  assert.equal(retry.seq, 3);
  const reply = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'agent after' });
  assert.equal(reply.seq, 4);
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 4, { timeout: 10000, what: 'seq 4 live on the old agent connection' });
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 4, { timeout: 10000, what: 'seq 4 live on the old customer connection' });
  assert.deepEqual(ag.seqs(conv), [1, 2, 3, 4]);
  assert.deepEqual(cust.seqs(conv), [1, 2, 3, 4]);
  // Nothing but the refused send was reported as an error.
  for (const c of [cust, ag]) {
    const errors = c.frames.filter((f) => f.type === 'error' && f.id !== down.id);
    assert.deepEqual(errors, []);
  }
  cust.close();
  ag.close();
});

test('a node started before its Redis (over TCP) sees the refused connects, then connects once Redis is up', async () => {
  const redis = new Redis({ port: await freePort() });
  const node = await new Chatd(redis).start({ ready: false });
  try {
    // The refusal arrives as a socket error after the non-blocking connect:
    // it must reach hiredis (a connect callback with an error), or the node
    // would never try again.
    await node.waitLog('redis: connect failed', { timeout: 5000 });
    assert.equal(await node.httpStatus('/readyz'), 503);
    await redis.start();
    await waitFor(async () => (await node.httpStatus('/readyz')) === 200, { timeout: 10000, what: 'ready once Redis is up' });
    const cust = await connectAs(node, customer());
    const conv = await openConv(cust, 'over TCP');
    assert.equal((await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'hello' })).seq, 2);
    cust.close();
  } finally {
    const r = await node.stop();
    assert.equal(r.code, 0);
    await redis.destroy();
  }
});

test('SIGTERM while Redis has never been reachable exits 0', async () => {
  const redis = new Redis({ port: await freePort() });
  const node = await new Chatd(redis).start({ ready: false });
  try {
    await node.waitLog('redis: connect failed', { timeout: 5000 });
  } finally {
    const r = await node.stop();
    assert.equal(r.code, 0);
    await redis.destroy();
  }
});
