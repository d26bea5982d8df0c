#!/usr/bin/env node
// The routing measurements of `make bench`, against chatd nodes already
// running on one Redis (scripts/bench starts two, with a policy that keeps
// chat open for every tier):
//   --mode assign: assignments per second. --convs conversations of mixed
//     tiers are opened (through a few customer connections, closed again:
//     the queue is what matters), then --agents agents of --capacity
//     connect, spread over the nodes, accept every offer as it arrives and
//     close the conversation as soon as the accept is acked, so the router
//     keeps offering. For each one accepted a new customer opens one, so
//     the queue stays at its size. Counts accepted assignments over
//     --duration seconds after --warmup seconds, with chatd's, Redis's and
//     this client's CPU over that window, and how long a freed place
//     waited for its next offer.
//   --mode positions: --watchers customers, each with one waiting
//     conversation, spread over the nodes. Changes at the head of the queue
//     alternate: a new diamond conversation arrives (everyone moves back
//     one), an agent claims it (everyone moves up one). Measures, from each
//     change's ack, the time until the first and the last customer had a
//     `queue` frame with their new position. Changes are spaced 1.1..1.5 s
//     apart, so the once-a-second limit on snapshots does not hold them back.
// Prints a short report, then RESULT and PROBLEM lines for scripts/bench.
//
// Written for Node rather than C: these runs measure the server's routing
// path (route scripts in Redis, ticks, position snapshots), not message
// throughput. The agents do get some 300 frames per assignment (every
// agent sees each opening, assignment and close in its feed, and agent
// updates): this client speaks WebSocket itself over plain sockets, reads
// a frame's type from its bytes and decodes only the frames it needs, and
// reports its own CPU beside chatd's and Redis's so that what it takes
// from a small machine shows.
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect as connectTcp } from 'node:net';

const { values: opt } = parseArgs({
  options: {
    mode: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    ports: { type: 'string' }, // comma-separated, one per node
    'server-pid': { type: 'string', default: '' },
    'redis-pid': { type: 'string', default: '' },
    'redis-sock': { type: 'string', default: '' },
    convs: { type: 'string', default: '10000' },
    agents: { type: 'string', default: '100' },
    capacity: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    watchers: { type: 'string', default: '2000' },
    changes: { type: 'string', default: '12' },
    sources: { type: 'string', default: '8' },
    'setup-limit': { type: 'string', default: '120' },
    label: { type: 'string', default: '-' },
  },
});

const ports = (opt.ports || '').split(',').filter(Boolean).map(Number);
if (!ports.length || !['assign', 'positions'].includes(opt.mode)) {
  process.stderr.write('usage: route.mjs --mode assign|positions --ports P[,P] [options]\n');
  process.exit(2);
}
const int = (name) => {
  const v = Number(opt[name]);
  if (!Number.isInteger(v) || v < 0) {
    process.stderr.write(`route.mjs: --${name} must be a whole number\n`);
    process.exit(2);
  }
  return v;
};
const N_CONVS = int('convs');
const N_AGENTS = int('agents');
const CAPACITY = int('capacity');
const WARMUP_S = int('warmup');
const DURATION_S = int('duration');
const N_WATCHERS = int('watchers');
const N_CHANGES = int('changes');
const SOURCES = Math.max(1, int('sources'));
const SETUP_LIMIT_MS = int('setup-limit') * 1000;
const TIMEOUT_MS = 30000;
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;

const now = () => performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- problems -------------------------------------------------------------

const problems = new Map();
function problem(what) {
  problems.set(what, (problems.get(what) || 0) + 1);
}

// ---- tokens -----------------------------------------------------------------

const [KID, KEY_HEX] = (() => {
  const first = (process.env.CHAT_JWT_KEYS || '').split(',')[0];
  const i = first.indexOf(':');
  if (i <= 0) {
    process.stderr.write('route.mjs: CHAT_JWT_KEYS (kid:hex) is required\n');
    process.exit(2);
  }
  return [first.slice(0, i), first.slice(i + 1)];
})();
const KEY = Buffer.from(KEY_HEX, 'hex');
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', kid: KID, typ: 'JWT' })).toString('base64url');

