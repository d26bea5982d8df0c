// A support floor at work: two chatd nodes on one Redis, 200 customers of
// mixed tiers and topics arriving over a few seconds, five agents with
// different skills and capacities on either node taking offers, closing
// chats, going away and coming back, one of them dropping off and
// reconnecting. Everything every client receives is recorded, then
// checked against the routing rules: one agent per conversation at a
// time, no agent above capacity, offers in queue order (the score rule),
// skills and dedicated engineers respected, no offers to away agents,
// every queue position right when shown, and in the end every customer
// served and every conversation closed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis, Chatd, Client, token, details, uid, watch, waitFor, CLUSTER } from './harness.mjs';
import { testPolicy, FAST, sleep } from './routing.mjs';

const OFFER_MS = 2000;
const GRACE_MS = 1000;
const DED_MS = 1000;
const AGING_MS = 3000;
const N_CONVS = 200;
const HOLD_MS = [400, 2000]; // how long an agent keeps a chat
const policy = testPolicy({ aging_bound_s: AGING_MS / 1000, offer_timeout_s: OFFER_MS / 1000,
  presence_grace_s: GRACE_MS / 1000, dedicated_delay_s: DED_MS / 1000 }, { dedicated: { 'org-ded': ['ded-eng'] } });
const HEAD = { top_priority: AGING_MS, priority: AGING_MS / 2, normal: 0 };
const CLASS_OF = { diamond: 'top_priority', platinum: 'priority', gold: 'normal', silver: 'normal' };
const SKILL = Object.fromEntries(policy.topics.map((t) => [t.key, t.skill || '']));

// Time slack for a state change seen through its event (a route step's
// event is written just after its Redis decision).
const SLACK = 300;

// A seeded generator, so that a failing run can be repeated
// (CHATD_SCENARIO_SEED).
const SEED = Number(process.env.CHATD_SCENARIO_SEED) || Math.floor(Math.random() * 2 ** 31);
let rs = SEED;
function rnd() {
  rs = (rs + 0x6d2b79f5) | 0;
  let x = Math.imul(rs ^ (rs >>> 15), 1 | rs);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}
const pick = (weighted) => {
  let x = rnd() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
};

let redis;
const nodes = [];
const clients = [];
before(async () => {
  redis = await startRedis();
  for (const name of ['A', 'B']) nodes.push(await new Chatd(redis, ['--node', name, ...FAST], { policy }).start());
});
after(async () => {
  for (const c of clients) c.terminate();
  for (const n of nodes) await n.stop();
  await redis?.destroy();
});

// Everything recorded, with the local receive time t (same clock as the
// servers': one machine).
const rec = {
  seed: SEED, offers: [], withdrawn: [], accepts: [], declines: [], closes: [], presence: [], queue: [], drops: [],
  polls: [], events: new Map(),
};
const errors = [];
const convs = new Map(); // conv -> { i, tier, cls, topic, org, sub }

function recordEvent(f) {
  let m = rec.events.get(f.conv);
  if (!m) rec.events.set(f.conv, (m = new Map()));
  m.set(f.seq, f);
}

// tok: a token minted beforehand (minting runs a process, which would
// stall this one and skew the times frames are seen at).
async function connect(node, tok, onFrame) {
  const c = new Client(node.url);
  await c.opened;
  clients.push(c);
  c.ws.on('message', (d) => onFrame(JSON.parse(d.toString()), Date.now()));
  await c.auth(tok);
  return c;
}

