// Test harness: starts a real redis-server and real chatd nodes on free
// loopback ports (chatd --port 0 reports the port it bound), mints tokens
// with `chatd token`, and drives chat.v1 over real WebSockets. Every wait
// is on an event with a timeout; everything started is stopped again.
import { before, after } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const CHATD = process.env.CHATD_BIN || join(root, 'build', 'chatd');
export const EXAMPLES = join(root, 'protocol', 'examples');

export const KEYS = `k1:${randomBytes(32).toString('hex')},k2:${randomBytes(32).toString('hex')}`;
export const ID_SECRET = randomBytes(32).toString('hex');

export async function waitFor(check, { timeout = 5000, interval = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

function onceExit(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve({ code: proc.exitCode, signal: proc.signalCode });
    else proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

// A free loopback TCP port (for a Redis that chatd reaches over TCP).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A private redis-server. chatd reaches it over its unix socket, or over
// TCP when constructed with { port } (the tests' own redis-cli always uses
// the socket).
export class Redis {
  constructor({ port = 0 } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'chatd-redis-'));
    this.sock = join(this.dir, 'redis.sock');
    this.port = port;
    this.url = port ? `redis://127.0.0.1:${port}` : `unix:${this.sock}`;
    this.proc = null;
  }
  async start() {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--unixsocket', this.sock,
      '--dir', this.dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitFor(() => {
      try { return this.cli('PING') === 'PONG'; } catch { return false; }
    }, { what: 'redis to answer PING' });
    return this;
  }
  cli(...args) {
    return execFileSync('redis-cli', ['-s', this.sock, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  }
  // Empties the database (between tests that need a clean routing state).
  flushAll() { this.cli('FLUSHALL'); }
  async stop() {
    if (!this.proc) return;
    const exited = onceExit(this.proc);
    try { this.cli('SHUTDOWN', 'NOSAVE'); } catch { this.proc.kill('SIGKILL'); }
    await exited;
    this.proc = null;
  }
  async destroy() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// CHATD_TEST_REDIS=cluster runs the suites against a local Redis Cluster
// (three primaries, three replicas, scripts/redis-cluster) instead of one
// redis-server. Tests that need one Redis (a proxy in front of it, a
// SIGSTOP, its functions) skip themselves with SINGLE_REDIS_ONLY.
export const CLUSTER = process.env.CHATD_TEST_REDIS === 'cluster';
export const SINGLE_REDIS_ONLY = CLUSTER ? 'needs a single Redis' : false;

export class RedisCluster {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'chatd-cluster-'));
    this.base = 0;
  }
  // Six nodes on base..base+5 (their cluster bus on +10000): a base is
  // tried at random until one whose twelve ports are all free works. With
  // CHATD_TEST_CLUSTER_BASE (with-cluster.mjs runs the suites on one
  // cluster) that cluster is used, emptied first and after.
  async start() {
    const shared = Number(process.env.CHATD_TEST_CLUSTER_BASE || 0);
    for (let tries = 0; !shared; tries++) {
      const base = 20000 + Math.floor(Math.random() * 9000);
      const free = await Promise.all([0, 1, 2, 3, 4, 5].flatMap((i) => [base + i, base + i + 10000].map(portFree)));
      if (!free.every(Boolean)) continue;
      try {
        execFileSync(join(root, 'scripts', 'redis-cluster'), ['start', this.dir, String(base), '1000'],
          { stdio: ['ignore', 'ignore', 'pipe'] });
        this.base = base;
        break;
      } catch (e) {
        execFileSync(join(root, 'scripts', 'redis-cluster'), ['stop', this.dir]);
        if (tries >= 3) throw e;
      }
    }
    if (shared) this.base = shared;
    this.shared = Boolean(shared);
    this.ports = [0, 1, 2, 3, 4, 5].map((i) => this.base + i);
    this.url = `redis-cluster://127.0.0.1:${this.base},127.0.0.1:${this.base + 1}`;
    if (this.shared) this.flushAll();
    return this;
  }
  // Follows MOVED and ASK (-c): a key's command reaches its slot's primary.
  cli(...args) {
    return execFileSync('redis-cli', ['-c', '-p', String(this.base), ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  }
  // Empties every primary (replicas refuse the write and follow).
  flushAll() {
    for (const port of this.ports) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'FLUSHALL'], { stdio: ['ignore', 'ignore', 'ignore'] });
      } catch {}
    }
  }
  async destroy() {
    if (this.shared) this.flushAll();
    else execFileSync(join(root, 'scripts', 'redis-cluster'), ['stop', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// The Redis the suites run on: one redis-server, or a cluster.
export function startRedis() {
  return CLUSTER ? new RedisCluster().start() : new Redis().start();
}

// The support policy deploy/support-policy.json ships (and chatd's
// built-in defaults), as a fresh object a test may change.
export function defaultPolicy() {
  return {
    version: 1,
    support_timezone: 'America/New_York',
    holidays: ['2026-12-25', '2027-01-01'],
    routing: { aging_bound_s: 600, offer_timeout_s: 30, dedicated_delay_s: 120, presence_grace_s: 60, service_window_s: 900 },
    classes: [
      { key: 'top_priority', label: 'Top Priority' },
      { key: 'priority', label: 'Priority' },
      { key: 'normal', label: 'Normal' },
    ],
    scopes: [
      { key: 'platform', label: 'Platform', covers: 'Dashboard, Dev/Test/Live Workflow, Git/SFTP Mode, Docs' },
      { key: 'technical', label: 'Technical', covers: 'Drupal & WordPress, Modules & Plugins, Application/Site, DNS, Multidev, Basic CDN, Basic Terminus' },
      { key: 'performance', label: 'Performance', covers: 'New Relic, Caching, Cloud Integrations, Custom Upstreams, Advanced workflows, Advanced CDN, Advanced Terminus' },
      { key: 'dedicated', label: 'Dedicated', covers: 'Bespoke site debugging' },
    ],
    tiers: {
      silver: { chat: { hours: '24x5', class: 'normal' }, tickets: null, emergency: null, scope: 'platform', professional_services: 'none' },
      gold: { chat: { hours: '24x7', class: 'normal' }, tickets: { hours: '24x5', first_response_s: 28800 },
        emergency: null, scope: 'technical', professional_services: 'available for purchase' },
      platinum: { chat: { hours: '24x7', class: 'priority' }, tickets: { hours: '24x7', first_response_s: 7200 },
        emergency: { hours: '24x7', response_s: 3600 }, scope: 'performance', professional_services: 'available for purchase' },
      diamond: { chat: { hours: '24x7', class: 'top_priority' }, tickets: { hours: '24x7', first_response_s: 3600 },
        emergency: { hours: '24x7', response_s: 900 }, scope: 'dedicated', professional_services: 'bundle included' },
    },
    topics: [
      { key: 'dashboard', label: 'Dashboard and workflow', scope: 'platform', skill: 'platform' },
      { key: 'git', label: 'Git, SFTP and deploys', scope: 'platform', skill: 'platform' },
      { key: 'wordpress', label: 'WordPress', scope: 'technical', skill: 'wordpress' },
      { key: 'drupal', label: 'Drupal', scope: 'technical', skill: 'drupal' },
      { key: 'dns', label: 'Domains, DNS and HTTPS', scope: 'technical', skill: 'dns' },
      { key: 'performance', label: 'Performance and caching', scope: 'performance', skill: 'performance' },
      { key: 'debugging', label: 'Site debugging', scope: 'dedicated', skill: 'debugging' },
    ],
    dedicated: { 'org-diamond': ['agent-ded-1', 'agent-ded-2'] },
  };
}

// The default policy with routing timings (and any other top-level
// member) replaced: policyWith({ offer_timeout_s: 1 }, { holidays: [] }).
export function policyWith(routing = {}, rest = {}) {
  const p = defaultPolicy();
  return { ...p, ...rest, routing: { ...p.routing, ...routing } };
}

export class Chatd {
  // opts.policy: a support policy object, written as JSON into the node's
  // directory and passed with --policy; absent: no flag (the built-in
  // defaults).
  constructor(redis, args = [], { policy } = {}) {
    this.redis = redis;
    this.args = args;
    this.dir = mkdtempSync(join(tmpdir(), 'chatd-node-'));
    this.log = '';
    if (policy) {
      this.policyFile = join(this.dir, 'policy.json');
      writeFileSync(this.policyFile, JSON.stringify(policy, null, 2));
      this.args = [...args, '--policy', this.policyFile];
    }
  }
  // Starts the node; with { ready: false } it does not wait for /readyz
  // (for a Redis that is not there yet).
  async start({ ready = true } = {}) {
    const portFile = join(this.dir, 'port');
    this.proc = spawn(CHATD, ['serve', '--port', '0', '--port-file', portFile,
      '--redis', this.redis.url, '--web-root', '', '--origins', 'http://allowed.example',
      ...this.args], {
      env: { ...process.env, CHAT_JWT_KEYS: KEYS, CHAT_ID_SECRET: ID_SECRET },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr.on('data', (d) => {
      this.log += d;
      if (process.env.CHATD_LOG) process.stderr.write(d);
    });
    this.exited = onceExit(this.proc);
    await waitFor(() => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`chatd exited at start: ${this.log}`);
      return existsSync(portFile) && readFileSync(portFile, 'utf8').trim();
    }, { what: 'chatd to listen' });
    this.port = Number(readFileSync(portFile, 'utf8'));
    this.url = `ws://127.0.0.1:${this.port}/ws`;
    this.http = `http://127.0.0.1:${this.port}`;
    if (ready) {
      await waitFor(async () => (await fetch(`${this.http}/readyz`)).status === 200,
        { what: 'chatd /readyz' });
    }
    return this;
  }
  alive() { return this.proc && this.proc.exitCode === null && this.proc.signalCode === null; }
  // Signals the node and waits for it to exit; a node that has not exited
  // within timeout is killed and stop() throws (a hang is a failure).
  async stop(signal = 'SIGTERM', { timeout = 10000 } = {}) {
    if (!this.proc) return null;
    const proc = this.proc;
    if (this.alive()) proc.kill(signal);
    let timer;
    const r = await Promise.race([this.exited,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeout); })]);
    clearTimeout(timer);
    if (!r) {
      proc.kill('SIGKILL');
      await this.exited;
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
    if (process.env.CHATD_LOG_DIR) {
      mkdirSync(process.env.CHATD_LOG_DIR, { recursive: true });
      writeFileSync(join(process.env.CHATD_LOG_DIR, `chatd-${proc.pid}.log`), this.log);
    }
    if (!r) throw new Error(`chatd did not exit within ${timeout} ms of ${signal}; log:\n${this.log.slice(-2000)}`);
    // A sanitizer build (CHATD_BIN=build-san/chatd) reports here.
    const san = this.log.search(/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
    if (san >= 0) throw new Error(`chatd sanitizer report:\n${this.log.slice(Math.max(0, san - 200), san + 4000)}`);
    return r;
  }
  // Resolves once the node's log matches re (a string or RegExp).
  waitLog(re, { timeout = 5000 } = {}) {
    const match = () => (typeof re === 'string' ? this.log.includes(re) : re.test(this.log));
    return waitFor(match, { timeout, what: `chatd log ${re}` });
  }
  async httpStatus(path) {
    return (await fetch(`${this.http}${path}`)).status;
  }
}

export function token(claims, { ttl = '1h', keys = KEYS, kid } = {}) {
  const args = ['token', '--keys', keys, '--ttl', String(ttl)];
  if (kid) args.push('--kid', kid);
  for (const [k, v] of Object.entries(claims)) args.push(`--${k}`, String(v));
  return execFileSync(CHATD, args, { encoding: 'utf8' }).trim();
}

// The hex secret of key kid in a kid:hex[,kid:hex] spec (default KEYS).
export function keySecret(kid, keys = KEYS) {
  const entry = keys.split(',').find((k) => k.startsWith(`${kid}:`));
  if (!entry) throw new Error(`no key ${kid}`);
  return entry.slice(kid.length + 1);
}

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

// Builds a JWT by hand, for tokens `chatd token` refuses to mint (expired,
// unsigned, unknown kid, wrong key). secret is hex; null leaves the
// signature empty. Times default to a valid one-hour token.
export function craftToken(claims, { header = { alg: 'HS256', typ: 'JWT', kid: 'k1' },
  secret = keySecret('k1'), iat, exp, nbf } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iat: iat ?? now, nbf: nbf ?? now, exp: exp ?? now + 3600, ...claims };
  const signing = `${b64url(header)}.${b64url(body)}`;
  const sig = secret === null ? ''
    : createHmac('sha256', Buffer.from(secret, 'hex')).update(signing).digest('base64url');
  return `${signing}.${sig}`;
}

let seq = 0;
export const uid = (p = 'x') => `${p}-${process.pid}-${++seq}-${randomBytes(3).toString('hex')}`;

// A chat.v1 client that records every frame it receives.
export class Client {
  constructor(url, { origin, protocol = 'chat.v1' } = {}) {
    this.frames = [];
    this.waiters = [];
    this.ws = new WebSocket(url, protocol ? [protocol] : [], origin ? { origin } : {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      const f = isBinary ? { binary: data } : JSON.parse(data.toString());
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => !w(f));
    });
    this.nextId = 0;
  }
  static async connect(url, opts) {
    const c = new Client(url, opts);
    await c.opened;
    return c;
  }
  send(frame) { this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)); }
  // Resolves with the first frame (already received or future) matching pred.
  wait(pred, { timeout = 5000, from = 0, what = 'frame' } = {}) {
    const seen = this.frames.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`)), timeout);
      this.waiters.push((f) => { if (!pred(f)) return false; clearTimeout(t); resolve(f); return true; });
    });
  }
  // Sends a request with a fresh id; resolves with its ack/error/result.
  request(frame, opts) {
    const id = frame.id || `r${++this.nextId}`;
    const from = this.frames.length;
    this.send({ ...frame, id });
    return this.wait((f) => f.id === id && f.type !== 'event', { ...opts, from, what: `reply to ${frame.type} ${id}` });
  }
  async auth(tok) {
    const r = await this.request({ type: 'auth', token: tok });
    if (r.type !== 'hello') throw new Error(`auth failed: ${JSON.stringify(r)}`);
    this.hello = r;
    return r;
  }
  events(conv) { return this.frames.filter((f) => f.type === 'event' && f.conv === conv); }
  // Sequence numbers of the events of conv received so far, in arrival order.
  seqs(conv) { return this.events(conv).map((e) => e.seq); }
  lastSeq(conv) { return this.events(conv).reduce((m, e) => Math.max(m, e.seq), 0); }
  async ping(opts) {
    const r = await this.request({ type: 'ping' }, opts);
    if (r.type !== 'pong') throw new Error(`ping answered ${JSON.stringify(r)}`);
    return r;
  }
  // Resolves with {code, reason} when the connection closes, else rejects.
  waitClose({ timeout = 5000 } = {}) {
    let timer;
    return Promise.race([this.closed.finally(() => clearTimeout(timer)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for close; got ${JSON.stringify(this.frames.slice(-5))}`)), timeout);
      })]);
  }
  close() { try { this.ws.close(); } catch {} return this.closed; }
  terminate() { this.ws.terminate(); return this.closed; }
}

