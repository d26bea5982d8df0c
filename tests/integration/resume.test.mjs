// Resume: a cut connection reconnects and resumes with the last seq it saw
// and gets every event exactly once, in order (customers skip notes);
// replay runs in pages; other tabs get feed frames; resuming twice on one
// connection does not duplicate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, Chatd, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';

const PAGE = 5;
let redis, node;
before(async () => {
  redis = await startRedis();
  node = await new Chatd(redis, ['--page', String(PAGE)]).start();
});
after(async () => {
  await node?.stop();
  await redis?.destroy();
});

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const isEvent = (conv, seq) => (f) => f.type === 'event' && f.conv === conv && f.seq === seq;

// A customer with an open conversation that an agent has claimed (seq 2).
async function claimedConv() {
  const me = customer();
  const cust = await connectAs(node, me);
  const ag = await connectAs(node, agent());
  const conv = await openConv(cust, 'Resume me');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.type, 'ack');
  assert.equal(claim.seq, 2);
  return { me, cust, ag, conv };
}

// The agent sends n events (notes where isNote(i)), one at a time; returns
// their acks. Records note seqs in notes.
async function agentSends(ag, conv, n, notes, isNote, tag) {
  const acks = [];
  for (let i = 0; i < n; i++) {
    const note = isNote(i);
    const ack = await ag.request({ type: note ? 'note' : 'send', client_id: uid('m'), conv, text: `${tag} ${i}${note ? ' (note)' : ''}` });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    if (note) notes.add(ack.seq);
    acks.push(ack);
  }
  return acks;
}

test('a customer cut mid-stream resumes with its last seq: every event exactly once, in order, notes skipped', async () => {
  const { me, cust, ag, conv } = await claimedConv();
  const notes = new Set();
  const isNote = (i) => i % 5 === 3 || i % 7 === 0;

  // Phase A: the agent is sending while the customer's connection is cut.
  const phaseA = agentSends(ag, conv, 20, notes, isNote, 'A');
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq >= 10, { what: 'seq >= 10 on the first connection' });
  const cut = await cust.terminate();
  assert.equal(cut.code, 1006);
  await phaseA;
  const seen = cust.lastSeq(conv);
  assert.ok(seen >= 10, `first connection saw up to ${seen}`);

  // Phase B: more while nobody is connected.
  await agentSends(ag, conv, 12, notes, isNote, 'B');

  // Reconnect and resume; phase C is sent at once, racing the replay.
  const cust2 = await connectAs(node, me);
  const from = cust2.frames.length;
  cust2.send({ type: 'resume', id: 'again', convs: [{ conv, after: seen }] });
  const phaseC = [];
  for (let i = 0; i < 15; i++) {
    const note = i === 4 || i === 5;
    phaseC.push(ag.request({ type: note ? 'note' : 'send', client_id: uid('c'), conv, text: `C ${i}` })
      .then((ack) => { assert.equal(ack.type, 'ack'); if (note) notes.add(ack.seq); return ack; }));
  }
  const last = Math.max(...(await Promise.all(phaseC)).map((a) => a.seq));
  assert.ok(!notes.has(last), 'the last event is a message');
  const synced = await cust2.wait((f) => f.type === 'synced' && f.id === 'again', { from, what: 'synced' });
  assert.equal(synced.conv, conv);
  assert.ok(synced.seq >= seen && synced.seq <= last, `synced at ${synced.seq}`);
  await cust2.wait(isEvent(conv, last), { what: `seq ${last} on the second connection` });
  await cust2.ping();

  const expected = range(1, last).filter((s) => !notes.has(s));
  assert.ok(notes.size >= 8, 'notes were interleaved');
  assert.ok(seen < last - 20, `the cut was mid-stream (saw ${seen} of ${last})`);
  assert.deepEqual([...cust.seqs(conv), ...cust2.seqs(conv)], expected);
  for (const c of [cust, cust2]) {
    assert.ok(!c.events(conv).some((e) => e.kind === 'note'), 'customer never sees a note');
    assert.ok(!c.frames.some((f) => JSON.stringify(f).includes('(note)')), 'note text never reaches a customer');
  }
  // Everything after synced streamed live, in order, with no duplicate.
  const afterSynced = cust2.frames.slice(cust2.frames.indexOf(synced) + 1).filter((f) => f.type === 'event').map((f) => f.seq);
  assert.deepEqual(afterSynced, expected.filter((s) => s > synced.seq));
  // The agent saw all of it, notes included.
  await ag.wait(isEvent(conv, last));
  assert.deepEqual(ag.seqs(conv), range(1, last));
  cust2.close();
  ag.close();
});

