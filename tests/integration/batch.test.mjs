// Batching: the messages and notes that reach the node in one loop round
// travel to Redis in one step per shard (cmd/batch.c, append_batch.lua),
// each answered on its own. These tests send many at once to
// conversations of one shard and check every answer, the stored order,
// and that one refused message leaves the others alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { useStack, connectAs, customer, agent, details, uid, watch, waitFor } from './harness.mjs';
import { convKey, shardOf } from './keys.mjs';

// Many requests at once from one connection: no rate limit in the way.
// The outbox consumer's scans are FCALLs too: none during a test, so the
// FCALLs counted are the messages' steps.
const env = useStack(['--rate', '100000', '--burst', '100000',
  '--outbox-scan-ms', '600000', '--outbox-lease-ms', '3600000']);

// FCALLs Redis has run (summed over a cluster's nodes).
const fcalls = () => {
  const info = env.redis.ports
    ? env.redis.ports.map((p) => execFileSync('redis-cli', ['-p', String(p), 'INFO', 'commandstats'], { encoding: 'utf8' })).join('\n')
    : env.redis.cli('INFO', 'commandstats');
  return [...info.matchAll(/cmdstat_fcall:calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
};

// Opens conversations as c until one lands in shard (the first one's
// shard when shard is undefined); returns its id.
async function openInShard(c, shard) {
  for (let round = 0; round < 40; round++) {
    const acks = await Promise.all(Array.from({ length: shard === undefined ? 1 : 16 }, () =>
      c.request({ type: 'open', client_id: uid('o'), details: details('batch') })));
    for (const a of acks) {
      assert.equal(a.type, 'ack', JSON.stringify(a));
      if (shard === undefined || shardOf(a.conv) === shard) return a.conv;
    }
  }
  throw new Error(`no conversation in shard ${shard}`);
}

// n customers, each with one conversation in one shard and two
// connections; an agent watching them all.
async function oneShard(n) {
  const people = [];
  let shard;
  for (let i = 0; i < n; i++) {
    const me = customer();
    const tabs = [await connectAs(env.node, me), await connectAs(env.node, me)];
    const conv = await openInShard(tabs[0], shard);
    shard = shardOf(conv);
    people.push({ me, tabs, conv });
  }
  const ag = await connectAs(env.node, agent());
  for (const p of people) await watch(ag, p.conv, 0);
  return { people, ag, shard };
}

// Sends every frame at once and resolves with the answers, in the order
// sent; fails if any request gets two answers. The node is held still
// (SIGSTOP) until every frame is in its sockets, so that its next loop
// rounds find them together, however fast or slow the node is.
async function sendAll(list) {
  const pid = env.node.proc.pid;
  let pending;
  process.kill(pid, 'SIGSTOP');
  try {
    pending = list.map(({ c, frame }) => {
      const id = uid('r');
      const from = c.frames.length;
      c.send({ ...frame, id });
      return { c, id, from };
    });
    await waitFor(() => list.every(({ c }) => c.ws.bufferedAmount === 0), { what: 'every frame written' });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const answers = await Promise.all(pending.map(({ c, id, from }) =>
    c.wait((f) => f.id === id && f.type !== 'event', { from, what: `answer to ${id}` })));
  // Every request is answered once: a second answer would be here by the
  // time the next round trip on the same connection comes back.
  for (const c of new Set(list.map((x) => x.c))) await c.ping();
  for (const { c, id } of pending) {
    assert.equal(c.frames.filter((f) => f.id === id && f.type !== 'event').length, 1, `one answer to ${id}`);
  }
  return answers;
}

// The note rule of append: cseq is the last event a customer sees before
// the last note, nseq the last note.
function noteFields(events) {
  const notes = events.filter((e) => e.kind === 'note');
  if (!notes.length) return null;
  const nseq = notes.at(-1).seq;
  const cseq = Math.max(...events.filter((e) => e.kind !== 'note' && e.seq < nseq).map((e) => e.seq));
  return { cseq: String(cseq), nseq: String(nseq) };
}

test('many messages and notes from many clients to conversations of one shard, all at once: each acked once with its own seq, in order per conversation, in fewer steps than messages', async () => {
  const { people, ag, shard } = await oneShard(4);
  for (const p of people) assert.equal(shardOf(p.conv), shard);
  const perTab = 8;
  const list = [];
  for (let i = 0; i < perTab; i++) {
    for (const p of people) {
      for (const [t, tab] of p.tabs.entries()) {
        list.push({ c: tab, conv: p.conv, frame: { type: 'send', client_id: uid('m'), conv: p.conv, text: `t${t} m${i}` } });
      }
      if (i % 3 === 1) list.push({ c: ag, conv: p.conv, frame: { type: 'note', client_id: uid('n'), conv: p.conv, text: `note ${i}` } });
    }
  }
  const before = fcalls();
  const answers = await sendAll(list);
  const steps = fcalls() - before;
  for (const [i, a] of answers.entries()) {
    assert.equal(a.type, 'ack', `${JSON.stringify(list[i].frame)} -> ${JSON.stringify(a)}`);
    assert.equal(a.duplicate, false);
    assert.equal(a.conv, list[i].conv);
  }
  assert.ok(steps < list.length / 2, `${list.length} messages took ${steps} steps`);

  for (const p of people) {
    const mine = list.map((x, i) => ({ ...x, ack: answers[i] })).filter((x) => x.conv === p.conv);
    // One seq each, no gap, starting after the opened event.
    assert.deepEqual(mine.map((x) => x.ack.seq).sort((a, b) => a - b), mine.map((_, i) => i + 2));
    // A connection's messages are stored in the order it sent them.
    for (const c of [...p.tabs, ag]) {
      const seqs = mine.filter((x) => x.c === c).map((x) => x.ack.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    }
    const hist = await ag.request({ type: 'history', conv: p.conv, after: 0 });
    assert.deepEqual(hist.events.map((e) => e.seq), Array.from({ length: mine.length + 1 }, (_, i) => i + 1));
    for (const x of mine) {
      const e = hist.events.find((ev) => ev.seq === x.ack.seq);
      assert.equal(e.client_id, x.frame.client_id);
      assert.equal(e.text, x.frame.text);
      assert.equal(e.ts, x.ack.ts);
    }
    // Watchers got every event once, in seq order.
    await ag.wait((f) => f.type === 'event' && f.conv === p.conv && f.seq === mine.length + 1);
    assert.deepEqual(ag.seqs(p.conv), hist.events.map((e) => e.seq));
    // The state the step writes back: seq, the notes' cseq/nseq as one at a
    // time would have written them, the records' expiry set.
    const [seq, cseq, nseq] = env.redis.cli('HMGET', convKey(p.conv, 'm'), 'seq', 'cseq', 'nseq').split('\n');
    assert.equal(seq, String(mine.length + 1));
    assert.deepEqual({ cseq, nseq }, noteFields(hist.events));
    assert.ok(Number(env.redis.cli('TTL', convKey(p.conv, 'i'))) > 0, 'idempotency records expire');
  }
  for (const p of people) for (const t of p.tabs) t.close();
  ag.close();
});

test('one refused message in the middle of a batch is answered with its own error; the others are stored; retries are answered as duplicates', async () => {
  const { people, ag } = await oneShard(3);
  const [a, b, c] = people;
  // b's conversation is closed: its messages are refused.
  assert.equal((await b.tabs[0].request({ type: 'close', client_id: uid('x'), conv: b.conv })).type, 'ack');
  const used = uid('used');
  assert.equal((await a.tabs[0].request({ type: 'send', client_id: used, conv: a.conv, text: 'before' })).seq, 2);
  const same = uid('same');
  const list = [
    { c: a.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: a.conv, text: 'a1' } },
    { c: c.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: c.conv, text: 'c1' } },
    { c: b.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: b.conv, text: 'to a closed conversation' } },
    { c: a.tabs[1], frame: { type: 'send', client_id: used, conv: a.conv, text: 'another text' } },
    { c: a.tabs[0], frame: { type: 'send', client_id: used, conv: a.conv, text: 'before' } },
    { c: ag, frame: { type: 'send', client_id: uid('m'), conv: c.conv, text: 'agent, not assigned' } },
    { c: a.tabs[0], frame: { type: 'send', client_id: same, conv: a.conv, text: 'sent twice' } },
    { c: a.tabs[1], frame: { type: 'send', client_id: same, conv: a.conv, text: 'sent twice' } },
    { c: c.tabs[1], frame: { type: 'send', client_id: uid('m'), conv: a.conv, text: 'not my conversation' } },
    { c: c.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: c.conv, text: 'c2' } },
    { c: a.tabs[1], frame: { type: 'send', client_id: uid('m'), conv: a.conv, text: 'a2' } },
  ];
  const before = fcalls();
  const ans = await sendAll(list);
  assert.ok(fcalls() - before < list.length, 'the messages shared steps');
  const codes = ans.map((x) => (x.type === 'error' ? x.code : x.type));
  assert.deepEqual(codes, ['ack', 'ack', 'conversation_closed', 'client_id_reused', 'ack', 'not_assigned',
    'ack', 'ack', 'forbidden', 'ack', 'ack'], JSON.stringify(ans));
  // The retry of the message stored before: its original seq.
  assert.equal(ans[4].duplicate, true);
  assert.equal(ans[4].seq, 2);
  // The same client_id twice in one round: stored once, one duplicate.
  assert.equal(ans[6].seq, ans[7].seq);
  assert.deepEqual([ans[6].duplicate, ans[7].duplicate].sort(), [false, true]);
  // a: a1, same, a2 after seq 2, in the order sent; c: c1, c2.
  assert.deepEqual([ans[0].seq, Math.min(ans[6].seq, ans[7].seq), ans[10].seq], [3, 4, 5]);
  assert.deepEqual([ans[1].seq, ans[9].seq], [2, 3]);
  const histA = await a.tabs[0].request({ type: 'history', conv: a.conv, after: 0 });
  assert.deepEqual(histA.events.map((e) => e.text ?? e.kind), ['opened', 'before', 'a1', 'sent twice', 'a2']);
  const histB = await b.tabs[0].request({ type: 'history', conv: b.conv, after: 0 });
  assert.deepEqual(histB.events.map((e) => e.kind), ['opened', 'closed']);

  // Retries of the whole round: each answered from its record, the
  // refused ones refused again, nothing new stored.
  const again = await sendAll(list);
  for (const i of [0, 1, 4, 6, 7, 9, 10]) {
    assert.equal(again[i].type, 'ack', JSON.stringify(again[i]));
    assert.equal(again[i].duplicate, true);
    assert.equal(again[i].seq, ans[i].seq);
    assert.equal(again[i].ts, ans[i].ts);
  }
  assert.deepEqual([2, 3, 5, 8].map((i) => again[i].code), ['conversation_closed', 'client_id_reused', 'not_assigned', 'forbidden']);
  assert.equal(env.redis.cli('HGET', convKey(a.conv, 'm'), 'seq'), '5');
  assert.equal(env.redis.cli('XLEN', convKey(c.conv, 'e')), '3');
  for (const p of people) for (const t of p.tabs) t.close();
  ag.close();
});

test('a claim or a close sent right after messages of its shard comes after them', async () => {
  const { people, ag } = await oneShard(2);
  const [a, b] = people;
  const list = [
    { c: a.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: a.conv, text: 'last words' } },
    { c: b.tabs[0], frame: { type: 'send', client_id: uid('m'), conv: b.conv, text: 'hello' } },
    { c: a.tabs[0], frame: { type: 'close', client_id: uid('x'), conv: a.conv } },
    { c: ag, frame: { type: 'claim', client_id: uid('k'), conv: b.conv } },
  ];
  const ans = await sendAll(list);
  assert.deepEqual(ans.map((x) => x.type), ['ack', 'ack', 'ack', 'ack'], JSON.stringify(ans));
  assert.deepEqual(ans.map((x) => x.seq), [2, 2, 3, 3]);
  // A claim is decided by the router first: the agent writes once it is
  // acked.
  const reply = await ag.request({ type: 'send', client_id: uid('m'), conv: b.conv, text: 'assigned now' });
  assert.equal(reply.seq, 4, JSON.stringify(reply));
  await waitFor(() => ag.lastSeq(b.conv) === 4, { what: 'the agent sees its message' });
  for (const p of people) for (const t of p.tabs) t.close();
  ag.close();
});
