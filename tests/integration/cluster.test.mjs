// chatd on a Redis Cluster (three primaries, three replicas): commands go
// to their slot's primary, conversation channels are sharded channels on
// the primary of their slot, a busy slot can migrate under load and a
// primary can die: clients see retryable errors meanwhile, retry with the
// same client_id, and every acked message is stored exactly once, in
// order, and reaches the watcher. CHATD_CLUSTER_LONG=1 (make test-cluster)
// sends more messages through each change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RedisCluster, Chatd, root, connectAs, customer, agent, uid, waitFor, watch, openConv } from './harness.mjs';
import { range, sendUntilAcked, sendMany, checkStored } from './failover.mjs';
import { convKey, keySlot } from './keys.mjs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const LONG = process.env.CHATD_CLUSTER_LONG === '1';
const PER_PHASE = LONG ? 60 : 12;

let cluster, node, acking;
before(async () => {
  cluster = await new RedisCluster().start();
  node = await new Chatd(cluster).start();
  acking = await new Chatd(cluster, ['--replica-acks', '1', '--replica-timeout-ms', '1000']).start();
});
after(async () => {
  await node?.stop();
  await acking?.stop();
  await cluster?.destroy();
});


function cli(port, ...args) {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

// The cluster's primaries as a live node sees them: [{ id, port, slots: [[lo, hi]...] }].
function primaries() {
  for (const port of cluster.ports) {
    let out;
    try { out = cli(port, 'CLUSTER', 'NODES'); } catch { continue; }
    if (!out) continue;
    return out.split('\n').map((line) => line.split(' ')).filter((f) => f[2].includes('master') && !f[2].includes('fail'))
      .map((f) => ({ id: f[0], port: Number(f[1].split(':')[1].split('@')[0]),
        slots: f.slice(8).filter((s) => /^\d/.test(s)).map((s) => s.split('-').map(Number)).map(([lo, hi]) => [lo, hi ?? lo]) }))
      .filter((p) => p.slots.length);
  }
  throw new Error('no cluster node answers');
}

function ownerOf(slot) {
  return primaries().find((p) => p.slots.some(([lo, hi]) => slot >= lo && slot <= hi));
}

const slotOf = (conv) => keySlot(convKey(conv, 'm'));




async function conversationsOnEveryPrimary(cust) {
  const byPort = new Map(primaries().map((p) => [p.port, []]));
  for (let i = 0; i < 60 && [...byPort.values()].some((l) => !l.length); i++) {
    const conv = await openConv(cust, `spread ${i}`);
    byPort.get(ownerOf(slotOf(conv)).port).push(conv);
  }
  assert.ok([...byPort.values()].every((l) => l.length), `a conversation on every primary: ${JSON.stringify([...byPort])}`);
  return byPort;
}

test('conversations on every primary: acked, stored in order, delivered live to a watcher on the other node', async () => {
  const cust = await connectAs(node, customer());
  const ag = await connectAs(acking, agent());
  const byPort = await conversationsOnEveryPrimary(cust);
  for (const convs of byPort.values()) {
    const conv = convs[0];
    assert.equal((await watch(ag, conv, 0)).type, 'synced');
    const texts = range(1, 5).map((i) => `${conv} ${i}`);
    const acks = [];
    for (const t of texts) acks.push((await sendUntilAcked(cust, conv, t)).ack);
    assert.deepEqual(acks.map((a) => a.seq), range(2, 6));
    await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 6, { what: `seq 6 of ${conv} on the watcher` });
    assert.deepEqual(ag.seqs(conv), range(1, 6));
    await checkStored(cust, conv, acks, texts);
  }
  cust.close();
  ag.close();
});

const run = promisify(execFile);
async function acli(port, ...args) {
  return (await run('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' })).stdout.trim();
}