test('a customer whose last seen seq is followed by notes resumes across them', async () => {
  const { me, cust, ag, conv } = await claimedConv();
  const m3 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'visible 3' });
  await cust.wait(isEvent(conv, m3.seq));
  await cust.terminate();
  const n4 = await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'secret 4' });
  const n5 = await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'secret 5' });
  assert.deepEqual([m3.seq, n4.seq, n5.seq], [3, 4, 5]);

  // Nothing visible after 3 yet: synced reports 5 (notes counted as seen).
  const cust2 = await connectAs(node, me);
  const synced = await watch(cust2, conv, 3);
  assert.equal(synced.type, 'synced');
  assert.equal(synced.seq, 5);
  assert.deepEqual(cust2.seqs(conv), []);
  const m6 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'visible 6' });
  assert.equal(m6.seq, 6);
  await cust2.wait(isEvent(conv, 6));
  await cust2.ping();
  assert.deepEqual(cust2.seqs(conv), [6]);

  // Resuming from a note's seq (a client that was told it) works too.
  const cust3 = await connectAs(node, me);
  assert.equal((await watch(cust3, conv, 4)).seq, 6);
  assert.deepEqual(cust3.seqs(conv), [6]);
  for (const c of [cust2, cust3]) c.close();
  ag.close();
});

test(`resume after:0 replays the whole conversation in order across pages of ${PAGE}`, async () => {
  const { me, cust, ag, conv } = await claimedConv();
  const notes = new Set();
  for (let i = 3; i <= 23; i++) {
    let ack;
    if (i % 6 === 0) {
      ack = await ag.request({ type: 'note', client_id: uid('n'), conv, text: `note ${i}` });
      notes.add(ack.seq);
    } else {
      const who = i % 2 ? cust : ag;
      ack = await who.request({ type: 'send', client_id: uid('m'), conv, text: `message ${i}` });
    }
    assert.equal(ack.seq, i);
  }
  await cust.wait(isEvent(conv, 23));

  const ag2 = await connectAs(node, agent());
  const from = ag2.frames.length;
  const synced = await watch(ag2, conv, 0);
  assert.equal(synced.type, 'synced');
  assert.equal(synced.seq, 23);
  // synced comes after the last replayed event (frames about other things,
  // such as another agent's presence, may come between)
  assert.deepEqual(ag2.frames.slice(from).filter((f) => f.conv === conv)
    .map((f) => (f.type === 'event' ? f.seq : f.type)), [...range(1, 23), 'synced']);
  const hist = await ag2.request({ type: 'history', conv, after: 0, limit: 200 });
  assert.deepEqual(ag2.events(conv), hist.events);
  assert.equal(hist.more, false);

  const tab = await connectAs(node, me);
  assert.equal((await watch(tab, conv, 0)).seq, 23);
  assert.deepEqual(tab.seqs(conv), range(1, 23).filter((s) => !notes.has(s)));
  assert.deepEqual(tab.events(conv), cust.events(conv));

  // From the middle of a page.
  const tab2 = await connectAs(node, me);
  assert.equal((await watch(tab2, conv, 7)).seq, 23);
  assert.deepEqual(tab2.seqs(conv), range(8, 23).filter((s) => !notes.has(s)));

  // Live events follow the replay, once.
  const m24 = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'live 24' });
  assert.equal(m24.seq, 24);
  for (const c of [ag2, tab, tab2]) {
    await c.wait(isEvent(conv, 24));
    await c.ping();
    assert.equal(c.events(conv).filter((e) => e.seq === 24).length, 1);
  }
  for (const c of [cust, ag, ag2, tab, tab2]) c.close();
});