// The token `chatd token` would mint (HS256, the first key), made here:
// thousands of them, one process spawn each would dominate the setup.
function token(claims) {
  const t = Math.floor(Date.now() / 1000);
  const body = Buffer.from(JSON.stringify({ iat: t, nbf: t, exp: t + 3600, org_role: 'member', ...claims }))
    .toString('base64url');
  const sig = createHmac('sha256', KEY).update(`${HEADER}.${body}`).digest('base64url');
  return `${HEADER}.${body}.${sig}`;
}

const customer = (sub, tier) => ({ sub, name: `Customer ${sub}`, role: 'customer', tier, org: 'org-bench',
  site: 'site-bench' });
const agent = (sub, capacity) => ({ sub, name: `Agent ${sub}`, role: 'agent', tier: 'gold', capacity, skills: [] });

// ---- connections --------------------------------------------------------------

// Frame types whose JSON a connection reads; others are counted only.
const skipped = new Map(); // type -> frames received and not read
const READ = new Set(['hello', 'ack', 'error', 'offer', 'queue', 'conversations', 'pong']);

// A chat.v1 client over a plain TCP socket, with just the WebSocket this
// needs (RFC 6455: handshake, text frames out with a zero mask, text,
// close and ping frames in). The agents of the assignment runs get some
// 300 feed and agent frames per assignment; a general library's cost per
// frame would make this client as busy as Redis on a small machine.
class Conn {
  constructor(node, { source, onFrame } = {}) {
    this.pending = new Map();
    this.n = 0;
    this.onFrame = onFrame || (() => {});
    this.closedByUs = false;
    this.upgraded = false;
    this.buf = Buffer.alloc(0);
    this.frag = null;
    this.closeCode = 1006;
    this.sock = connectTcp({ host: opt.host, port: ports[node], ...(source ? { localAddress: source } : {}) });
    this.sock.setNoDelay(true);
    this.opened = new Promise((resolve, reject) => {
      this.upgradedCb = resolve;
      this.sock.once('error', reject);
      this.sock.once('connect', () => {
        this.sock.write(`GET /ws HTTP/1.1\r\nHost: ${opt.host}:${ports[node]}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat.v1\r\n\r\n');
      });
      this.failUpgrade = reject;
    });
    this.sock.on('error', () => {});
    this.sock.on('data', (d) => this.data(d));
    this.sock.on('close', () => {
      const code = this.closeCode;
      if (!this.upgraded) this.failUpgrade(new Error('the handshake failed'));
      if (!this.closedByUs) problem(`connection closed by the server with ${code}`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`closed (${code})`));
      }
      this.pending.clear();
    });
  }
  data(d) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (!this.upgraded) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.latin1Slice(0, end);
      if (!/^HTTP\/1\.1 101 /.test(head)) {
        this.failUpgrade(new Error(head.split('\r\n')[0]));
        this.sock.destroy();
        return;
      }
      this.buf = this.buf.subarray(end + 4);
      this.upgraded = true;
      this.upgradedCb();
    }
    let b = this.buf;
    while (b.length >= 2) {
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) break;
      const fin = b[0] & 0x80;
      const op = b[0] & 0x0f;
      const payload = b.subarray(off, off + len);
      b = b.subarray(off + len);
      if (op === 1 || op === 0) {
        if (!fin) {
          this.frag = this.frag ? Buffer.concat([this.frag, payload]) : Buffer.from(payload);
        } else if (this.frag) {
          const whole = Buffer.concat([this.frag, payload]);
          this.frag = null;
          this.receive(whole);
        } else {
          this.receive(payload);
        }
      } else if (op === 8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.sock.destroy();
        return;
      } else if (op === 9) {
        this.write(payload, 0x8a);
      }
    }
    this.buf = b.length ? Buffer.from(b) : Buffer.alloc(0);
  }
  // One frame, FIN set, masked with a zero key (the mask bit is required
  // from clients; the key's value is not).
  write(payload, first = 0x81) {
    const n = payload.length;
    const head = Buffer.alloc(n < 126 ? 6 : n < 65536 ? 8 : 14);
    head[0] = first;
    if (n < 126) {
      head[1] = 0x80 | n;
    } else if (n < 65536) {
      head[1] = 0x80 | 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    this.sock.write(Buffer.concat([head, payload]));
  }
  // Most frames an agent gets are feeds and agent updates: their type is
  // read from the bytes, and the rest of them is not decoded.
  receive(data) {
    const t = now();
    if (data.length > 12 && data[0] === 0x7b && data[2] === 0x74 && data[8] === 0x22) { // {"type":"
      const end = data.indexOf(0x22, 9);
      const type = data.latin1Slice(9, end);
      if (!READ.has(type)) {
        skipped.set(type, (skipped.get(type) || 0) + 1);
        return;
      }
    }
    const f = JSON.parse(data.toString());
    if (f.id !== undefined && f.type !== 'event') {
      const p = this.pending.get(f.id);
      if (p) {
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        p.resolve(f);
        return;
      }
    }
    this.onFrame(f, t);
  }
  request(frame) {
    const id = `r${++this.n}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${frame.type} within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.write(Buffer.from(JSON.stringify({ ...frame, id })));
    });
  }
  async auth(claims) {
    const r = await this.request({ type: 'auth', token: token(claims) });
    if (r.type !== 'hello') throw new Error(`auth answered ${r.code || r.type}`);
    return r;
  }
  close() {
    this.closedByUs = true;
    this.sock.destroy();
  }
}

async function connect(node, claims, opts) {
  const c = new Conn(node, opts);
  await c.opened;
  await c.auth(claims);
  return c;
}

// Runs task(i) for i in 0..n-1, at most `width` at a time.
async function pool(n, width, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, width) }, worker));
}

