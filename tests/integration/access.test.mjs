// Access control: customers see only their own conversations and only
// what customers may see; agents must claim before sending; typing goes to
// the right audience.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useStack, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';

const env = useStack();

const unknownConv = () => randomBytes(16).toString('base64url');

function assertError(r, code, what) {
  assert.equal(r.type, 'error', `${what}: ${JSON.stringify(r)}`);
  assert.equal(r.code, code, `${what}: ${JSON.stringify(r)}`);
  assert.equal(r.retryable, false, what);
}

test("customer B can do nothing with customer A's conversation and hears none of it", async () => {
  const a = await connectAs(env.node, customer());
  const b = await connectAs(env.node, customer()); // same org and site as A
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(a, "A's problem");
  await watch(ag, conv, 0);
  await ag.request({ type: 'claim', client_id: uid('claim'), conv });

  const resume = await watch(b, conv, 0);
  assertError(resume, 'forbidden', 'resume');
  assert.equal(resume.conv, conv);
  assertError(await b.request({ type: 'history', conv, after: 0 }), 'forbidden', 'history');
  assertError(await b.request({ type: 'send', client_id: uid('m'), conv, text: 'hijack' }), 'forbidden', 'send');
  assertError(await b.request({ type: 'close', client_id: uid('x'), conv }), 'forbidden', 'close');
  assertError(await b.request({ type: 'read', conv, seq: 1 }), 'forbidden', 'read');
  assertError(await b.request({ type: 'typing', conv, typing: true }), 'forbidden', 'typing');
  // A resume naming both: A's is refused, B's own goes on.
  const mine = await openConv(b, "B's own");
  const from = b.frames.length;
  b.send({ type: 'resume', id: 'both', convs: [{ conv, after: 0 }, { conv: mine, after: 0 }] });
  const refused = await b.wait((f) => f.id === 'both' && f.type === 'error', { from });
  assert.equal(refused.conv, conv);
  assert.equal(refused.code, 'forbidden');
  const ok = await b.wait((f) => f.id === 'both' && f.type === 'synced', { from });
  assert.equal(ok.conv, mine);

  // Nothing B tried was applied, and B hears nothing of A's conversation.
  const m = await a.request({ type: 'send', client_id: uid('m'), conv, text: 'secret of A' });
  assert.equal(m.seq, 3);
  await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'reply to A' });
  await ag.request({ type: 'read', conv, seq: 4 });
  ag.send({ type: 'typing', conv, typing: true });
  await a.wait((f) => f.type === 'typing' && f.conv === conv);
  await a.wait((f) => f.type === 'read' && f.conv === conv);
  const closed = await a.request({ type: 'close', client_id: uid('x'), conv });
  assert.equal(closed.seq, 5);
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 5);
  await b.ping();
  const leaked = b.frames.filter((f) => f.conv === conv && !(f.type === 'error' && f.code === 'forbidden'));
  assert.deepEqual(leaked, []);
  assert.ok(!b.frames.some((f) => JSON.stringify(f).includes('secret of A')));
  const hist = await a.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened', 'joined', 'message', 'message', 'closed']);
  assert.ok(!hist.events.some((e) => e.from.id === b.hello.user.id));
  const bList = await b.request({ type: 'list' });
  assert.deepEqual(bList.items.map((i) => i.conv), [mine]);
  for (const c of [a, b, ag]) c.close();
});

test('customers cannot note, claim or list scope open', async () => {
  const cust = await connectAs(env.node, customer());
  const conv = await openConv(cust, 'customer limits');
  assertError(await cust.request({ type: 'note', client_id: uid('n'), conv, text: 'a note' }), 'forbidden', 'note');
  assertError(await cust.request({ type: 'claim', client_id: uid('c'), conv }), 'forbidden', 'claim');
  assertError(await cust.request({ type: 'list', scope: 'open' }), 'forbidden', 'list open');
  const hist = await cust.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened']);
  const list = await cust.request({ type: 'list', scope: 'mine' });
  assert.equal(list.items[0].status, 'waiting');
  assert.equal(list.items[0].agent, null);
  cust.close();
});

test('an agent must claim before sending: not_assigned', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'unclaimed');
  await watch(ag, conv, 0);
  assertError(await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'too early' }), 'not_assigned', 'send before claim');
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1]);
  const claim = await ag.request({ type: 'claim', client_id: uid('c'), conv });
  assert.equal(claim.seq, 2);
  const m = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'now' });
  assert.equal(m.type, 'ack');
  assert.equal(m.seq, 3);
  cust.close();
  ag.close();
});

test('an unknown well-formed conversation id is not_found', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  for (const c of [cust, ag]) {
    const conv = unknownConv();
    const w = await watch(c, conv, 0);
    assertError(w, 'not_found', 'resume');
    assert.equal(w.conv, conv);
    assertError(await c.request({ type: 'history', conv, after: 0 }), 'not_found', 'history');
    assertError(await c.request({ type: 'send', client_id: uid('m'), conv, text: 'x' }), 'not_found', 'send');
    assertError(await c.request({ type: 'close', client_id: uid('x'), conv }), 'not_found', 'close');
    assertError(await c.request({ type: 'read', conv, seq: 1 }), 'not_found', 'read');
  }
  const conv = unknownConv();
  assertError(await ag.request({ type: 'claim', client_id: uid('c'), conv }), 'not_found', 'claim');
  assertError(await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'x' }), 'not_found', 'note');
  // Nothing was created by those attempts.
  assertError(await ag.request({ type: 'history', conv, after: 0 }), 'not_found', 'history after claim');
  const open = await ag.request({ type: 'list', scope: 'open' });
  assert.ok(!open.items.some((i) => i.conv === conv));
  cust.close();
  ag.close();
});

test("a customer's typing reaches agents only; an agent's typing reaches the customer", async () => {
  const me = customer();
  const cust = await connectAs(env.node, me);
  const tab = await connectAs(env.node, me);
  const ag = await connectAs(env.node, agent());
  const ag2 = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'typing');
  for (const c of [tab, ag, ag2]) assert.equal((await watch(c, conv, 0)).type, 'synced');
  await ag.request({ type: 'claim', client_id: uid('c'), conv });

  cust.send({ type: 'typing', conv, typing: true });
  for (const c of [ag, ag2]) {
    const t = await c.wait((f) => f.type === 'typing' && f.conv === conv, { what: 'customer typing' });
    assert.equal(t.typing, true);
    assert.equal(t.from.id, me.sub);
    assert.equal(t.from.role, 'customer');
  }
  // Delivered on the same bus message: the customer's tabs have had their
  // chance; a ping round trip makes sure nothing is still queued.
  await tab.ping();
  await cust.ping();
  assert.deepEqual(tab.frames.filter((f) => f.type === 'typing'), []);
  assert.deepEqual(cust.frames.filter((f) => f.type === 'typing'), []);

  ag.send({ type: 'typing', conv, typing: false, id: 'ty1' });
  for (const c of [cust, tab, ag2]) {
    const t = await c.wait((f) => f.type === 'typing' && f.conv === conv && f.from.id === ag.hello.user.id, { what: 'agent typing' });
    assert.equal(t.typing, false);
    assert.equal(t.from.role, 'agent');
  }
  await ag.ping();
  assert.deepEqual(ag.frames.filter((f) => f.type === 'typing' && f.from.id === ag.hello.user.id), [], 'not echoed to the sender');
  assert.ok(!ag.frames.some((f) => f.id === 'ty1'), 'typing is never acked');
  // Typing is never stored.
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.kind), ['opened', 'joined']);
  for (const c of [cust, tab, ag, ag2]) c.close();
});