class Bot {
  constructor(claims, node) {
    this.id = claims.sub;
    this.claims = claims;
    this.tok = token(claims);
    this.capacity = claims.capacity;
    this.skills = (claims.skills || '').split(',').filter(Boolean);
    this.node = node;
    this.timers = new Set();
    this.holding = new Set();
    this.taking = new Set(); // accepts sent, not answered yet
    this.accepting = true;
    this.inflight = 0;
    this.connected = false;
    this.gen = 0; // connections so far: a late failure of an earlier one is no error
  }
  async connect() {
    this.c = await connect(this.node, this.tok, (f, t) => this.onFrame(f, t));
    this.connected = true;
    this.gen++;
  }
  onFrame(f, t) {
    if (f.type !== 'offer') return;
    if (f.state === 'offered') {
      rec.offers.push({ agent: this.id, conv: f.conv, at: f.expires_at - OFFER_MS, expires_at: f.expires_at, t, frame: f });
      if (!this.holding.has(f.conv) && !this.taking.has(f.conv)) this.react(f);
    } else {
      rec.withdrawn.push({ agent: this.id, conv: f.conv, reason: f.reason, t });
    }
  }
  react(f) {
    if (!this.accepting) return;
    const anyone = !f.topic; // declined or let expire only when every agent may take it
    const x = rnd();
    if (anyone && x < 0.07) this.later(rnd() * 200, () => this.decline(f.conv));
    else if (anyone && x < 0.11) return; // let it expire
    else this.later(rnd() * 300, () => this.accept(f.conv));
  }
  later(ms, fn) {
    const gen = this.gen;
    const h = setTimeout(() => {
      this.timers.delete(h);
      fn().catch((e) => { if (this.connected && this.gen === gen) errors.push(`${this.id}: ${e.message}`); });
    }, ms);
    this.timers.add(h);
  }
  async req(frame) {
    this.inflight++;
    try {
      return await this.c.request(frame, { timeout: 10000 });
    } finally {
      this.inflight--;
    }
  }
  async accept(conv) {
    if (!this.connected || !this.accepting) return;
    const sent = Date.now();
    this.taking.add(conv);
    const r = await this.req({ type: 'accept', client_id: uid('acc'), conv }).finally(() => this.taking.delete(conv));
    rec.accepts.push({ agent: this.id, conv, sent, t: Date.now(), ok: r.type === 'ack', code: r.code, seq: r.seq });
    if (r.type === 'ack') {
      this.holding.add(conv);
      this.later(HOLD_MS[0] + rnd() * (HOLD_MS[1] - HOLD_MS[0]), () => this.close(conv));
    } else if (r.code !== 'no_offer') {
      errors.push(`${this.id}: accept answered ${JSON.stringify(r)}`);
    }
  }
  async decline(conv) {
    if (!this.connected) return;
    const sent = Date.now();
    const r = await this.req({ type: 'decline', conv });
    rec.declines.push({ agent: this.id, conv, sent, t: Date.now(), ok: r.type === 'ack', code: r.code });
  }
  async close(conv) {
    if (!this.connected || !this.holding.has(conv)) return;
    this.holding.delete(conv);
    const sent = Date.now();
    const r = await this.req({ type: 'close', client_id: uid('x'), conv, reason: 'resolved' });
    rec.closes.push({ agent: this.id, conv, sent, t: Date.now(), ok: r.type === 'ack', code: r.code });
    if (r.type !== 'ack') errors.push(`${this.id}: close answered ${JSON.stringify(r)}`);
  }
  async presence(status) {
    const sent = Date.now();
    const r = await this.req({ type: 'presence', status });
    if (r.type !== 'ack') errors.push(`${this.id}: presence answered ${JSON.stringify(r)}`);
    rec.presence.push({ agent: this.id, status, sent, t: Date.now() });
  }
  async drop() {
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
    this.holding.clear();
    this.taking.clear();
    this.connected = false;
    rec.drops.push({ agent: this.id, t: Date.now() });
    await this.c.terminate();
  }
}