const source = (i) => (SOURCES > 1 ? `127.0.0.${2 + (i % SOURCES)}` : undefined);

function openFrame(clientId, summary) {
  return { type: 'open', client_id: clientId, details: { summary } };
}

// ---- CPU ------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// user+sys seconds of the processes (comma-separated pids), summed.
function pidsCpu(pids) {
  let s = 0;
  for (const p of pids.split(',').filter(Boolean)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      s += (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
    } catch {}
  }
  return s;
}

// Busy seconds of all cores (/proc/stat: user nice system irq softirq steal).
function machineCpu() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return (f[1] + f[2] + f[3] + f[6] + f[7] + f[8]) / CLK_TCK;
  } catch {
    return 0;
  }
}

function cpuSample() {
  const u = process.cpuUsage();
  return { t: now(), server: pidsCpu(opt['server-pid']), redis: pidsCpu(opt['redis-pid']),
    client: (u.user + u.system) / 1e6, all: machineCpu() };
}

// % of one core of each, between two samples; other: the rest of the
// machine (other processes).
function cpuPct(a, b) {
  const s = (b.t - a.t) / 1000;
  const pct = (x) => Math.round(((b[x] - a[x]) / s) * 100);
  const r = { server: pct('server'), redis: pct('redis'), client: pct('client') };
  r.other = Math.max(0, pct('all') - r.server - r.redis - r.client);
  return r;
}

