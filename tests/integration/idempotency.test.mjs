// Exactly-once: a retried request (same client_id) is answered with the
// original ack and "duplicate": true and stores nothing new, also when
// both copies arrive back to back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, connectAs, customer, agent, openConv, watch, details, uid } from './harness.mjs';
import { convKey } from './keys.mjs';

const env = useStack();

async function claimed() {
  const me = customer();
  const cust = await connectAs(env.node, me);
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'Idempotency');
  await watch(ag, conv, 0);
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.type, 'ack');
  return { me, cust, ag, conv };
}

const byClientId = (events, cid) => events.filter((e) => e.client_id === cid);

test('the same send client_id twice stores one message; the retry gets duplicate:true with the same seq', async () => {
  const { cust, ag, conv } = await claimed();
  const cid = uid('send');
  const a1 = await cust.request({ type: 'send', client_id: cid, conv, text: 'first copy' });
  assert.equal(a1.type, 'ack');
  assert.equal(a1.duplicate, false);
  assert.equal(a1.seq, 3);
  // A different request under a used client_id is refused, not acked.
  const reused = await cust.request({ type: 'send', client_id: cid, conv, text: 'second copy, different text' });
  assert.equal(reused.type, 'error');
  assert.equal(reused.code, 'client_id_reused');
  assert.equal(reused.retryable, false);
  const a2 = await cust.request({ type: 'send', client_id: cid, conv, text: 'first copy' });
  assert.equal(a2.type, 'ack');
  assert.equal(a2.duplicate, true);
  assert.equal(a2.seq, a1.seq);
  assert.equal(a2.ts, a1.ts);
  assert.equal(a2.conv, conv);

  // The next message gets the next seq: the retry consumed none.
  const a3 = await cust.request({ type: 'send', client_id: uid('send'), conv, text: 'next' });
  assert.equal(a3.seq, 4);
  const hist = await cust.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1, 2, 3, 4]);
  const stored = byClientId(hist.events, cid);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].text, 'first copy');
  // Watchers got it once.
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 4);
  assert.equal(byClientId(ag.events(conv), cid).length, 1);
  cust.close();
  ag.close();
});

test('the same send client_id sent twice back to back stores one message', async () => {
  const { cust, ag, conv } = await claimed();
  for (const [who, tag] of [[cust, 'customer'], [ag, 'agent']]) {
    const cid = uid('race');
    const from = who.frames.length;
    who.send({ type: 'send', id: `${tag}-a`, client_id: cid, conv, text: `${tag} race` });
    who.send({ type: 'send', id: `${tag}-b`, client_id: cid, conv, text: `${tag} race` });
    const a = await who.wait((f) => f.id === `${tag}-a` && f.type !== 'event', { from });
    const b = await who.wait((f) => f.id === `${tag}-b` && f.type !== 'event', { from });
    assert.equal(a.type, 'ack', JSON.stringify(a));
    assert.equal(b.type, 'ack', JSON.stringify(b));
    assert.equal(a.seq, b.seq);
    assert.equal(a.ts, b.ts);
    assert.deepEqual([a.duplicate, b.duplicate].sort(), [false, true]);
    const hist = await who.request({ type: 'history', conv, after: 0 });
    assert.equal(byClientId(hist.events, cid).length, 1, `${tag}: one stored message`);
  }
  // Two sends on two connections of the same customer, back to back.
  const me2 = customer();
  const t1 = await connectAs(env.node, me2);
  const t2 = await connectAs(env.node, me2);
  const conv2 = (await t1.request({ type: 'open', client_id: uid('o'), details: details('two tabs') })).conv;
  const cid = uid('tabs');
  const [x, y] = await Promise.all([
    t1.request({ type: 'send', client_id: cid, conv: conv2, text: 'tab race' }),
    t2.request({ type: 'send', client_id: cid, conv: conv2, text: 'tab race' }),
  ]);
  assert.equal(x.seq, y.seq);
  assert.deepEqual([x.duplicate, y.duplicate].sort(), [false, true]);
  const hist = await t1.request({ type: 'history', conv: conv2, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1, 2]);
  for (const c of [cust, ag, t1, t2]) c.close();
});

test('the same client_id from two different senders is two messages', async () => {
  const { cust, ag, conv } = await claimed();
  const cid = uid('shared');
  const a = await cust.request({ type: 'send', client_id: cid, conv, text: 'from customer' });
  const b = await ag.request({ type: 'send', client_id: cid, conv, text: 'from agent' });
  assert.equal(a.duplicate, false);
  assert.equal(b.duplicate, false);
  assert.equal(b.seq, a.seq + 1);
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(byClientId(hist.events, cid).map((e) => e.text), ['from customer', 'from agent']);
  cust.close();
  ag.close();
});