// Moves slot from its owner to another primary the way redis-cli
// --cluster reshard does, one key at a time (without blocking this
// process) so writes land mid-way and meet ASK and TRYAGAIN.
async function migrateSlot(slot) {
  const from = ownerOf(slot);
  const to = primaries().find((p) => p.port !== from.port);
  await acli(to.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id);
  await acli(from.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id);
  for (;;) {
    const keys = (await acli(from.port, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '1')).split('\n').filter(Boolean);
    if (!keys.length) break;
    await acli(from.port, 'MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys);
    await new Promise((res) => setTimeout(res, 20));
  }
  await acli(to.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  await acli(from.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id);
  return to;
}

test('a busy slot migrates under load: nothing lost, nothing stored twice, the watcher follows it', async () => {
  const cust = await connectAs(node, customer());
  const ag = await connectAs(acking, agent());
  const conv = await openConv(cust, 'a slot on the move');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const slot = slotOf(conv);
  const before = ownerOf(slot).port;
  let moving;
  const texts = range(0, PER_PHASE - 1).map((i) => `moving ${i}`);
  const { acks } = await sendMany(cust, conv, 'moving', PER_PHASE, () => { moving = migrateSlot(slot); });
  const to = await moving;
  assert.notEqual(to.port, before);
  assert.equal(ownerOf(slot).port, to.port);
  const last = acks[acks.length - 1].seq;
  const more = await sendUntilAcked(cust, conv, 'after the move');
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === more.ack.seq,
    { timeout: 10000, what: 'a live event after the move' });
  assert.deepEqual(ag.seqs(conv), range(1, more.ack.seq), 'the watcher got everything once, in order');
  assert.equal(more.ack.seq, last + 1);
  await checkStored(cust, conv, [...acks, more.ack], [...texts, 'after the move']);
  cust.close();
  ag.close();
});

test('a primary dies: its replica takes over; writes are refused as retryable meanwhile, then acked; every acked message stored once, in order', async () => {
  const cust = await connectAs(node, customer());
  const custAcking = await connectAs(acking, customer());
  const ag = await connectAs(node, agent());
  const byPort = await conversationsOnEveryPrimary(cust);
  const victim = [...byPort.keys()][0];
  const conv = byPort.get(victim)[0];
  const conv2 = await (async () => {
    for (let i = 0; i < 60; i++) {
      const c = await openConv(custAcking, `replicated ${i}`);
      if (ownerOf(slotOf(c)).port === victim) return c;
    }
    throw new Error('no conversation on the victim');
  })();
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const pid = Number(readFileSync(join(cluster.dir, String(victim), 'redis.pid'), 'utf8'));
  // The replica takes over; writes that must reach a replica wait for the
  // old primary to come back as the new one's replica.
  let back;
  const kill = () => {
    process.kill(pid, 'SIGKILL');
    back = waitFor(() => { const o = ownerOf(slotOf(conv)); return o && o.port !== victim; }, { timeout: 15000, interval: 100, what: 'a new primary for the slot' })
      .then(() => run(join(root, 'scripts', 'redis-cluster'), ['restart', cluster.dir, String(victim)]));
  };
  const [plain, replicated] = await Promise.all([
    sendMany(cust, conv, 'failover', PER_PHASE, kill),
    sendMany(custAcking, conv2, 'replicated', PER_PHASE),
  ]);
  await back;
  assert.ok(plain.errors + replicated.errors > 0, 'the failover was seen as retryable errors');
  await checkStored(cust, conv, plain.acks, range(0, PER_PHASE - 1).map((i) => `failover ${i}`));
  await checkStored(custAcking, conv2, replicated.acks, range(0, PER_PHASE - 1).map((i) => `replicated ${i}`));
  const more = await sendUntilAcked(cust, conv, 'after the failover');
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === more.ack.seq,
    { timeout: 10000, what: 'a live event after the failover' });
  assert.deepEqual(ag.seqs(conv), range(1, more.ack.seq), 'the watcher got everything once, in order');
  cust.close();
  custAcking.close();
  ag.close();
});

test('a chatd node is killed: its clients resume on the other node with no gap and no repeat', async () => {
  const victim = await new Chatd(cluster).start();
  const me = customer();
  const who = agent();
  const cust = await connectAs(victim, me);
  const ag = await connectAs(node, who);
  const conv = await openConv(cust, 'the node goes away');
  assert.equal((await ag.request({ type: 'claim', client_id: uid('c'), conv })).type, 'ack');
  assert.equal((await watch(cust, conv, 0)).type, 'synced');
  const before = await sendMany(ag, conv, 'before', PER_PHASE);
  const last = before.acks[before.acks.length - 1].seq;
  await cust.wait((f) => f.type === 'event' && f.conv === conv && f.seq === last, { what: 'the last event before the kill' });
  const seen = cust.lastSeq(conv);

  await victim.stop('SIGKILL');
  await cust.waitClose();
  // The agent goes on while the customer is away.
  const during = await sendMany(ag, conv, 'while away', PER_PHASE);
  const again = await connectAs(node, me);
  assert.equal((await watch(again, conv, seen)).type, 'synced');
  const after = await sendMany(ag, conv, 'after', 3);
  const end = after.acks[after.acks.length - 1].seq;
  await again.wait((f) => f.type === 'event' && f.conv === conv && f.seq === end, { timeout: 10000, what: 'the live event' });
  assert.deepEqual(cust.seqs(conv).concat(again.seqs(conv)), range(1, end), 'every event once, in order, across the two nodes');
  assert.deepEqual(again.events(conv).map((e) => e.text),
    [...range(0, PER_PHASE - 1).map((i) => `while away ${i}`), ...range(0, 2).map((i) => `after ${i}`)]);
  again.close();
  ag.close();
});