function redisCli(...args) {
  if (!opt['redis-sock']) return null;
  try {
    return execFileSync('redis-cli', ['-s', opt['redis-sock'], ...args], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const waitingInQueue = () => Number(redisCli('ZCOUNT', '{r}:board', '-inf', '(1e13'));

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const line = (what, value) => console.log(`  ${what.padEnd(48)} ${value}`);

function printProblems() {
  for (const [what, n] of problems) {
    console.log(`  PROBLEM ${n} x ${what}`);
    console.log(`PROBLEM count=${n} what=${what}`);
  }
}

// ---- assignments per second ---------------------------------------------------------

const FEEDERS = 24;
const TIERS = ['silver', 'gold', 'gold', 'platinum', 'silver', 'gold', 'platinum', 'diamond'];

// Opens n conversations of mixed tiers through one customer connection
// per tier and node, 32 in flight on each; closes the connections after.
async function fillQueue(n) {
  const tiers = [...new Set(TIERS)];
  const conns = [];
  for (const tier of tiers) {
    for (let node = 0; node < ports.length; node++) {
      conns.push({ tier, c: await connect(node, customer(`bq-${RUN}-${tier}-${node}`, tier)), todo: [] });
    }
  }
  for (let i = 0; i < n; i++) {
    const tier = TIERS[i % TIERS.length];
    const mine = conns.filter((x) => x.tier === tier);
    mine[Math.floor(i / TIERS.length) % mine.length].todo.push(i);
  }
  let failed = 0;
  await Promise.all(conns.flatMap((x) => Array.from({ length: 32 }, async () => {
    while (x.todo.length) {
      const i = x.todo.shift();
      const r = await x.c.request(openFrame(`o-${RUN}-${i}`, `bench conversation ${i}`));
      if (r.type !== 'ack') {
        failed++;
        problem(`open answered ${r.code || r.type}`);
      }
    }
  })));
  for (const x of conns) x.c.close();
  return n - failed;
}

async function assign() {
  const t0 = now();
  const opened = await fillQueue(N_CONVS);
  const fillS = (now() - t0) / 1000;
  // Each open enters the queue as its outbox entry is applied: wait until
  // they all have (when this client may read Redis).
  if (opt['redis-sock']) {
    const deadline = now() + SETUP_LIMIT_MS;
    while (waitingInQueue() < opened && now() < deadline) await sleep(100);
  }
  const queued = opt['redis-sock'] ? waitingInQueue() : opened;
  if (queued < opened) problem(`only ${queued} of ${opened} opened conversations reached the queue`);

  const st = { accepted: 0, closed: 0, offers: 0, opened: 0, refused: new Map(), withdrawn: new Map() };
  const lat = { accept: [], close: [], open: [] }; // ms to the ack, in the window
  const gaps = []; // ms from a freed place to the agent's next offer, in the window
  let windowOpen = false;
  // The queue is held at its size: for each accepted conversation a new
  // customer opens one (FEEDERS connections on each node, as chatd answers
  // one connection's requests in order; a new customer every 128 opens,
  // who disconnects after: no positions are sent to them).
  let deficit = 0;
  let feeding = true;
  const feeder = async (node, slot) => {
    for (let k = slot; feeding; k += FEEDERS) {
      if (deficit <= 0) {
        await sleep(5);
        continue;
      }
      const tier = TIERS[k % TIERS.length];
      let c;
      try {
        c = await connect(node, customer(`bf-${RUN}-${node}-${k}`, tier));
        let n = 0;
        await Promise.all(Array.from({ length: 4 }, async () => {
          while (feeding && deficit > 0 && n < 128) {
            deficit--;
            const i = n++;
            const to = now();
            const r = await c.request(openFrame(`f-${RUN}-${node}-${k}-${i}`, `bench conversation ${node}.${k}.${i}`));
            if (windowOpen) lat.open.push(now() - to);
            if (r.type === 'ack') st.opened++;
            else problem(`open answered ${r.code || r.type}`);
          }
        }));
      } catch (e) {
        if (feeding) problem(`feeder: ${e.message}`);
      }
      c?.close();
    }
  };
  const feeders = ports.flatMap((_, node) => Array.from({ length: FEEDERS }, (_x, slot) => feeder(node, slot)));
  const agents = [];
  const startAgent = async (i) => {
    const freed = []; // times places were freed, oldest first
    const a = { freed };
    const onFrame = (f, t) => {
      if (f.type !== 'offer') return;
      if (f.state !== 'offered') {
        st.withdrawn.set(f.reason, (st.withdrawn.get(f.reason) || 0) + 1);
        return;
      }
      st.offers++;
      const since = freed.shift();
      if (since !== undefined && windowOpen) gaps.push(t - since);
      takeOffer(a, f.conv);
    };
    // Offers may come before the hello has been handled here.
    a.c = new Conn(i % ports.length, { onFrame });
    agents.push(a);
    await a.c.opened;
    await a.c.auth(agent(`ba-${RUN}-${i}`, CAPACITY));
  };
  const takeOffer = async (a, conv) => {
    try {
      const ta = now();
      const r = await a.c.request({ type: 'accept', client_id: `a-${conv}`, conv });
      if (windowOpen) lat.accept.push(now() - ta);
      if (r.type !== 'ack') {
        st.refused.set(r.code, (st.refused.get(r.code) || 0) + 1);
        a.freed.push(now());
        return;
      }
      st.accepted++;
      deficit++;
      const tx = now();
      const x = await a.c.request({ type: 'close', client_id: `x-${conv}`, conv, reason: 'bench' });
      if (windowOpen) lat.close.push(now() - tx);
      if (x.type !== 'ack') problem(`close answered ${x.code || x.type}`);
      else st.closed++;
      a.freed.push(now());
    } catch (e) {
      if (!a.c.closedByUs) problem(e.message);
    }
  };
  const t1 = now();
  await pool(N_AGENTS, 50, startAgent);
  const connectS = (now() - t1) / 1000;

  await sleep(WARMUP_S * 1000);
  const c0 = cpuSample();
  const a0 = st.accepted;
  const o0 = st.opened;
  const low0 = opt['redis-sock'] ? waitingInQueue() : queued;
  windowOpen = true;
  await sleep(DURATION_S * 1000);
  windowOpen = false;
  const c1 = cpuSample();
  const a1 = st.accepted;
  const o1 = st.opened;
  const left = opt['redis-sock'] ? waitingInQueue() : queued - st.accepted + st.opened;
  feeding = false;
  for (const a of agents) a.c.close();
  await Promise.all(feeders);

  const secs = (c1.t - c0.t) / 1000;
  const n = a1 - a0;
  const rate = n / secs;
  const cpu = cpuPct(c0, c1);
  const redisUs = n ? ((c1.redis - c0.redis) * 1e6) / n : NaN;
  const serverUs = n ? ((c1.server - c0.server) * 1e6) / n : NaN;
  gaps.sort((x, y) => x - y);
  const drained = left < queued / 2;
  if (drained) problem(`the queue ran low (${left} waiting at the end of the window)`);
  for (const [code, k] of st.refused) {
    if (code !== 'no_offer') problem(`accept answered ${code} (${k})`);
  }

  console.log(`\nROUTING, ASSIGNMENTS: ${queued} waiting conversations (tiers mixed), ${N_AGENTS} agents of ` +
    `capacity ${CAPACITY} over ${ports.length} nodes; each offer accepted at once, each chat closed after its ` +
    `ack; a new conversation opened for each one accepted, so the queue stays full (CPU per assignment ` +
    `includes that open); ${DURATION_S} s window after ${WARMUP_S} s warm-up`);
  line('queue filled', `${fillS.toFixed(1)} s (${Math.round(opened / fillS)} opens/s)`);
  line('agents connected', `${connectS.toFixed(1)} s`);
  line('assignments/s (accepts acked)', `${Math.round(rate)} (${n} in ${secs.toFixed(1)} s)`);
  line('offers / accepts refused (no_offer) in the run', `${st.offers} / ${st.refused.get('no_offer') || 0}`);
  line('freed place -> next offer p50 / p99', `${f1(quantile(gaps, 0.5))} / ${f1(quantile(gaps, 0.99))} ms`);
  const q = (v) => {
    v.sort((x, y) => x - y);
    return `${f1(quantile(v, 0.5))} / ${f1(quantile(v, 0.99))}`;
  };
  line('to the ack p50 / p99: accept; close; open', `${q(lat.accept)}; ${q(lat.close)}; ${q(lat.open)} ms`);
  line('redis CPU per assignment (with its open)', `${f1(redisUs)} us`);
  line('chatd CPU per assignment (both nodes, with open)', `${f1(serverUs)} us`);
  line('CPU % of one core: chatd (both) / redis / client', `${cpu.server} / ${cpu.redis} / ${cpu.client}`);
  line('  other processes\' CPU %', `${cpu.other}`);
  line('frames received and not read, per assignment', `${[...skipped].map(([k, v]) => `${k} ${f1(v / st.accepted)}`).join(', ')}`);
  line('opened to hold the queue, in the window', `${o1 - o0} (waiting: ${low0} at the start, ${left} at the end)`);
  printProblems();
  console.log(`RESULT route_assign label=${opt.label} convs=${queued} agents=${N_AGENTS} capacity=${CAPACITY} ` +
    `per_s=${rate.toFixed(1)} redis_us=${f1(redisUs)} server_us=${f1(serverUs)} server_cpu=${cpu.server} ` +
    `redis_cpu=${cpu.redis} client_cpu=${cpu.client} other_cpu=${cpu.other} gap_p50_ms=${f1(quantile(gaps, 0.5))} ` +
    `gap_p99_ms=${f1(quantile(gaps, 0.99))} left=${left} drained=${drained ? 1 : 0}`);
}

// ---- time to every customer's new position -------------------------------------------------

const WATCH_TIERS = ['silver', 'gold', 'platinum', 'gold'];

async function positions() {
  const watchers = [];
  // The agent who claims: away, so the router offers it nothing; there
  // before any conversation, so nothing is offered to it meanwhile.
  const ag = await connect(0, agent(`bp-${RUN}-agent`, 100));
  const pr = await ag.request({ type: 'presence', status: 'away' });
  if (pr.type !== 'ack') throw new Error(`presence answered ${pr.code || pr.type}`);

  let expectWaiting = -1; // how many wait, as the next frames should say
  let changeSent = Infinity;
  const t0 = now();
  await pool(N_WATCHERS, 200, async (i) => {
    const w = { last: null, want: 0, got: 0 };
    const onFrame = (f, t) => {
      if (f.type !== 'queue' || f.conv !== w.conv) return;
      w.last = f;
      if (!w.got && f.position === w.want && f.waiting === expectWaiting && t >= changeSent) w.got = t;
    };
    try {
      w.c = await connect(i % ports.length, customer(`bp-${RUN}-${i}`, WATCH_TIERS[i % WATCH_TIERS.length]),
        { source: source(i), onFrame });
      const r = await w.c.request(openFrame(`p-${RUN}-${i}`, `waiting ${i}`));
      if (r.type !== 'ack') throw new Error(`open answered ${r.code || r.type}`);
      w.conv = r.conv;
      w.node = i % ports.length;
      watchers.push(w);
    } catch (e) {
      problem(`watcher setup: ${e.message}`);
      w.c?.close();
    }
  });
  const setupS = (now() - t0) / 1000;
  expectWaiting = watchers.length;

  // Settled: every watcher was told the whole queue.
  const deadline = now() + SETUP_LIMIT_MS;
  while (watchers.some((w) => !w.last || w.last.waiting !== expectWaiting) && now() < deadline) await sleep(100);
  const told = watchers.filter((w) => w.last && w.last.waiting === expectWaiting).length;
  if (told < watchers.length) problem(`${watchers.length - told} customers never had their first position`);
  for (const w of watchers) w.base = w.last ? w.last.position : 0;
  const settleS = (now() - t0) / 1000 - setupS;

  const arrival = await connect(1 % ports.length, customer(`bp-${RUN}-arrival`, 'diamond'));
  await sleep(2000); // the snapshots of the customers' arrival are over
  const lasts = [];
  const firsts = [];
  const fromSend = [];
  const acks = [];
  let missing = 0;
  let head = null;
  const c0 = cpuSample();
  for (let k = 0; k < N_CHANGES; k++) {
    await sleep(1100 + Math.random() * 400);
    const arrive = k % 2 === 0;
    expectWaiting += arrive ? 1 : -1;
    for (const w of watchers) {
      w.want = w.base + (arrive ? 1 : 0);
      w.got = 0;
    }
    changeSent = now();
    let r;
    if (arrive) {
      r = await arrival.request(openFrame(`pa-${RUN}-${k}`, `arrival ${k}`));
      head = r.conv;
    } else {
      r = await ag.request({ type: 'claim', client_id: `pc-${RUN}-${k}`, conv: head });
    }
    const acked = now();
    if (r.type !== 'ack') {
      problem(`${arrive ? 'open' : 'claim'} answered ${r.code || r.type}`);
      break;
    }
    const until = now() + 10000;
    while (watchers.some((w) => !w.got) && now() < until) await sleep(5);
    const got = watchers.filter((w) => w.got).map((w) => w.got);
    missing += watchers.length - got.length;
    if (got.length < watchers.length) {
      problem(`${watchers.length - got.length} customers had no new position within 10 s of a change`);
      for (const w of watchers) w.base = w.last ? w.last.position - (arrive ? 1 : 0) : w.base;
    }
    if (got.length) {
      const last = Math.max(...got);
      lasts.push(last - acked);
      firsts.push(Math.min(...got) - acked);
      fromSend.push(last - changeSent);
      acks.push(acked - changeSent);
      // Each change, from its sending: the ack, the first and the last
      // customer updated, and the last on each node.
      const perNode = ports.map((_, node) => f1(watchers.reduce((m, w) => (w.node === node ? Math.max(m, w.got) : m), 0) -
        changeSent));
      process.stderr.write(`change ${k + 1} (${arrive ? 'arrival' : 'claim'}): ack ${f1(acked - changeSent)}, first ` +
        `${f1(Math.min(...got) - changeSent)}, last ${f1(last - changeSent)} ms (per node: ${perNode.join(', ')})\n`);
    }
  }
  const c1 = cpuSample();
  for (const w of watchers) w.c.close();
  arrival.close();
  ag.close();

  const cpu = cpuPct(c0, c1);
  const sl = [...lasts].sort((x, y) => x - y);
  const sf = [...firsts].sort((x, y) => x - y);
  const ss = [...fromSend].sort((x, y) => x - y);
  const sa = [...acks].sort((x, y) => x - y);
  console.log(`\nROUTING, POSITIONS: ${watchers.length} connected customers waiting (silver, gold, platinum) over ` +
    `${ports.length} nodes; ${lasts.length} changes at the head (a diamond arrival, then its claim), ` +
    '1.1..1.5 s apart; time from the change\'s ack to the customers\' queue frames with their new position. ' +
    'Each node sends positions at most once a second by design: these changes came after a quiet second, ' +
    'so they show the server\'s own delay; a change within a second of the last one waits up to 1 s more.');
  line('customers connected, each opened one', `${setupS.toFixed(1)} s (then ${settleS.toFixed(1)} s until every one had its position)`);
  line('change ack -> last customer updated p50 / p99', `${f1(quantile(sl, 0.5))} / ${f1(quantile(sl, 0.99))} ms`);
  line('change ack -> first customer updated p50', `${f1(quantile(sf, 0.5))} ms (negative: before the ack)`);
  line('change sent -> its ack p50; -> last updated p50 / p99', `${f1(quantile(sa, 0.5))}; ` +
    `${f1(quantile(ss, 0.5))} / ${f1(quantile(ss, 0.99))} ms`);
  line('CPU % of one core: chatd (both) / redis / client', `${cpu.server} / ${cpu.redis} / ${cpu.client}`);
  line('  other processes\' CPU %', `${cpu.other}`);
  printProblems();
  console.log(`RESULT route_positions label=${opt.label} watchers=${watchers.length} changes=${lasts.length} ` +
    `last_p50_ms=${f1(quantile(sl, 0.5))} last_p99_ms=${f1(quantile(sl, 0.99))} ` +
    `first_p50_ms=${f1(quantile(sf, 0.5))} sent_p50_ms=${f1(quantile(ss, 0.5))} sent_p99_ms=${f1(quantile(ss, 0.99))} ` +
    `missing=${missing} server_cpu=${cpu.server} redis_cpu=${cpu.redis} ` +
    `client_cpu=${cpu.client} other_cpu=${cpu.other}`);
}

const limit = setTimeout(() => {
  process.stderr.write('route.mjs: gave up: the run took too long\n');
  process.exit(1);
}, SETUP_LIMIT_MS * 2 + (WARMUP_S + DURATION_S + N_CHANGES * 12) * 1000);
limit.unref();

try {
  await (opt.mode === 'assign' ? assign() : positions());
  process.exit(0);
} catch (e) {
  process.stderr.write(`route.mjs: ${e.stack || e.message}\n`);
  printProblems();
  process.exit(1);
}
