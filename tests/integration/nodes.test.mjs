// Two chatd nodes on one Redis: a customer on node A and an agent on node B
// talk as if on one node (events, feeds, typing, read, notes), and the
// customer can reconnect to the other node and resume.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, Chatd, connectAs, customer, agent, watch, details, uid } from './harness.mjs';

let redis, nodeA, nodeB;
before(async () => {
  redis = await startRedis();
  nodeA = await new Chatd(redis, ['--node', 'A']).start();
  nodeB = await new Chatd(redis, ['--node', 'B']).start();
});
after(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await redis?.destroy();
});

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const isEvent = (conv, seq) => (f) => f.type === 'event' && f.conv === conv && f.seq === seq;

test('customer on node A, agent on node B: one conversation across nodes, then the customer moves to node B', async () => {
  const me = customer();
  const cust = await connectAs(nodeA, me);
  const ag = await connectAs(nodeB, agent());
  const ag2 = await connectAs(nodeA, agent()); // another agent, on the customer's node

  const open = await cust.request({ type: 'open', client_id: uid('open'), details: details('across nodes') });
  assert.equal(open.type, 'ack');
  const conv = open.conv;
  const feed = await ag.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'opened', { what: 'feed on node B' });
  assert.equal(feed.customer.id, me.sub);
  assert.equal((await watch(cust, conv, 0)).seq, 1);
  assert.equal((await watch(ag, conv, 0)).seq, 1);
  assert.equal((await watch(ag2, conv, 0)).seq, 1);
  assert.equal(ag.events(conv)[0].details.summary, 'across nodes');

  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.seq, 2);
  await cust.wait(isEvent(conv, 2), { what: 'joined on node A' });
  const assigned = await cust.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'assigned', { what: 'feed assigned on node A' });
  assert.equal(assigned.agent.id, ag.hello.user.id);

  // Messages both ways, notes in between, sent without waiting for acks.
  const notes = new Set();
  const sends = [];
  for (let i = 0; i < 30; i++) {
    if (i % 7 === 6) sends.push(ag.request({ type: 'note', client_id: uid('n'), conv, text: `note ${i}` }).then((a) => { notes.add(a.seq); return a; }));
    else if (i % 2) sends.push(cust.request({ type: 'send', client_id: uid('c'), conv, text: `customer ${i}` }));
    else sends.push(ag.request({ type: 'send', client_id: uid('a'), conv, text: `agent ${i}` }));
  }
  const acks = await Promise.all(sends);
  assert.ok(acks.every((a) => a.type === 'ack'), JSON.stringify(acks.filter((a) => a.type !== 'ack')));
  const last = 32;
  assert.deepEqual(acks.map((a) => a.seq).sort((x, y) => x - y), range(3, last));
  const lastVisible = Math.max(...range(1, last).filter((s) => !notes.has(s)));
  await cust.wait(isEvent(conv, lastVisible), { what: `seq ${lastVisible} on node A` });
  await ag.wait(isEvent(conv, last), { what: `seq ${last} on node B` });
  await ag2.wait(isEvent(conv, last), { what: `seq ${last} on node A (agent)` });

  // Typing across nodes, both ways.
  cust.send({ type: 'typing', conv, typing: true });
  const t1 = await ag.wait((f) => f.type === 'typing' && f.conv === conv && f.from.id === me.sub, { what: 'customer typing on node B' });
  assert.equal(t1.typing, true);
  ag.send({ type: 'typing', conv, typing: true });
  const t2 = await cust.wait((f) => f.type === 'typing' && f.conv === conv && f.from.id === ag.hello.user.id, { what: 'agent typing on node A' });
  assert.equal(t2.from.role, 'agent');

  // Read positions across nodes, both ways.
  const r1 = await cust.request({ type: 'read', conv, seq: lastVisible });
  assert.equal(r1.type, 'ack');
  const read1 = await ag.wait((f) => f.type === 'read' && f.conv === conv && f.from.id === me.sub, { what: 'read on node B' });
  assert.equal(read1.seq, lastVisible);
  await ag.request({ type: 'read', conv, seq: last });
  const read2 = await cust.wait((f) => f.type === 'read' && f.conv === conv && f.from.id === ag.hello.user.id, { what: 'read on node A' });
  assert.equal(read2.seq, last);

  await cust.ping();
  assert.deepEqual(cust.seqs(conv), range(1, last).filter((s) => !notes.has(s)), 'customer: no gap, no duplicate, no note');
  assert.ok(!cust.events(conv).some((e) => e.kind === 'note'));
  assert.ok(!cust.frames.some((f) => JSON.stringify(f).includes('note ')), 'note text never reaches the customer');
  assert.ok(!cust.frames.some((f) => f.type === 'typing' && f.from.id === me.sub), 'own typing not echoed');
  assert.deepEqual(ag.seqs(conv), range(1, last), 'agent on B: everything once');
  assert.deepEqual(ag2.seqs(conv), range(1, last), 'agent on A: everything once');
  assert.equal(notes.size, 4);

  // The customer's connection to node A drops; it reconnects to node B
  // while the agent keeps writing, and resumes.
  const seen = cust.lastSeq(conv);
  await cust.terminate();
  const meanwhile = [];
  for (let i = 0; i < 6; i++) {
    const note = i === 2;
    const a = await ag.request({ type: note ? 'note' : 'send', client_id: uid('m'), conv, text: `meanwhile ${i}` });
    if (note) notes.add(a.seq);
    meanwhile.push(a.seq);
  }
  const custB = await connectAs(nodeB, me);
  const synced = await watch(custB, conv, seen);
  assert.equal(synced.type, 'synced');
  assert.equal(synced.seq, last + 6);
  const more = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'after the move' });
  await custB.wait(isEvent(conv, more.seq));
  const reply = await custB.request({ type: 'send', client_id: uid('c'), conv, text: 'from node B now' });
  await ag.wait(isEvent(conv, reply.seq));
  await ag2.wait(isEvent(conv, reply.seq));
  await custB.ping();
  const all = range(1, reply.seq).filter((s) => !notes.has(s));
  assert.deepEqual([...cust.seqs(conv), ...custB.seqs(conv)], all, 'union over both nodes: exactly once, in order');
  assert.deepEqual(ag.seqs(conv), range(1, reply.seq));
  assert.deepEqual(ag2.seqs(conv), range(1, reply.seq));
  for (const c of [custB, ag, ag2]) c.close();
});

