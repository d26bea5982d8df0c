// What the routing suites share: a fresh set of chatd nodes with a test
// policy on an emptied Redis for each test, opening with routing members,
// reading the queue as `list scope=open` shows it, and local time in a
// time zone (for chat hours).
import { before, after } from 'node:test';
import { startRedis as harnessRedis, Chatd, Client, token, customer, agent, details, uid, watch, defaultPolicy } from './harness.mjs';

// Fast routing timings (a grace long enough that a loaded machine does
// not lose agents; the presence tests set their own), and silver open
// every day (so that a test that is not about chat hours does not depend
// on today's date).
export function testPolicy(routing = {}, rest = {}) {
  const p = defaultPolicy();
  p.holidays = [];
  p.tiers.silver.chat.hours = '24x7';
  p.routing = { ...p.routing, aging_bound_s: 600, offer_timeout_s: 2, dedicated_delay_s: 2, presence_grace_s: 3,
    service_window_s: 900, ...routing };
  return { ...p, ...rest };
}

export const FAST = ['--rate', '100000', '--burst', '100000'];

// One Redis for the file (startRedis, the harness's by default: one
// redis-server, or a cluster); each test calls env.start(t, ...) for its
// own nodes on the emptied Redis, stopped (and their clients closed) when
// the test ends.
export function useRouting(startRedis = harnessRedis) {
  const env = {
    redis: null,
    nodes: [],
    clients: [],
    get node() { return this.nodes[0]; },
    async start(t, { policy = testPolicy(), nodes = 1, args = [] } = {}) {
      this.redis.flushAll();
      this.nodes = [];
      this.clients = [];
      t.after(() => this.stop());
      for (let i = 0; i < nodes; i++) {
        this.nodes.push(await new Chatd(this.redis, ['--node', `n${i}`, ...FAST, ...args], { policy }).start());
      }
      return this;
    },
    async stop() {
      for (const c of this.clients) c.terminate();
      this.clients = [];
      for (const n of this.nodes) await n.stop();
      this.nodes = [];
    },
    // Connects claims to node (default the first) and signs in.
    async connect(claims, node = this.nodes[0]) {
      const c = await Client.connect(node.url);
      this.clients.push(c);
      await c.auth(token(claims));
      return c;
    },
  };
  before(async () => { env.redis = await startRedis(); });
  after(async () => {
    await env.stop();
    await env.redis?.destroy();
  });
  return env;
}

// Claims of a customer of a tier (and org) and of an agent with skills
// and a capacity.
export const cust = (tier = 'gold', extra = {}) => customer(uid(`c-${tier}`), { tier, ...extra });
export const agentWith = ({ skills = '', capacity = 3, role = 'agent', sub = uid('agent'), ...extra } = {}) =>
  agent(sub, { role, capacity, ...(skills ? { skills } : {}), ...extra });

// Sends an open with routing members; resolves with the answer (ack or
// error), and watches the conversation when it was opened.
export async function open(c, { summary = 'needs help', topic, tz, leave_message, watchIt = true } = {}) {
  const frame = { type: 'open', client_id: uid('open'), details: details(summary) };
  if (topic !== undefined) frame.topic = topic;
  if (tz !== undefined) frame.tz = tz;
  if (leave_message !== undefined) frame.leave_message = leave_message;
  const r = await c.request(frame);
  if (r.type === 'ack' && watchIt) await watch(c, r.conv, 0);
  return r;
}

export async function mustOpen(c, opts) {
  const r = await open(c, opts);
  if (r.type !== 'ack') throw new Error(`open failed: ${JSON.stringify(r)}`);
  return r;
}

// Every item of `list scope=open`, page after page, in server order.
export async function listOpen(c, limit = 200) {
  const items = [];
  let before;
  for (;;) {
    const r = await c.request({ type: 'list', scope: 'open', limit, ...(before ? { before } : {}) });
    if (r.type !== 'conversations') throw new Error(`list answered ${JSON.stringify(r)}`);
    items.push(...r.items);
    if (!r.next) return items;
    before = r.next;
  }
}

// The waiting conversations in queue order, as list scope=open shows them.
export async function waitingOrder(c) {
  return (await listOpen(c)).filter((i) => i.status === 'waiting' && !i.held_until).map((i) => i.conv);
}

export const isOffer = (conv) => (f) => f.type === 'offer' && f.state === 'offered' && (!conv || f.conv === conv);
export const isWithdrawn = (conv, reason) => (f) => f.type === 'offer' && f.state === 'withdrawn' && f.conv === conv &&
  (!reason || f.reason === reason);
export const isKind = (conv, kind) => (f) => f.type === 'event' && f.conv === conv && f.kind === kind;

// Resolves true when no frame matching pred arrives within ms (from the
// frames received so far on).
export async function noFrame(c, pred, ms, from = 0) {
  try {
    await c.wait(pred, { timeout: ms, from });
    return false;
  } catch {
    return true;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Local calendar fields of a UTC time in a time zone.
export function zoned(ms, tz) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
  const o = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(o.weekday);
  return { y: +o.year, m: +o.month, d: +o.day, h: +o.hour, mi: +o.minute, s: +o.second, wd };
}

function offsetAt(ms, tz) {
  const p = zoned(ms, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000;
}

// UTC ms of 00:00 local of y-m-d in tz.
export function localMidnight(y, m, d, tz) {
  const guess = Date.UTC(y, m - 1, d);
  const t = guess - offsetAt(guess, tz);
  return guess - offsetAt(t, tz);
}

export const ymd = ({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

// The local date n days after the one given (calendar arithmetic).
export function addDays({ y, m, d }, n) {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), wd: t.getUTCDay() };
}

// When 24x5 chat next opens after a closed today: the first later local
// day that is Monday..Friday and no holiday, at 00:00.
export function next24x5Opening(now, tz, holidays) {
  let day = zoned(now, tz);
  for (let i = 1; i <= 14; i++) {
    const next = addDays(day, i);
    if (next.wd >= 1 && next.wd <= 5 && !holidays.includes(ymd(next))) return localMidnight(next.y, next.m, next.d, tz);
  }
  throw new Error('no opening within two weeks');
}

// A time zone in which now is a weekday (Monday..Thursday when there is
// one, so that tomorrow is a weekday too), at least ten minutes from local
// midnight on either side.
export function weekdayZone(now = Date.now()) {
  const zones = ['America/New_York', 'Europe/Paris', 'Asia/Tokyo', 'Pacific/Auckland', 'America/Los_Angeles',
    'Asia/Kolkata', 'UTC', 'Pacific/Honolulu', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Dubai'];
  const ok = (tz, days) => {
    const p = zoned(now, tz);
    const mins = p.h * 60 + p.mi;
    return days.includes(p.wd) && mins >= 10 && mins <= 24 * 60 - 10;
  };
  return zones.find((tz) => ok(tz, [1, 2, 3, 4])) || zones.find((tz) => ok(tz, [1, 2, 3, 4, 5])) || zones[0];
}