test('a second tab of the customer gets feed frames for conversations opened, assigned and closed elsewhere', async () => {
  const me = customer();
  const tab1 = await connectAs(node, me);
  const tab2 = await connectAs(node, me);
  const other = await connectAs(node, customer());
  const ag = await connectAs(node, agent());

  const open = await tab1.request({ type: 'open', client_id: uid('open'), details: { summary: 'Opened in tab 1' } });
  assert.equal(open.type, 'ack');
  const conv = open.conv;
  const opened = await tab2.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'opened', { what: 'feed opened' });
  assert.equal(opened.status, 'waiting');
  assert.equal(opened.summary, 'Opened in tab 1');
  assert.equal(opened.customer.id, me.sub);
  assert.equal(opened.seq, 1);
  await ag.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'opened', { what: 'agents feed opened' });

  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.type, 'ack');
  const assigned = await tab2.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'assigned', { what: 'feed assigned' });
  assert.equal(assigned.status, 'assigned');
  assert.equal(assigned.agent.id, ag.hello.user.id);
  assert.equal(assigned.seq, claim.seq);

  const close = await tab1.request({ type: 'close', client_id: uid('close'), conv, reason: 'done' });
  assert.equal(close.type, 'ack');
  const closed = await tab2.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'closed', { what: 'feed closed' });
  assert.equal(closed.status, 'closed');
  assert.equal(closed.seq, close.seq);
  await ag.wait((f) => f.type === 'feed' && f.conv === conv && f.kind === 'closed', { what: 'agents feed closed' });

  // tab2 watched nothing: it got the feed, not the events. Another
  // customer got neither.
  await tab2.ping();
  await other.ping();
  assert.deepEqual(tab2.events(conv), []);
  assert.deepEqual(tab2.frames.filter((f) => f.type === 'feed' && f.conv === conv).map((f) => f.kind), ['opened', 'assigned', 'closed']);
  assert.ok(!other.frames.some((f) => f.conv === conv), 'another customer hears nothing of it');
  for (const c of [tab1, tab2, other, ag]) c.close();
});

test('resuming the same conversation twice on one connection does not duplicate', async () => {
  const { me, cust, ag, conv } = await claimedConv();
  for (let i = 3; i <= 12; i++) await ag.request({ type: 'send', client_id: uid('m'), conv, text: `m ${i}` });

  const c = await connectAs(node, me);
  // The same conversation twice in one frame.
  const s1 = await (() => {
    const from = c.frames.length;
    c.send({ type: 'resume', id: 'twice-in-one', convs: [{ conv, after: 0 }, { conv, after: 0 }] });
    return c.wait((f) => f.id === 'twice-in-one' && (f.type === 'synced' || f.type === 'error'), { from });
  })();
  assert.equal(s1.type, 'synced');
  assert.equal(s1.seq, 12);
  assert.deepEqual(c.seqs(conv), range(1, 12));

  // Resumed again once live, from where it is: nothing replayed again.
  const s2 = await watch(c, conv, 12);
  assert.equal(s2.type, 'synced');
  assert.equal(s2.seq, 12);
  assert.deepEqual(c.seqs(conv), range(1, 12));

  // Live events arrive once, not once per resume.
  const m13 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'm 13' });
  await c.wait(isEvent(conv, m13.seq));
  await c.ping();
  assert.deepEqual(c.seqs(conv), range(1, 13));

  // Two resume frames back to back, before either is answered.
  const d = await connectAs(node, me);
  const from = d.frames.length;
  d.send({ type: 'resume', id: 'first', convs: [{ conv, after: 0 }] });
  d.send({ type: 'resume', id: 'second', convs: [{ conv, after: 0 }] });
  const second = await d.wait((f) => f.id === 'second' && f.type === 'synced', { from, what: 'synced second' });
  assert.equal(second.seq, 13);
  const m14 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'm 14' });
  await d.wait(isEvent(conv, m14.seq));
  await d.ping();
  assert.deepEqual(d.seqs(conv), range(1, 14));
  for (const x of [cust, ag, c, d]) x.close();
});

test('each of two resume requests for the same conversation is answered', async () => {
  const { me, cust, ag, conv } = await claimedConv();
  const d = await connectAs(node, me);
  const from = d.frames.length;
  d.send({ type: 'resume', id: 'first', convs: [{ conv, after: 0 }] });
  d.send({ type: 'resume', id: 'second', convs: [{ conv, after: 0 }] });
  await d.wait((f) => f.id === 'second' && f.type === 'synced', { from, what: 'synced second' });
  const first = await d.wait((f) => f.id === 'first' && (f.type === 'synced' || f.type === 'error'),
    { from, timeout: 2000, what: 'an answer to the first resume' });
  assert.equal(first.type, 'synced');
  assert.equal(first.conv, conv);
  assert.deepEqual(d.seqs(conv), [1, 2]);
  for (const x of [cust, ag, d]) x.close();
});