async function arrive(i, { claims, topic, tok }) {
  const node = nodes[i % 2];
  const c = await connect(node, tok, (f, t) => {
    if (f.type === 'queue') rec.queue.push({ t, conv: f.conv, position: f.position, waiting: f.waiting, eta_ms: f.eta_ms, cls: f.class });
    else if (f.type === 'event') recordEvent(f);
  });
  const r = await c.request({ type: 'open', client_id: uid('open'), details: details(`scenario ${i}`), ...(topic ? { topic } : {}) },
    { timeout: 10000 });
  if (r.type !== 'ack') throw new Error(`open ${i}: ${JSON.stringify(r)}`);
  convs.set(r.conv, { i, tier: claims.tier, cls: CLASS_OF[claims.tier], topic, org: claims.org, sub: claims.sub });
  const s = await watch(c, r.conv, 0);
  if (s.type !== 'synced') throw new Error(`watch ${i}: ${JSON.stringify(s)}`);
}

function makeCustomer(i) {
  const tier = pick([['diamond', 1], ['platinum', 2], ['gold', 3.5], ['silver', 3.5]]);
  const topic = pick([[undefined, 5], ['dashboard', 1], ['git', 1], ['wordpress', 0.7], ['drupal', 0.7], ['dns', 1],
    ['performance', 0.8], ['debugging', 0.4]]);
  const org = rnd() < 0.06 ? 'org-ded' : `org-${i % 9}`;
  const sub = `cust-${i}-${uid('s')}`;
  const claims = { sub, name: `Customer ${i}`, role: 'customer', org, site: `site-${i}`, tier };
  return { claims, topic, tok: token(claims) };
}

// Customers i in [from, to) arrive spread over ms.
async function arrivals(customers, from, to, ms) {
  const started = [];
  const t0 = Date.now();
  for (let i = from; i < to; i++) {
    const due = t0 + ((i - from) * ms) / (to - from);
    if (due > Date.now()) await sleep(due - Date.now());
    started.push(arrive(i, customers[i]));
  }
  await Promise.all(started);
}

// Sorted events of a conversation (by seq).
const eventsOf = (conv) => [...(rec.events.get(conv) || new Map()).values()].sort((a, b) => a.seq - b.seq);

// When conv waited, from its events: intervals with their start within
// [sLo, sHi] and their end within [eLo, eHi]. A route step decides in the
// routing slot and writes its event after, so an assignment took effect
// between the accept being sent and its joined event; an opening enters
// the queue just after its event; a requeue was decided just before its
// left event.
function waitingIntervals(conv, band) {
  const out = [];
  let cur = null;
  for (const e of eventsOf(conv)) {
    if (e.kind === 'opened') {
      cur = { sLo: e.ts - band, sHi: e.ts + band };
    } else if (e.kind === 'joined' && cur) {
      const a = rec.accepts.find((x) => x.conv === conv && x.ok && x.seq === e.seq);
      out.push({ ...cur, eLo: (a ? Math.min(a.sent, e.ts) : e.ts - 1000) - band, eHi: e.ts + band });
      cur = null;
    } else if (e.kind === 'left' && (e.reason === 'queue' || e.reason === 'offline')) {
      cur = { sLo: e.ts - 1000, sHi: e.ts + band };
    } else if (e.kind === 'closed') {
      if (cur) out.push({ ...cur, eLo: e.ts - band, eHi: e.ts + 1000 });
      cur = null;
    }
  }
  if (cur) out.push({ ...cur, eLo: Infinity, eHi: Infinity });
  return out;
}

// On a cluster the routing suite covers what differs (one slot for the
// routing state); the scenario's half minute runs once, on one Redis.
const skip = CLUSTER ? 'runs on one Redis; routing.test.mjs covers the cluster' : false;