export async function connectAs(node, claims, opts) {
  const c = await Client.connect(node.url, opts);
  await c.auth(token(claims));
  return c;
}

export const customer = (sub = uid('cust'), extra = {}) =>
  ({ sub, name: `Customer ${sub}`, role: 'customer', org: 'org-1', site: 'site-1', tier: 'gold', ...extra });
export const agent = (sub = uid('agent'), extra = {}) =>
  ({ sub, name: `Agent ${sub}`, role: 'agent', ...extra });

export const details = (summary = 'Live site returns 502') =>
  ({ summary, steps: '1. deploy\n2. visit /', environment: 'Live', began: '2026-11-26T08:00:00Z',
     errors: '502 Bad Gateway', screenshots: ['https://example.com/s.png'] });

// Opens a conversation as c and watches it; returns the conv id.
export async function openConv(c, summary) {
  const ack = await c.request({ type: 'open', client_id: uid('open'), details: details(summary) });
  if (ack.type !== 'ack') throw new Error(`open failed: ${JSON.stringify(ack)}`);
  await watch(c, ack.conv, 0);
  return ack.conv;
}

export async function watch(c, conv, after = 0) {
  const from = c.frames.length;
  const id = `w${++c.nextId}`;
  c.send({ type: 'resume', id, convs: [{ conv, after }] });
  return c.wait((f) => f.id === id && f.conv === conv && (f.type === 'synced' || f.type === 'error'),
    { from, what: `synced ${conv}` });
}

// The fixture of a test file: one Redis and one chatd node per argument
// list given (no argument: one node with the defaults), started in before()
// and stopped in after(). env.node is the first node. A node may also be
// given as { args, policy } (see Chatd).
export function useStack(...nodeArgs) {
  const env = { redis: null, nodes: [], get node() { return this.nodes[0]; } };
  before(async () => {
    env.redis = await startRedis();
    for (const spec of nodeArgs.length ? nodeArgs : [[]]) {
      const { args = [], policy } = Array.isArray(spec) ? { args: spec } : spec;
      env.nodes.push(await new Chatd(env.redis, args, { policy }).start());
    }
  });
  after(async () => {
    for (const n of env.nodes) await n.stop();
    await env.redis?.destroy();
  });
  return env;
}
