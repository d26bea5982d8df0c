// Behaviours that were once wrong: relayed typing and read frames for user
// ids holding `|`, `"` or `\`; list pages over conversations that share a
// timestamp; a customer's list last_seq that skips notes; a resume naming
// one conversation several times; seq-less acks; feeds published only
// where someone listens; history pages bounded in bytes; the outbound
// queue bounded in bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { randomBytes } from 'node:crypto';
import { useStack, Client, craftToken, customer, agent, openConv, watch, uid, waitFor, SINGLE_REDIS_ONLY } from './harness.mjs';
import { convChannel, feedChannel, outboxKey, parseFeed, shardOf } from './keys.mjs';

const HISTORY_BYTES = 4096;
const OUT = { hard: 65536, soft: 16384 };
const FAST = ['--rate', '100000', '--burst', '100000'];

// nodes[0]: defaults (but no rate limit in the way); nodes[1]: small
// history pages; nodes[2]: small outbound byte limits, no frame limit;
// nodes[3]: a small soft limit under a hard one out of reach.
const SOFT_ONLY = { hard: 64 << 20, soft: 16384 };
const env = useStack(FAST, ['--history-bytes', String(HISTORY_BYTES), ...FAST],
  ['--out-hard-bytes', String(OUT.hard), '--out-soft-bytes', String(OUT.soft), '--out-soft-seconds', '1',
    '--out-queue', String(1 << 20), ...FAST],
  ['--out-hard-bytes', String(SOFT_ONLY.hard), '--out-soft-bytes', String(SOFT_ONLY.soft), '--out-soft-seconds', '1',
    '--out-queue', String(1 << 20), ...FAST]);

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const isEvent = (conv, seq) => (f) => f.type === 'event' && f.conv === conv && f.seq === seq;

// Connects with a token built in JSON here, so that any sub survives as is.
async function connectWith(node, claims) {
  const c = await Client.connect(node.url);
  await c.auth(craftToken(claims));
  return c;
}

// An open conversation claimed by ag (seq 2), seen by every watcher.
async function claimed(cust, ag, watchers = []) {
  const conv = await openConv(cust, 'needs an agent');
  for (const w of [ag, ...watchers]) assert.equal((await watch(w, conv, 0)).type, 'synced');
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.type, 'ack', JSON.stringify(claim));
  assert.equal(claim.seq, 2);
  for (const w of [cust, ag, ...watchers]) await w.wait(isEvent(conv, 2), { what: `joined on ${conv}` });
  return conv;
}