test('200 conversations, 5 agents, 2 nodes: routing holds its rules throughout', { timeout: 120000, skip }, async () => {
  const customers = Array.from({ length: N_CONVS }, (_, i) => makeCustomer(i));
  const t0 = Date.now();
  const monitor = await connect(nodes[0], token({ sub: 'monitor', name: 'Monitor', role: 'admin', capacity: 1 }), () => {});
  assert.equal((await monitor.request({ type: 'presence', status: 'away' })).type, 'ack');
  const bots = [
    new Bot({ sub: 'ag-1', name: 'Ana', role: 'agent', skills: 'platform,dns', capacity: 4 }, nodes[0]),
    new Bot({ sub: 'ag-2', name: 'Ben', role: 'agent', skills: 'wordpress,drupal,performance', capacity: 3 }, nodes[1]),
    new Bot({ sub: 'ag-3', name: 'Cy', role: 'agent', skills: 'platform,debugging', capacity: 2 }, nodes[0]),
    new Bot({ sub: 'ag-4', name: 'Di', role: 'agent', skills: 'dns,performance,wordpress', capacity: 5 }, nodes[1]),
    new Bot({ sub: 'ded-eng', name: 'Ed', role: 'agent', skills: 'platform,wordpress,drupal,dns,performance,debugging',
      capacity: 2 }, nodes[0]),
  ];
  const byId = Object.fromEntries(bots.map((b) => [b.id, b]));
  for (const b of bots) await b.connect();

  // This process must not stall (the times frames are seen at count).
  let lastTick = Date.now();
  const lagTimer = setInterval(() => {
    const now = Date.now();
    rec.maxLag = Math.max(rec.maxLag || 0, now - lastTick - 20);
    lastTick = now;
  }, 20);
  // The monitor reads every agent's load now and then.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const r = await monitor.request({ type: 'agents' }, { timeout: 10000 });
      if (r.type === 'agents') rec.polls.push({ t: Date.now(), items: r.items });
      else if (!errors.some((e) => e.startsWith('agents'))) errors.push(`agents answered ${JSON.stringify(r)}`);
      await sleep(200);
    }
  })();

  // Phase 1: half of the customers arrive.
  await arrivals(customers, 0, N_CONVS / 2, 5000);

  // A quiet point: nobody takes anything; the waiting line stands still,
  // and every waiting customer's last position must be their rank in
  // list scope=open.
  for (const b of bots) b.accepting = false;
  await Promise.all(bots.map((b) => b.presence('away')));
  await waitFor(() => bots.every((b) => b.inflight === 0), { timeout: 10000, what: 'no request in flight' });
  const quietList = await listWaiting(monitor);
  let lastShown;
  try {
    await waitFor(() => {
      lastShown = quietList.map((conv) => rec.queue.filter((q) => q.conv === conv).at(-1));
      return quietList.every((conv, i) => lastShown[i] && lastShown[i].position === i + 1 && lastShown[i].waiting === quietList.length);
    }, { timeout: 4000, what: 'every waiting customer shown their rank' });
  } catch (e) {
    const wrong = quietList.map((conv, i) => ({ conv, rank: i + 1, shown: lastShown[i] }))
      .filter((x) => !x.shown || x.shown.position !== x.rank || x.shown.waiting !== quietList.length);
    dump();
    assert.fail(`at a quiet point ${wrong.length} of ${quietList.length} waiting customers were last shown a wrong place: ${JSON.stringify(wrong.slice(0, 5))}`);
  }
  assert.deepEqual(await listWaiting(monitor), quietList, 'the line stood still');
  assert.ok(quietList.length > 0, 'a queue had built up by the quiet point');

  // Phase 2: the rest arrive while agents come and go.
  for (const b of bots) b.accepting = true;
  await Promise.all(bots.map((b) => b.presence('online')));
  const churn = (async () => {
    await sleep(1000);
    await byId['ag-2'].presence('away');
    await sleep(800);
    await byId['ag-4'].drop();
    await sleep(700);
    await byId['ag-3'].presence('away');
    await sleep(1200);
    await byId['ag-2'].presence('online');
    await byId['ag-4'].connect();
    await sleep(800);
    await byId['ag-3'].presence('online');
  })();
  await arrivals(customers, N_CONVS / 2, N_CONVS, 5000);
  await churn;

  // Everyone is served and every conversation closed.
  try {
    await waitFor(() => convs.size === N_CONVS && [...convs.keys()].every((c) => eventsOf(c).some((e) => e.kind === 'closed')),
      { timeout: 45000, interval: 200, what: 'every conversation closed' });
  } catch (e) {
    dump();
    const open = [...convs.keys()].filter((c) => !eventsOf(c).some((e) => e.kind === 'closed'));
    assert.fail(`${open.length} conversations never closed (e.g. ${JSON.stringify(open.slice(0, 3).map((c) => ({ ...convs.get(c), events: eventsOf(c).map((x) => x.kind) })))})`);
  }
  polling = false;
  await poller;
  clearInterval(lagTimer);
  // Scores as Redis holds them (queue order), checked against the rule.
  for (const [conv, m] of convs) {
    m.score = Number(redis.cli('HGET', `{r}:cv:${conv}`, 'score'));
    m.enq = Number(redis.cli('HGET', `{r}:cv:${conv}`, 'enq'));
    m.opened = eventsOf(conv)[0]?.ts;
  }
  const took = Date.now() - t0;

  const failures = [];
  const fail = (what) => { if (failures.length < 200) failures.push(what); };
  checkScores(fail);
  checkOneAgent(fail);
  checkCapacity(fail, bots);
  checkOffers(fail, bots);
  const pairs = checkOrder(fail);
  const exact = checkPositions(fail);
  checkAway(fail);
  if (errors.length) fail(`client errors: ${errors.slice(0, 5).join('; ')}`);
  if (failures.length || process.env.CHATD_SCENARIO_DUMP) dump();
  assert.deepEqual(failures, [], `seed ${SEED}`);
  const served = [...convs.keys()].filter((c) => eventsOf(c).some((e) => e.kind === 'joined')).length;
  assert.equal(served, N_CONVS, 'every customer was served');
  const offline = [...convs.keys()].filter((c) => eventsOf(c).some((e) => e.kind === 'left' && e.reason === 'offline'));
  console.log(`# scenario seed ${SEED}: ${N_CONVS} served in ${took} ms; ${rec.offers.length} offers, ` +
    `${rec.declines.length} declines, ${rec.withdrawn.filter((w) => w.reason === 'expired').length} expired, ` +
    `${offline.length} requeued when an agent dropped, ${rec.queue.length} queue frames (${exact} matched to a moment of the line), ` +
    `quiet line of ${quietList.length}; ${pairs} (offer, conversation ahead) pairs checked; this process stalled ${rec.maxLag} ms at most`);
  assert.ok(pairs > 1000 && rec.queue.length > 200, 'the checks had something to check');
});