test('feeds reach a second tab of the customer on the other node', async () => {
  const me = customer();
  const tabA = await connectAs(nodeA, me);
  const tabB = await connectAs(nodeB, me);
  const ag = await connectAs(nodeB, agent());
  const open = await tabA.request({ type: 'open', client_id: uid('open'), details: details('two tabs, two nodes') });
  await tabB.wait((f) => f.type === 'feed' && f.conv === open.conv && f.kind === 'opened', { what: 'opened on node B' });
  await ag.request({ type: 'claim', client_id: uid('claim'), conv: open.conv });
  await tabA.wait((f) => f.type === 'feed' && f.conv === open.conv && f.kind === 'assigned', { what: 'assigned on node A' });
  await tabB.wait((f) => f.type === 'feed' && f.conv === open.conv && f.kind === 'assigned', { what: 'assigned on node B' });
  await ag.request({ type: 'close', client_id: uid('close'), conv: open.conv });
  await tabA.wait((f) => f.type === 'feed' && f.conv === open.conv && f.kind === 'closed', { what: 'closed on node A' });
  // Each feed arrives once per connection.
  await tabA.ping();
  assert.deepEqual(tabA.frames.filter((f) => f.type === 'feed').map((f) => f.kind), ['opened', 'assigned', 'closed']);
  for (const c of [tabA, tabB, ag]) c.close();
});