// A pub/sub connection to the test Redis speaking just enough RESP to
// PSUBSCRIBE and SSUBSCRIBE and record [channel, payload] of every message.
class Subscriber {
  constructor(sock) {
    this.messages = [];
    this.waiters = [];
    this.buf = Buffer.alloc(0);
    this.conn = createConnection(sock);
    this.conn.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (let r = this.parse(0); r; r = this.parse(0)) {
        this.buf = this.buf.subarray(r.end);
        this.onReply(r.value);
      }
    });
  }
  // One RESP value at offset i, or null when it is not all here yet.
  parse(i) {
    const eol = this.buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const kind = String.fromCharCode(this.buf[i]);
    const head = this.buf.toString('utf8', i + 1, eol);
    if (kind === '+' || kind === '-' || kind === ':') return { value: head, end: eol + 2 };
    const n = Number(head);
    if (kind === '$') {
      if (n < 0) return { value: null, end: eol + 2 };
      if (this.buf.length < eol + 2 + n + 2) return null;
      return { value: this.buf.toString('utf8', eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    if (kind !== '*') throw new Error(`unexpected RESP ${kind}`);
    const value = [];
    let end = eol + 2;
    for (let k = 0; k < n; k++) {
      const r = this.parse(end);
      if (!r) return null;
      value.push(r.value);
      end = r.end;
    }
    return { value, end };
  }
  onReply(v) {
    const m = Array.isArray(v) && v[0] === 'pmessage' ? { channel: v[2], payload: v[3] }
      : Array.isArray(v) && v[0] === 'smessage' ? { channel: v[1], payload: v[2] }
      : Array.isArray(v) && (v[0] === 'psubscribe' || v[0] === 'ssubscribe') ? { subscribed: v[1] } : { other: v };
    this.messages.push(m);
    this.waiters = this.waiters.filter((w) => !w(m));
  }
  wait(pred, { timeout = 5000, what = 'message' } = {}) {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`)), timeout);
      this.waiters.push((m) => { if (!pred(m)) return false; clearTimeout(t); resolve(m); return true; });
    });
  }
  async psubscribe(pattern) {
    this.conn.write(`*2\r\n$10\r\nPSUBSCRIBE\r\n$${Buffer.byteLength(pattern)}\r\n${pattern}\r\n`);
    await this.wait((m) => m.subscribed === pattern, { what: `PSUBSCRIBE ${pattern} confirmed` });
  }
  // Conversation and feed channels are sharded channels (SPUBLISH).
  async ssubscribe(...channels) {
    const args = ['SSUBSCRIBE', ...channels];
    this.conn.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    for (const c of channels) await this.wait((m) => m.subscribed === c, { what: `SSUBSCRIBE ${c} confirmed` });
  }
  close() { this.conn.destroy(); }
}

// 1. Relayed typing and read frames carry the sender's id whatever it holds.
for (const [label, custId, agentId] of [
  ['a "|"', 'a|b', `ag|${uid('ent')}`],
  ['a quote and a backslash', `q"\\${uid('c')}`, `ag"\\${uid('ent')}`],
]) {
  test(`typing and read frames are relayed right for user ids with ${label}`, async () => {
    const node = env.nodes[0];
    const c1 = await connectWith(node, customer(custId));
    const c2 = await connectWith(node, customer(custId));
    const ag = await connectWith(node, agent(agentId));
    assert.equal(c1.hello.user.id, custId);
    assert.equal(ag.hello.user.id, agentId);
    const conv = await claimed(c1, ag, [c2]);

    // The agent types: both customer connections see it, from the agent.
    ag.send({ type: 'typing', conv, typing: true });
    for (const c of [c1, c2]) {
      const f = await c.wait((x) => x.type === 'typing' && x.conv === conv && x.typing === true, { what: 'agent typing' });
      assert.deepEqual({ id: f.from.id, role: f.from.role }, { id: agentId, role: 'agent' });
    }

    // The customer types on c1: the agent sees it, from the customer.
    c1.send({ type: 'typing', conv, typing: true });
    const typed = await ag.wait((x) => x.type === 'typing' && x.conv === conv, { what: 'customer typing' });
    assert.deepEqual({ id: typed.from.id, role: typed.from.role }, { id: custId, role: 'customer' });

    // The customer reads up to 2: the agent and the customer's other
    // connection get a read frame from the customer.
    const ack = await c1.request({ type: 'read', conv, seq: 2 });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    for (const c of [ag, c2]) {
      const r = await c.wait((x) => x.type === 'read' && x.conv === conv, { what: 'read frame' });
      assert.equal(r.from.id, custId);
      assert.equal(r.from.role, 'customer');
      assert.equal(r.seq, 2);
    }

    // Published after everything above on the same channel: once both
    // customer connections have it, any echo would have arrived too.
    ag.send({ type: 'typing', conv, typing: false });
    for (const c of [c1, c2]) await c.wait((x) => x.type === 'typing' && x.conv === conv && x.typing === false, { what: 'typing false' });
    const ownTyping = (c, id) => c.frames.filter((x) => x.type === 'typing' && x.from.id === id);
    assert.deepEqual(ownTyping(c1, custId), [], 'the typing connection does not get its own typing back');
    assert.deepEqual(ownTyping(c2, custId), [], 'typing does not reach the sender\'s other connections');
    assert.deepEqual(ownTyping(ag, agentId), [], 'the agent does not get its own typing back');
    assert.equal(c2.frames.filter((x) => x.type === 'typing' && x.from.id === agentId).length, 2);
    for (const c of [c1, c2, ag]) c.close();
  });
}

// Follows `next` from the first page; returns the conv ids in order.
async function pageAll(c, frame, limit = 2) {
  const seen = [];
  let before;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, 'paging ends');
    const r = await c.request({ type: 'list', ...frame, limit, ...(before === undefined ? {} : { before }) });
    assert.equal(r.type, 'conversations', JSON.stringify(r));
    assert.ok(r.items.length <= limit);
    seen.push(...r.items.map((i) => i.conv));
    if (r.next === null) return seen;
    assert.equal(typeof r.next, 'string', `next is a string cursor: ${JSON.stringify(r.next)}`);
    assert.ok(r.items.length > 0, 'a page with a next cursor has items');
    before = r.next;
  }
}

const newestFirst = (convs) => [...convs].sort().reverse();

// The outbox entries of these conversations' opens have been consumed (the
// indexes will not be written again for them).
const outboxDrained = (convs) => waitFor(() => convs.every((c) => env.redis.cli('XLEN', outboxKey(shardOf(c))) === '0'),
  { what: 'the outboxes drained' });

// 2. Conversations sharing a timestamp are neither skipped nor repeated.
test('list pages neither skip nor repeat conversations that share a timestamp', async () => {
  const node = env.nodes[0];
  const me = customer();
  const cust = await connectWith(node, me);
  const convs = [];
  for (let i = 0; i < 5; i++) convs.push(await openConv(cust, `tie ${i}`));
  const index = `{u:${me.sub}}:c`;
  assert.equal(env.redis.cli('ZCARD', index), '5');
  await outboxDrained(convs); // its consumer would put the real scores back
  for (const conv of convs) env.redis.cli('ZADD', index, 'XX', '1764145200000', conv);
  assert.deepEqual(env.redis.cli('ZRANGE', index, '0', '-1', 'WITHSCORES').split('\n').filter((_, i) => i % 2),
    Array(5).fill('1764145200000'));

  const first = await pageAll(cust, { scope: 'mine' });
  assert.deepEqual(first, newestFirst(convs), 'each once, ordered by conv among equal scores');
  assert.deepEqual(await pageAll(cust, { scope: 'mine' }), first, 'the same order again');
  assert.deepEqual(await pageAll(cust, { scope: 'mine' }, 3), first, 'and with another page size');
  cust.close();
});

test('list scope open pages neither skip nor repeat conversations that share a timestamp', async () => {
  const node = env.nodes[0];
  const cust = await connectWith(node, customer());
  for (let i = 0; i < 5; i++) await openConv(cust, `open tie ${i}`);
  const ag = await connectWith(node, agent());
  // scope open reads the routing board in the server's order (ascending
  // scores: the queue first); give every conversation the same score.
  const open = env.redis.cli('ZRANGE', '{r}:board', '0', '-1').split('\n').filter(Boolean);
  assert.ok(open.length >= 5);
  await outboxDrained(open);
  for (const conv of open) env.redis.cli('ZADD', '{r}:board', 'XX', '1764145200000', conv);

  const seen = await pageAll(ag, { scope: 'open' });
  assert.deepEqual(seen, [...open].sort(), 'every open conversation once, ordered by conv');
  assert.deepEqual(await pageAll(ag, { scope: 'open' }), seen, 'the same order again');
  cust.close();
  ag.close();
});

// 3. Notes do not count in a customer's last_seq.
test('a customer\'s list last_seq ignores internal notes; an agent\'s counts them', async () => {
  const node = env.nodes[0];
  const cust = await connectWith(node, customer());
  const ag = await connectWith(node, agent());
  const conv = await openConv(cust, 'notes stay inside');
  const msg = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'hello?' });
  assert.equal(msg.seq, 2);
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  assert.equal(claim.seq, 3);
  const note = await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'on an old PHP' });
  assert.equal(note.type, 'ack', JSON.stringify(note));
  assert.equal(note.seq, 4);

  const mine = (await cust.request({ type: 'list', scope: 'mine' })).items.find((i) => i.conv === conv);
  assert.equal(mine.last_seq, 3, 'the customer\'s last visible event is the claim');
  const theirs = (await ag.request({ type: 'list', scope: 'mine' })).items.find((i) => i.conv === conv);
  assert.equal(theirs.last_seq, 4, 'the agent sees the note');

  // Two notes in a row, then a visible reply, then a note again.
  const lastOf = async (c) => (await c.request({ type: 'list', scope: 'mine' })).items.find((i) => i.conv === conv).last_seq;
  await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'second note' });
  assert.equal(await lastOf(cust), 3, 'still the claim after two notes');
  const reply = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'fixed it' });
  assert.equal(await lastOf(cust), reply.seq, 'a visible event after notes counts again');
  const again = await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'third note' });
  assert.equal(await lastOf(cust), reply.seq, 'the note after the reply is not counted');
  assert.equal(await lastOf(ag), again.seq);
  cust.close();
  ag.close();
});

// 4. A resume frame answers each conversation once.
test('a conversation named several times in one resume is answered once, each event once', async () => {
  const node = env.nodes[0];
  const cust = await connectWith(node, customer());
  const ag = await connectWith(node, agent());
  const conv = await claimed(cust, ag);
  const more = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'three' });
  assert.equal(more.seq, 3);
  const other = await openConv(cust, 'another one');

  const reader = await connectWith(node, agent());
  reader.send({ type: 'resume', id: 'dup', convs: [{ conv, after: 0 }, { conv, after: 0 }, { conv, after: 2 }] });
  const synced = await reader.wait((f) => f.type === 'synced' && f.id === 'dup', { what: 'synced dup' });
  assert.equal(synced.conv, conv);
  assert.equal(synced.seq, 3);
  // Anything still owed to dup is sent before a live event and a later
  // resume are answered.
  const live = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'four' });
  await reader.wait(isEvent(conv, live.seq), { what: 'live seq 4' });
  assert.equal((await watch(reader, other, 0)).type, 'synced');
  await reader.ping();

  const answers = reader.frames.filter((f) => f.id === 'dup');
  assert.deepEqual(answers.map((f) => [f.type, f.conv]), [['synced', conv]], 'one answer for dup');
  assert.deepEqual(reader.seqs(conv), range(1, 4), 'every event exactly once, in order');
  for (const c of [cust, ag, reader]) c.close();
});

test('a resume of 200 conversations, most of them unknown, is answered item by item; the connection stays usable', async () => {
  const node = env.nodes[0];
  const cust = await connectWith(node, customer());
  const real = [];
  for (let i = 0; i < 5; i++) real.push(await openConv(cust, `real ${i}`));
  const unknown = [];
  while (unknown.length < 195) {
    const id = randomBytes(16).toString('base64url');
    if (!real.includes(id) && !unknown.includes(id)) unknown.push(id);
  }
  const all = [...unknown.slice(0, 100), ...real, ...unknown.slice(100)];
  assert.equal(new Set(all).size, 200);

  const reader = await connectWith(node, agent());
  reader.send({ type: 'resume', id: 'big', convs: all.map((conv) => ({ conv, after: 0 })) });
  const answered = () => reader.frames.filter((f) => f.id === 'big' && (f.type === 'synced' || f.type === 'error'));
  await reader.wait(() => answered().length >= 200, { timeout: 10000, what: '200 answers to the resume' });
  await reader.ping();
  const byConv = new Map();
  for (const f of answered()) byConv.set(f.conv, [...(byConv.get(f.conv) || []), f]);
  assert.equal(byConv.size, 200, 'every conversation answered');
  for (const conv of all) assert.equal(byConv.get(conv).length, 1, `${conv} answered once`);
  for (const conv of real) assert.equal(byConv.get(conv)[0].type, 'synced');
  for (const conv of unknown) {
    const [f] = byConv.get(conv);
    assert.equal(f.type, 'error');
    assert.equal(f.code, 'not_found');
  }

  assert.ok(node.alive());
  const ag = await connectWith(node, agent());
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv: real[2] });
  assert.equal(claim.type, 'ack', JSON.stringify(claim));
  await reader.wait(isEvent(real[2], claim.seq), { what: 'a live event after the big resume' });
  for (const c of [cust, reader, ag]) c.close();
});

// 5. Acks of requests that store no event carry no seq.
test('the acks of unwatch, canned_save and canned_delete have no seq member', async () => {
  const node = env.nodes[0];
  const cust = await connectWith(node, customer());
  const conv = await openConv(cust, 'acks without seq');
  const unwatch = await cust.request({ type: 'unwatch', conv });
  assert.equal(unwatch.type, 'ack', JSON.stringify(unwatch));
  assert.equal(unwatch.duplicate, false);
  assert.equal('seq' in unwatch, false, JSON.stringify(unwatch));
  const again = await cust.request({ type: 'unwatch', conv });
  assert.equal(again.type, 'ack', JSON.stringify(again));
  assert.equal(again.duplicate, true);
  assert.equal('seq' in again, false, JSON.stringify(again));

  const ag = await connectWith(node, agent());
  const save = await ag.request({ type: 'canned_save', key: 'hi', title: 'Hi', text: 'Hello there' });
  assert.equal(save.type, 'ack', JSON.stringify(save));
  assert.equal('seq' in save, false, JSON.stringify(save));
  const del = await ag.request({ type: 'canned_delete', key: 'hi' });
  assert.equal(del.type, 'ack', JSON.stringify(del));
  assert.equal('seq' in del, false, JSON.stringify(del));
  cust.close();
  ag.close();
});

// 6. Feeds go to the customer and the agents, on the conversation's shard
// feed, naming the customer (never the agent) as the one to reach.
test('claims and closes publish their feed on the shard\'s feed channel, addressed to the customer', { skip: SINGLE_REDIS_ONLY }, async () => {
  const node = env.nodes[0];
  const sub = new Subscriber(env.redis.sock);
  try {
    await sub.psubscribe('*');
    await sub.ssubscribe(...Array.from({ length: 64 }, (_, i) => feedChannel(i)));
    const me = customer();
    const who = agent();
    const cust = await connectWith(node, me);
    const ag = await connectWith(node, agent(who.sub));
    const conv = await claimed(cust, ag);
    // Its id is known only now: joined was seen by claimed()'s watchers.
    await sub.ssubscribe(convChannel(conv));
    const closed = await ag.request({ type: 'close', client_id: uid('close'), conv, reason: 'resolved' });
    assert.equal(closed.type, 'ack', JSON.stringify(closed));

    const feed = feedChannel(shardOf(conv));
    const onFeed = (kind) => (m) => m.channel === feed && parseFeed(m.payload).frame.kind === kind &&
      parseFeed(m.payload).frame.conv === conv;
    for (const kind of ['opened', 'assigned', 'closed']) {
      const m = await sub.wait(onFeed(kind), { what: `${kind} on the shard's feed` });
      assert.equal(parseFeed(m.payload).customer, me.sub, `${kind} is addressed to the customer`);
    }
    const on = (channel, kind) => (m) => m.channel === channel && m.payload.includes(`"kind":"${kind}"`);
    await sub.wait(on(convChannel(conv), 'closed'), { what: 'closed on the conversation channel' });
    // The scripts published before the acks; this is published after them.
    const mark = uid('mark');
    env.redis.cli('PUBLISH', mark, 'end');
    await sub.wait((m) => m.channel === mark, { what: 'the mark' });

    const stray = sub.messages.filter((m) => m.channel && (m.channel.includes(who.sub) || m.channel.includes(me.sub)));
    assert.deepEqual(stray, [], 'no channel of a user');
    cust.close();
    ag.close();
  } finally {
    sub.close();
  }
});