async function listWaiting(c) {
  const items = [];
  let before;
  for (;;) {
    const r = await c.request({ type: 'list', scope: 'open', limit: 200, ...(before ? { before } : {}) });
    assert.equal(r.type, 'conversations', JSON.stringify(r));
    items.push(...r.items);
    if (!r.next) break;
    before = r.next;
  }
  return items.filter((i) => i.status === 'waiting' && !i.held_until).map((i) => i.conv);
}

function dump() {
  const file = join(tmpdir(), `chatd-scenario-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ ...rec, events: Object.fromEntries([...rec.events].map(([k, v]) => [k, [...v.values()]])),
    convs: Object.fromEntries(convs), errors }));
  console.log(`# scenario record (seed ${SEED}): ${file}`);
}

// score = enq - head start of the class; enq is the arrival.
function checkScores(fail) {
  for (const [conv, m] of convs) {
    if (!Number.isFinite(m.score) || m.score !== m.enq - HEAD[m.cls]) {
      fail(`${conv} (${m.tier}): score ${m.score} != enq ${m.enq} - ${HEAD[m.cls]}`);
    }
    if (Math.abs(m.enq - m.opened) > 1000) fail(`${conv}: enqueued at ${m.enq}, opened at ${m.opened}`);
  }
}

// Per conversation, in seq order: joined only when nobody has it, left
// and closed only from the one who has it.
function checkOneAgent(fail) {
  for (const conv of convs.keys()) {
    let holder = null;
    for (const e of eventsOf(conv)) {
      if (e.kind === 'joined') {
        if (holder) fail(`${conv}: ${e.from.id} joined (seq ${e.seq}) while ${holder} had it`);
        holder = e.from.id;
      } else if (e.kind === 'left') {
        if (e.from.id !== holder) fail(`${conv}: ${e.from.id} left (seq ${e.seq}) but ${holder} had it`);
        holder = null;
      } else if (e.kind === 'closed') {
        holder = null;
      }
    }
  }
  // Every accept acked is the joined event of that agent, via offer.
  for (const a of rec.accepts.filter((x) => x.ok)) {
    const j = rec.events.get(a.conv)?.get(a.seq);
    if (!j || j.kind !== 'joined' || j.from.id !== a.agent || j.via !== 'offer') {
      fail(`accept of ${a.conv} by ${a.agent} acked seq ${a.seq}, which is ${JSON.stringify(j && { kind: j.kind, from: j.from.id, via: j.via })}`);
    }
  }
}

// Load over time from the events (a release before an assignment at the
// same ms), and from the monitor's agents polls.
function checkCapacity(fail, bots) {
  const cap = Object.fromEntries(bots.map((b) => [b.id, b.capacity]));
  const deltas = [];
  for (const conv of convs.keys()) {
    let holder = null;
    for (const e of eventsOf(conv)) {
      if (e.kind === 'joined') { holder = e.from.id; deltas.push([e.ts, 1, holder, conv]); }
      else if ((e.kind === 'left' || e.kind === 'closed') && holder) { deltas.push([e.ts, -1, holder, conv]); holder = null; }
    }
  }
  deltas.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const load = {};
  for (const [ts, d, agent, conv] of deltas) {
    load[agent] = (load[agent] || 0) + d;
    if (load[agent] > cap[agent]) fail(`${agent} held ${load[agent]} chats at ${ts} (capacity ${cap[agent]}; ${conv})`);
  }
  for (const p of rec.polls) {
    for (const it of p.items) {
      if (it.load > it.capacity) fail(`agents at ${p.t}: ${it.id} load ${it.load} > capacity ${it.capacity}`);
      if (cap[it.id] !== undefined && it.capacity !== cap[it.id]) fail(`agents: ${it.id} capacity ${it.capacity}, token ${cap[it.id]}`);
    }
  }
}

// Every offer: to an agent with the topic's skill; an organization's chat
// with dedicated engineers only to them until enqueued + delay.
function checkOffers(fail, bots) {
  const skills = Object.fromEntries(bots.map((b) => [b.id, b.skills]));
  for (const o of rec.offers) {
    const m = convs.get(o.conv);
    if (!m) { fail(`offer of an unknown conversation ${o.conv}`); continue; }
    const need = m.topic ? SKILL[m.topic] : '';
    if (need && !skills[o.agent].includes(need)) fail(`${o.conv} (topic ${m.topic}) offered to ${o.agent} without ${need}`);
    if (m.org === 'org-ded' && o.agent !== 'ded-eng' && o.at < m.enq + DED_MS - 50) {
      fail(`${o.conv} of org-ded offered to ${o.agent} ${o.at - m.enq} ms after it arrived`);
    }
    if (o.frame.tier !== m.tier || o.frame.class !== m.cls) fail(`offer of ${o.conv}: tier/class ${o.frame.tier}/${o.frame.class}`);
  }
}

// The score rule, as the tick applies it: an agent Q offered Y would also
// have been eligible for every conversation X that needs no skill, is not
// (or no longer) reserved for dedicated engineers and that Q never passed
// on; the tick goes through the queue in order, so such an X with a lower
// score cannot have been waiting un-offered around the moment Y was
// offered. A window around an agent dropping off is left out (offers to
// its closed connection are not seen).
function checkOrder(fail) {
  const M = 200;
  const blind = rec.drops.map((d) => [d.t - 200, d.t + GRACE_MS + 1000 + OFFER_MS + 500]);
  // When X was surely not waiting un-offered: before arrival, offered,
  // assigned, closed.
  const busy = new Map();
  for (const [conv, m] of convs) {
    const b = [[-Infinity, m.enq + SLACK]];
    for (const o of rec.offers.filter((x) => x.conv === conv)) {
      const ends = [
        rec.withdrawn.find((w) => w.conv === conv && w.agent === o.agent && w.t >= o.t)?.t,
        rec.declines.find((d) => d.conv === conv && d.agent === o.agent && d.t >= o.t)?.t,
        rec.accepts.find((a) => a.conv === conv && a.agent === o.agent && a.t >= o.t)?.t,
      ].filter((x) => x !== undefined);
      b.push([o.at - SLACK, (ends.length ? Math.min(...ends) : o.expires_at + 1000) + SLACK]);
    }
    let assigned = null;
    for (const e of eventsOf(conv)) {
      if (e.kind === 'joined') assigned = e.ts;
      else if (e.kind === 'left' && (e.reason === 'queue' || e.reason === 'offline')) { b.push([(assigned ?? e.ts) - SLACK, e.ts + SLACK]); assigned = null; }
      else if (e.kind === 'closed') { b.push([Math.min(assigned ?? e.ts, e.ts) - SLACK, Infinity]); assigned = null; }
    }
    if (assigned !== null) b.push([assigned - SLACK, Infinity]);
    busy.set(conv, b);
  }
  const passedOn = (conv, agent, t) => rec.offers.some((o) => o.conv === conv && o.agent === agent && o.t < t + 500 &&
    !rec.accepts.some((a) => a.conv === conv && a.agent === agent && a.ok && a.t >= o.t));
  const free = (conv, from, to) => busy.get(conv).every(([s, e]) => e <= from || s >= to);
  const ahead = (x, y) => x.score < y.score || (x.score === y.score && x.conv < y.conv);
  let pairs = 0;
  for (const o of rec.offers) {
    if (blind.some(([s, e]) => o.at >= s && o.at <= e)) continue;
    const y = { ...convs.get(o.conv), conv: o.conv };
    for (const [conv, m] of convs) {
      if (conv === o.conv || (m.topic && SKILL[m.topic])) continue;
      if (!ahead({ ...m, conv }, y)) continue;
      if (m.org === 'org-ded' && o.agent !== 'ded-eng' && o.at < m.enq + DED_MS + M) continue;
      if (passedOn(conv, o.agent, o.at)) continue;
      pairs++;
      if (free(conv, o.at - M, o.at + M)) {
        fail(`${o.conv} (${y.tier}, score ${y.score}) offered to ${o.agent} at ${o.at} while ${conv} (${m.tier}, score ${m.score}, ` +
          `no skill needed) waited un-offered ahead of it`);
      }
    }
  }
  return pairs;
}

// Queue frames come at most once a second, each telling something new,
// and every one showed the line as it really stood at some moment
// shortly before it arrived: at some time in [arrival - LAG, arrival +
// BAND] exactly position - 1 waiting conversations had a lower score and
// `waiting` waited in all. The events give when each conversation waited
// (waitingIntervals); one whose change falls in its window of doubt at
// that moment may count either way. The line only changes at those
// times, so they are the moments to try. LAG also covers any stall of
// this process.
function checkPositions(fail) {
  const BAND = 100;
  const LAG = 1000 + (rec.maxLag || 0);
  const waits = [...convs].map(([c, m]) => ({ c, m, w: waitingIntervals(c, BAND) }));
  // 1 waiting, 0 not, 0.5 maybe (a change of uncertain time).
  const state = (w, t) => {
    let v = 0;
    for (const i of w) {
      if (i.sHi <= t && t < i.eLo) return 1;
      if (t >= i.sLo && t < i.eHi) v = 0.5;
    }
    return v;
  };
  let exact = 0;
  const last = new Map(); // conv -> its previous frame
  for (const q of rec.queue) {
    const x = convs.get(q.conv);
    // At most one a second, and only when something in it changed.
    const prev = last.get(q.conv);
    last.set(q.conv, q);
    if (prev && q.t - prev.t < 1000 - 150 - (rec.maxLag || 0)) fail(`${q.conv}: queue frames ${q.t - prev.t} ms apart`);
    if (prev && prev.position === q.position && prev.waiting === q.waiting && prev.eta_ms === q.eta_ms) {
      fail(`${q.conv}: queue frame at ${q.t} the same as the one before (${q.position} of ${q.waiting})`);
    }
    if (!x) { fail(`queue frame for an unknown conversation ${q.conv}`); continue; }
    if (!(q.position >= 1 && q.position <= q.waiting)) { fail(`${q.conv}: position ${q.position} of ${q.waiting}`); continue; }
    if (q.cls !== x.cls) fail(`${q.conv}: queue class ${q.cls}, expected ${x.cls}`);
    const from = q.t - LAG;
    const to = q.t + BAND;
    const moments = new Set([q.t]);
    for (const { w } of waits) {
      for (const i of w) {
        for (const m of [i.sLo, i.sHi, i.eLo, i.eHi]) if (m >= from && m <= to) moments.add(m);
      }
    }
    const mine = waits.find((x) => x.c === q.conv).w;
    let seen = false;
    for (const t of moments) {
      if (state(mine, t) === 0) continue;
      let sureAhead = 0;
      let maybeAhead = 0;
      let sureBehind = 0;
      let maybeBehind = 0;
      for (const { c, m, w } of waits) {
        if (c === q.conv) continue;
        const v = state(w, t);
        if (!v) continue;
        const ahead = m.score < x.score || (m.score === x.score && c < q.conv);
        if (ahead) { if (v === 1) sureAhead++; else maybeAhead++; }
        else if (v === 1) sureBehind++;
        else maybeBehind++;
      }
      const a = q.position - 1 - sureAhead;
      const b = q.waiting - q.position - sureBehind;
      if (a >= 0 && a <= maybeAhead && b >= 0 && b <= maybeBehind) { seen = true; break; }
    }
    if (!seen) {
      const now = waits.filter(({ w }) => state(w, q.t) === 1);
      const ahead = now.filter(({ c, m }) => c !== q.conv && (m.score < x.score || (m.score === x.score && c < q.conv))).length;
      fail(`${q.conv} shown position ${q.position} of ${q.waiting} at ${q.t}: the line never stood so in the ${LAG} ms before ` +
        `(at arrival: ${ahead + 1} of ${now.length})`);
    } else {
      exact++;
    }
  }
  return exact;
}

// No offer is made to an agent while they are away (from the ack of away
// to the sending of online).
function checkAway(fail) {
  const byAgent = {};
  for (const p of rec.presence) (byAgent[p.agent] ||= []).push(p);
  for (const [agent, ps] of Object.entries(byAgent)) {
    for (let i = 0; i < ps.length; i++) {
      if (ps[i].status !== 'away') continue;
      const from = ps[i].t + 100;
      const to = ps[i + 1] ? ps[i + 1].sent : Infinity;
      for (const o of rec.offers.filter((x) => x.agent === agent && x.at > from && x.at < to)) {
        fail(`${o.conv} offered to ${agent} at ${o.at} while away (${ps[i].t}..${to})`);
      }
    }
  }
}
