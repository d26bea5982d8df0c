// chatd with Redis Sentinel (one primary, one replica, three sentinels;
// scripts/redis-sentinel): it finds the primary through the sentinels,
// even with a dead sentinel first in its list, and follows a failover.
// The primary is killed mid-way through a run of messages: clients see
// retryable errors meanwhile, retry with the same client_id, and every
// acked message is stored once, in order, on the new primary and reaches
// a watcher on the other node. The old primary comes back as a replica
// and chatd never writes to it. A primary demoted under chatd (READONLY)
// sends it back to the sentinels, and a stale sentinel (one that names a
// replica) first in the list does not hold chatd on that replica.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Chatd, root, connectAs, customer, agent, uid, waitFor, watch, openConv } from './harness.mjs';
import { range, sendUntilAcked, sendMany, checkStored } from './failover.mjs';
import { convKey } from './keys.mjs';

const SCRIPT = join(root, 'scripts', 'redis-sentinel');
const PER_PHASE = 12;
const run = promisify(execFile);

function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// A primary on base, its replica on base+1, sentinels on base+2..base+4.
class RedisSentinel {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'chatd-sentinel-'));
  }
  async start() {
    for (let tries = 0; ; tries++) {
      const base = 20000 + Math.floor(Math.random() * 9000);
      const free = await Promise.all([0, 1, 2, 3, 4].map((i) => portFree(base + i)));
      if (!free.every(Boolean)) continue;
      try {
        execFileSync(SCRIPT, ['start', this.dir, String(base)], { stdio: ['ignore', 'ignore', 'pipe'] });
        this.base = base;
        break;
      } catch (e) {
        execFileSync(SCRIPT, ['stop', this.dir]);
        if (tries >= 3) throw e;
      }
    }
    this.sentinels = [2, 3, 4].map((i) => this.base + i);
    // The first sentinel named is not there: chatd asks the next.
    const dead = this.base + 5;
    this.url = `redis-sentinel://127.0.0.1:${dead},${this.sentinels.map((p) => `127.0.0.1:${p}`).join(',')}/chatd`;
    return this;
  }
  // The primary's port as a sentinel names it.
  primary() {
    const out = cli(this.sentinels[0], 'SENTINEL', 'get-master-addr-by-name', 'chatd').split('\n');
    return Number(out[1]);
  }
  // A stale sentinel: a real one of its own, on base+6, that names as
  // primary "chatd" a replica (of nothing) on base+7, out of reach of
  // the deployment's sentinels (which would correct it). Stopped with the
  // rest. Returns [sentinel port, replica port].
  async startStale() {
    const [sp, rp] = [this.base + 6, this.base + 7];
    const conf = (port, lines) => {
      const dir = join(this.dir, String(port));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'redis.conf');
      writeFileSync(file, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `pidfile ${dir}/redis.pid`,
        `logfile ${dir}/redis.log`, ...lines, ''].join('\n'));
      return file;
    };
    await run('redis-server', [conf(rp, [`replicaof 127.0.0.1 ${this.base + 8}`, "save ''"]), '--daemonize', 'yes']);
    await run('redis-server', [conf(sp, [`sentinel monitor chatd 127.0.0.1 ${rp} 1`]), '--sentinel', '--daemonize', 'yes']);
    await waitFor(() => {
      try { return cli(sp, 'SENTINEL', 'get-master-addr-by-name', 'chatd').split('\n')[1] === String(rp); } catch { return false; }
    }, { what: 'the stale sentinel' });
    return [sp, rp];
  }
  pid(port) {
    return Number(readFileSync(join(this.dir, String(port), 'redis.pid'), 'utf8'));
  }
  async destroy() {
    execFileSync(SCRIPT, ['stop', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function cli(port, ...args) {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

let redis, node, acking;
before(async () => {
  redis = await new RedisSentinel().start();
  node = await new Chatd(redis).start();
  acking = await new Chatd(redis, ['--replica-acks', '1', '--replica-timeout-ms', '1000']).start();
});
after(async () => {
  await node?.stop();
  await acking?.stop();
  await redis?.destroy();
});




// checkStored, and as many events in the stream on the primary itself.
async function checkOnPrimary(c, conv, acks, texts, primaryPort) {
  const events = await checkStored(c, conv, acks, texts);
  assert.equal(Number(cli(primaryPort, 'XLEN', convKey(conv, 'e'))), events.length, 'all on the primary');
}

test('chatd finds the primary through the sentinels: messages are stored there and reach a watcher on the other node', async () => {
  const cust = await connectAs(node, customer());
  const ag = await connectAs(acking, agent());
  const conv = await openConv(cust, 'through the sentinels');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const texts = range(1, 3).map((i) => `hello ${i}`);
  const acks = [];
  for (const t of texts) acks.push((await sendUntilAcked(cust, conv, t)).ack);
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 4, { what: 'seq 4 on the watcher' });
  assert.deepEqual(ag.seqs(conv), range(1, 4));
  await checkOnPrimary(cust, conv, acks, texts, redis.base);
  cust.close();
  ag.close();
});

test('the primary dies: the sentinels promote its replica, chatd follows; every acked message stored once, in order; the old primary returns as a replica and gets no writes', async () => {
  const cust = await connectAs(node, customer());
  const custAcking = await connectAs(acking, customer());
  const ag = await connectAs(acking, agent());
  const conv = await openConv(cust, 'failover');
  const conv2 = await openConv(custAcking, 'replicated failover');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const old = redis.primary();
  assert.equal(old, redis.base);
  // Writes that must reach a replica wait for the old primary to come
  // back as the new one's replica.
  let back;
  const kill = () => {
    process.kill(redis.pid(old), 'SIGKILL');
    // The old primary comes back only once every sentinel names the new
    // one (a sentinel that has not heard of the failover yet could name
    // the restarted old primary: the window README documents).
    const allMoved = () => redis.sentinels.every((sp) => {
      try { return cli(sp, 'SENTINEL', 'get-master-addr-by-name', 'chatd').split('\n')[1] !== String(old); } catch { return false; }
    });
    back = waitFor(allMoved, { timeout: 15000, interval: 100, what: 'every sentinel to name the promoted replica' })
      .then(() => run(SCRIPT, ['restart', redis.dir, String(old)]));
  };
  const [plain, replicated] = await Promise.all([
    sendMany(cust, conv, 'failover', PER_PHASE, kill),
    sendMany(custAcking, conv2, 'replicated', PER_PHASE),
  ]);
  await back;
  const now = redis.primary();
  assert.equal(now, redis.base + 1);
  assert.ok(plain.errors + replicated.errors > 0, 'the failover was seen as retryable errors');
  await checkOnPrimary(cust, conv, plain.acks, range(0, PER_PHASE - 1).map((i) => `failover ${i}`), now);
  await checkOnPrimary(custAcking, conv2, replicated.acks, range(0, PER_PHASE - 1).map((i) => `replicated ${i}`), now);
  await waitFor(() => /^role:slave/m.test(cli(old, 'INFO', 'replication')), { timeout: 15000, interval: 100, what: 'the old primary to become a replica' });
  const more = await sendUntilAcked(cust, conv, 'after the failover');
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === more.ack.seq,
    { timeout: 10000, what: 'a live event after the failover' });
  assert.deepEqual(ag.seqs(conv), range(1, more.ack.seq), 'the watcher got everything once, in order');
  // chatd's functions run only on a primary; a replica gets their effects.
  assert.doesNotMatch(cli(old, 'INFO', 'commandstats'), /cmdstat_fcall/, 'no function called on the old primary');
  cust.close();
  custAcking.close();
  ag.close();
});

test('the primary is demoted under chatd (no failover, no CLIENT KILL): READONLY sends chatd back to the sentinels; once it is primary again the retry is acked once', async () => {
  const cust = await connectAs(node, customer());
  const conv = await openConv(cust, 'demoted');
  const primary = redis.primary();
  const msg = { type: 'send', client_id: uid('m'), conv, text: 'after the demotion' };
  cli(primary, 'REPLICAOF', '127.0.0.1', String(redis.base + 9)); // a primary that is not there
  try {
    const refused = await cust.request(msg);
    assert.equal(refused.type, 'error', JSON.stringify(refused));
    assert.equal(refused.retryable, true);
    await node.waitLog('is no longer the primary; asking the sentinels again');
    await node.waitLog('is not the primary; asking the sentinels again');
  } finally {
    cli(primary, 'REPLICAOF', 'NO', 'ONE');
  }
  const deadline = Date.now() + 10000;
  let r;
  while ((r = await cust.request(msg)).type !== 'ack') {
    assert.equal(r.retryable, true, JSON.stringify(r));
    assert.ok(Date.now() < deadline, `not acked in time: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  await checkOnPrimary(cust, conv, [r], ['after the demotion'], primary);
  cust.close();
});

// chatd follows the highest config-epoch among the sentinels' answers;
// at equal epochs (no failover yet) it takes the first and ROLE tells it
// that is a replica. Either way it ends on the primary.
test('a stale sentinel first in the list names a replica: chatd still writes only to the primary', async () => {
  const [stale, replica] = await redis.startStale();
  assert.match(cli(replica, 'ROLE'), /^slave/);
  const url = `redis-sentinel://127.0.0.1:${stale},${redis.sentinels.map((p) => `127.0.0.1:${p}`).join(',')}/chatd`;
  const third = await new Chatd({ url }).start();
  try {
    const cust = await connectAs(third, customer());
    const conv = await openConv(cust, 'past a stale sentinel');
    const { ack } = await sendUntilAcked(cust, conv, 'on the primary');
    await checkOnPrimary(cust, conv, [ack], ['on the primary'], redis.primary());
    assert.doesNotMatch(cli(replica, 'INFO', 'commandstats'), /cmdstat_fcall/, 'no function called on the replica');
    cust.close();
  } finally {
    await third.stop();
  }
});