// 7. History pages are bounded in bytes as well as in events.
test('a history page is bounded in bytes (--history-bytes) and paging by after gets everything once', async () => {
  const node = env.nodes[1];
  const cust = await connectWith(node, customer());
  const conv = await openConv(cust, 'long messages');
  for (let i = 1; i <= 20; i++) {
    const ack = await cust.request({ type: 'send', client_id: uid('m'), conv, text: `${i} `.padEnd(1000, 'y') });
    assert.equal(ack.seq, i + 1);
  }

  const first = await cust.request({ type: 'history', conv, after: 0 });
  assert.equal(first.type, 'history', JSON.stringify(first).slice(0, 300));
  assert.equal(first.more, true);
  assert.ok(first.events.length >= 1 && first.events.length <= 5, `${first.events.length} events in the first page`);

  const seen = [];
  let after = 0;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 50, 'paging ends');
    const page = pages === 0 ? first : await cust.request({ type: 'history', conv, after });
    assert.equal(page.type, 'history');
    assert.ok(page.events.length >= 1, 'a page has at least one event');
    const bytes = page.events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0);
    assert.ok(page.events.length === 1 || bytes <= HISTORY_BYTES, `page after ${after}: ${page.events.length} events, ${bytes} bytes`);
    seen.push(...page.events.map((e) => e.seq));
    after = page.events.at(-1).seq;
    if (!page.more) break;
  }
  assert.deepEqual(seen, range(1, 21), 'every event exactly once, in order');
  assert.ok(seen.length > 5, 'it took several pages');
  cust.close();
});