test('the same open client_id twice yields the same conversation, once in list', async () => {
  const cust = await connectAs(env.node, customer());
  const cid = uid('open');
  const o1 = await cust.request({ type: 'open', client_id: cid, details: details('open once') });
  assert.equal(o1.type, 'ack');
  assert.equal(o1.duplicate, false);
  assert.equal(o1.seq, 1);
  const reused = await cust.request({ type: 'open', client_id: cid, details: details('open twice?') });
  assert.equal(reused.type, 'error');
  assert.equal(reused.code, 'client_id_reused');
  const o2 = await cust.request({ type: 'open', client_id: cid, details: details('open once') });
  assert.equal(o2.type, 'ack');
  assert.equal(o2.conv, o1.conv);
  assert.equal(o2.duplicate, true);
  assert.equal(o2.seq, 1);
  assert.equal(o2.ts, o1.ts);

  // Back to back as well.
  const cid2 = uid('open');
  const [p1, p2] = await Promise.all([
    cust.request({ type: 'open', client_id: cid2, details: details('race') }),
    cust.request({ type: 'open', client_id: cid2, details: details('race') }),
  ]);
  assert.equal(p1.conv, p2.conv);
  assert.notEqual(p1.conv, o1.conv);
  assert.deepEqual([p1.duplicate, p2.duplicate].sort(), [false, true]);

  const list = await cust.request({ type: 'list' });
  assert.deepEqual(list.items.map((i) => i.conv).sort(), [p1.conv, o1.conv].sort());
  assert.equal(list.items.find((i) => i.conv === o1.conv).summary, 'open once');
  const hist = await cust.request({ type: 'history', conv: o1.conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened']);
  assert.equal(hist.events[0].details.summary, 'open once');

  // Another customer using the same client_id opens a different conversation.
  const other = await connectAs(env.node, customer());
  const o3 = await other.request({ type: 'open', client_id: cid, details: details('someone else') });
  assert.equal(o3.type, 'ack');
  assert.equal(o3.duplicate, false);
  assert.notEqual(o3.conv, o1.conv);
  cust.close();
  other.close();
});

test('a retried claim returns the original ack; another agent gets already_assigned', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const ag2 = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'claim me');
  const cid = uid('claim');
  const c1 = await ag.request({ type: 'claim', client_id: cid, conv });
  assert.equal(c1.type, 'ack');
  assert.equal(c1.duplicate, false);
  assert.equal(c1.seq, 2);
  const c2 = await ag.request({ type: 'claim', client_id: cid, conv });
  assert.equal(c2.type, 'ack');
  assert.equal(c2.duplicate, true);
  assert.equal(c2.seq, c1.seq);
  assert.equal(c2.ts, c1.ts);
  // A retry with a fresh client_id (a client that lost it) is still the original claim.
  const c3 = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(c3.type, 'ack');
  assert.equal(c3.seq, c1.seq);
  assert.equal(c3.duplicate, true);

  const other = await ag2.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(other.type, 'error');
  assert.equal(other.code, 'already_assigned');
  assert.equal(other.retryable, false);
  // Even reusing the first agent's client_id.
  const other2 = await ag2.request({ type: 'claim', client_id: cid, conv });
  assert.equal(other2.code, 'already_assigned');
  const notMine = await ag2.request({ type: 'send', client_id: uid('m'), conv, text: 'hi' });
  assert.equal(notMine.code, 'not_assigned');

  const hist = await cust.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened', 'joined']);
  assert.equal(hist.events[1].from.id, ag.hello.user.id);
  const list = await ag.request({ type: 'list' });
  assert.deepEqual(list.items.map((i) => i.conv), [conv]);
  assert.equal(list.items[0].agent.id, ag.hello.user.id);
  assert.deepEqual((await ag2.request({ type: 'list' })).items, []);
  for (const c of [cust, ag, ag2]) c.close();
});

test('a retried close returns the original ack and stores one closed event', async () => {
  const { cust, ag, conv } = await claimed();
  const sent = { type: 'send', client_id: uid('m'), conv, text: 'before the close' };
  const m1 = await cust.request(sent);
  assert.equal(m1.type, 'ack');
  // Open conversations keep their idempotency records for 24 hours after
  // their last activity (the expiry is refreshed while they are active).
  const open = Number(env.redis.cli('TTL', convKey(conv, 'i')));
  assert.ok(open > 86000 && open <= 86400, `ttl ${open}`);
  const cid = uid('close');
  const x1 = await cust.request({ type: 'close', client_id: cid, conv, reason: 'fixed' });
  assert.equal(x1.type, 'ack');
  const x2 = await cust.request({ type: 'close', client_id: cid, conv, reason: 'fixed' });
  assert.equal(x2.type, 'ack');
  assert.equal(x2.duplicate, true);
  assert.equal(x2.seq, x1.seq);
  // A new close (new client_id) of a closed conversation is refused.
  const x3 = await ag.request({ type: 'close', client_id: uid('close'), conv });
  assert.equal(x3.code, 'conversation_closed');
  // A send retried after the close still gets its original ack; the
  // records live on for 24 hours after the close.
  const m2 = await cust.request(sent);
  assert.equal(m2.type, 'ack', JSON.stringify(m2));
  assert.equal(m2.duplicate, true);
  assert.equal(m2.seq, m1.seq);
  const ttl = Number(env.redis.cli('TTL', convKey(conv, 'i')));
  assert.ok(ttl > 86000 && ttl <= 86400, `ttl ${ttl}`);
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened', 'joined', 'message', 'closed']);
  cust.close();
  ag.close();
});
