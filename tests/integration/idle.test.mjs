// Conversations left waiting or idle are closed by the server with a
// reason; activity keeps them open; idempotency records of an active
// conversation expire; retention of closed conversations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, connectAs, customer, agent, openConv, watch, uid, waitFor } from './harness.mjs';
import { convKey } from './keys.mjs';

// waiting: 1 s, idle: 3 s, closed conversations kept 60 s.
const env = useStack(['--waiting-timeout', '1', '--idle-timeout', '3', '--retention', '60']);

const closedEvent = (c, conv) => c.wait((f) => f.type === 'event' && f.conv === conv && f.kind === 'closed',
  { timeout: 10000, what: `the close of ${conv}` });

test('a conversation nobody claims is closed by the server with a reason the customer sees', async () => {
  const cust = await connectAs(env.node, customer());
  const conv = await openConv(cust, 'nobody comes');
  await watch(cust, conv, 0);
  const ev = await closedEvent(cust, conv);
  assert.match(ev.reason, /closed by the server/);
  assert.equal(ev.from.id, 'chatd');
  const list = await cust.request({ type: 'list' });
  assert.equal(list.items.find((i) => i.conv === conv).status, 'closed');
  // The customer cannot write into it any more.
  const late = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'hello?' });
  assert.equal(late.code, 'conversation_closed');
  cust.close();
});

test('an assigned conversation with activity stays open; once idle past its time it is closed once', async () => {
  const cust = await connectAs(env.node, customer());
  const conv = await openConv(cust, 'kept busy');
  const ag = await connectAs(env.node, agent());
  await watch(ag, conv, 0);
  await watch(cust, conv, 0);
  assert.equal((await ag.request({ type: 'claim', client_id: uid('c'), conv })).type, 'ack');
  // Messages every 500 ms for 4 s (longer than the idle limit): still open.
  for (let i = 0; i < 8; i++) {
    const a = await cust.request({ type: 'send', client_id: uid('m'), conv, text: `still here ${i}` });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    await ag.wait((f) => f.type === 'event' && f.seq === a.seq);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(!ag.events(conv).some((e) => e.kind === 'closed'));
  const ev = await closedEvent(ag, conv);
  assert.match(ev.reason, /without activity/);
  await closedEvent(cust, conv);
  // Closed exactly once, even with sweeps running on.
  await ag.request({ type: 'ping' });
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.equal(hist.events.filter((e) => e.kind === 'closed').length, 1);
  cust.close();
  ag.close();
});

test('retention: the keys of a closed conversation expire; idempotency records expire while it is active', async () => {
  const cust = await connectAs(env.node, customer());
  const conv = await openConv(cust, 'short lived');
  const ag = await connectAs(env.node, agent());
  await ag.request({ type: 'claim', client_id: uid('c'), conv });
  const ttl = async (key) => Number(await env.redis.cli('TTL', key));
  // Active: the idempotency hash has a TTL (refreshed by activity), the rest none.
  await waitFor(async () => (await ttl(convKey(conv, 'i'))) > 0, { what: 'idempotency TTL' });
  assert.ok((await ttl(convKey(conv, 'i'))) <= 86400);
  assert.equal(await ttl(convKey(conv, 'm')), -1);
  await cust.request({ type: 'read', conv, seq: 2 });
  const closed = await cust.request({ type: 'close', client_id: uid('x'), conv });
  assert.equal(closed.type, 'ack');
  for (const part of ['m', 'e', 'r']) {
    const t = await ttl(convKey(conv, part));
    assert.ok(t > 0 && t <= 60, `${part}: ${t}`);
  }
  cust.close();
  ag.close();
});