// 8. The outbound queue is bounded in bytes.

const SLOW = /closing a slow consumer \((\d+) frames, (\d+) bytes queued\)/;

// The agent sends 8 KB messages to conv until node logs closing a slow
// consumer (or max are sent); every send must be acked. Four at a time:
// the agent reads, but a burst arrives within one loop round, and 8 x 8 KB
// would pass a 64 KB hard limit before any write. Returns the last seq
// and what the log says was queued at the close.
async function sendUntilSlow(node, ag, conv, max) {
  let last = 2;
  for (let sent = 0; sent < max && !SLOW.test(node.log); sent += 4) {
    const acks = await Promise.all(range(1, 4).map((i) => ag.request({ type: 'send', client_id: uid('m'), conv,
      text: `${sent + i} `.padEnd(8192, 'z') })));
    for (const a of acks) {
      assert.equal(a.type, 'ack', JSON.stringify(a));
      last = Math.max(last, a.seq);
    }
  }
  await node.waitLog(SLOW);
  const [, frames, bytes] = node.log.match(SLOW).map(Number);
  return { last, frames, bytes };
}
test('a client that stops reading is closed 4008 by the byte limit; it resumes and gets every event once', async () => {
  const node = env.nodes[2];
  const me = customer();
  const cust = await connectWith(node, me);
  const ag = await connectWith(node, agent());
  const conv = await claimed(cust, ag);

  cust.ws._socket.pause();
  // 1000 sends are 8 MB: under a frame-count limit (1 << 20) nothing would close.
  const closed = await sendUntilSlow(node, ag, conv, 1000);
  const { frames, bytes } = closed;
  let { last } = closed;
  assert.ok(bytes > OUT.soft && bytes <= OUT.hard + 8192 + 512, `closed with ${bytes} bytes queued`);
  assert.ok(frames < 1000, `closed with ${frames} frames queued`);
  for (let i = 0; i < 3; i++) last = (await ag.request({ type: 'send', client_id: uid('m'), conv, text: `after ${i}` })).seq;

  cust.ws._socket.resume();
  const { code } = await cust.waitClose({ timeout: 15000 });
  assert.equal(code, 4008);
  assert.ok(node.alive());
  await ag.ping();

  const seen = cust.lastSeq(conv);
  assert.ok(seen < last, `the slow client missed something (saw ${seen} of ${last})`);
  assert.deepEqual(cust.seqs(conv), range(1, seen), 'what it got was in order, without gaps');
  const again = await connectWith(node, me);
  const synced = await watch(again, conv, seen);
  assert.equal(synced.type, 'synced', JSON.stringify(synced));
  assert.equal(synced.seq, last);
  await again.wait(isEvent(conv, last), { timeout: 10000 });
  const next = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'live again' });
  await again.wait(isEvent(conv, next.seq));
  await again.ping();
  assert.deepEqual([...cust.seqs(conv), ...again.seqs(conv)], range(1, next.seq), 'every event exactly once');
  again.close();
  ag.close();
});

test('a client held over the soft byte limit for longer than --out-soft-seconds is closed 4008, far under the hard limit', async () => {
  const node = env.nodes[3];
  const me = customer();
  const cust = await connectWith(node, me);
  const ag = await connectWith(node, agent());
  const conv = await claimed(cust, ag);

  cust.ws._socket.pause();
  // Until the paused client's queue (beyond what the kernel buffers) has
  // stayed over the soft limit for a second.
  const { last, bytes } = await sendUntilSlow(node, ag, conv, 2000);
  assert.ok(bytes > SOFT_ONLY.soft && bytes < SOFT_ONLY.hard / 4, `closed with ${bytes} bytes queued`);
  cust.ws._socket.resume();
  assert.equal((await cust.waitClose({ timeout: 15000 })).code, 4008);
  // It resumes and gets everything once.
  const seen = cust.lastSeq(conv);
  const again = await connectWith(node, me);
  const synced = await watch(again, conv, seen);
  assert.equal(synced.seq, last);
  await again.wait(isEvent(conv, last), { timeout: 10000 });
  assert.deepEqual([...cust.seqs(conv), ...again.seqs(conv)], range(1, last));
  again.close();
  ag.close();
});

test('the sweep closes a client left over the soft limit although nothing more is sent to it', async (t) => {
  const node = env.nodes[3];
  const cust = await connectWith(node, customer());
  const ag = await connectWith(node, agent());
  const conv = await claimed(cust, ag);
  cust.ws._socket.pause();
  const before = (node.log.match(/closing a slow consumer/g) || []).length;
  // Enough to fill the kernel's buffers and queue well over 16 KB, sent
  // in one go (well under the second of grace), then nothing: only the
  // periodic check can close it.
  await Promise.all(range(1, 1500).map((i) => ag.request({ type: 'send', client_id: uid('m'), conv,
    text: `${i} `.padEnd(8192, 'z') }, { timeout: 20000 })));
  const closedEarly = (node.log.match(/closing a slow consumer/g) || []).length > before;
  const t0 = Date.now();
  await waitFor(() => (node.log.match(/closing a slow consumer/g) || []).length > before,
    { timeout: 8000, what: 'the slow consumer closed by the sweep' });
  assert.ok(Date.now() - t0 < 8000);
  if (closedEarly) t.diagnostic('the send path closed it before the sends ended; the sweep was not needed');
  cust.ws._socket.resume();
  assert.equal((await cust.waitClose({ timeout: 15000 })).code, 4008);
  ag.close();
});
