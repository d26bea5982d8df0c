// The durable outbox: a step writes, in its conversation's shard, an entry
// for what must follow it in other slots (the customer's, organization's,
// site's and agent's indexes, the open and active indexes). The acking
// node applies it before the ack; every node's consumer applies what is
// left, under a per-shard lease, and moves the shard's cursor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useStack, Chatd, connectAs, customer, agent, openConv, uid, waitFor } from './harness.mjs';
import { shardOf, outboxKey, outboxCursorKey, outboxLeaseKey } from './keys.mjs';

const FAST = ['--outbox-scan-ms', '100', '--outbox-lease-ms', '1500'];
const env = useStack(FAST, FAST);

const score = (key, member) => env.redis.cli('ZSCORE', key, member);
const fakeConv = () => randomBytes(16).toString('base64url');

test('the indexes in other slots hold what a step changed by the time it is acked', async () => {
  const me = customer(uid('cust'), { org: uid('org'), site: uid('site') });
  const who = agent();
  const cust = await connectAs(env.nodes[0], me);
  const ag = await connectAs(env.nodes[1], who);
  const conv = await openConv(cust, 'indexes');
  for (const key of [`{u:${me.sub}}:c`, `{o:${me.org}}:c`, `{s:${me.site}}:c`, 'convs:open', 'convs:active']) {
    assert.notEqual(score(key, conv), '', `${key} has the conversation`);
  }
  const claim = await ag.request({ type: 'claim', client_id: uid('c'), conv });
  assert.equal(claim.type, 'ack', JSON.stringify(claim));
  assert.equal(score(`{a:${who.sub}}:c`, conv), String(claim.ts), 'the agent\'s index, scored by the claim');
  const close = await ag.request({ type: 'close', client_id: uid('x'), conv, reason: 'resolved' });
  assert.equal(close.type, 'ack', JSON.stringify(close));
  assert.equal(score('convs:open', conv), '', 'out of the open index');
  assert.equal(score('convs:active', conv), '', 'out of the active index');
  assert.notEqual(score(`{u:${me.sub}}:c`, conv), '', 'still in the customer\'s');

  // The consumers drain the shard: the cursor moves and entries go.
  const shard = shardOf(conv);
  await waitFor(() => env.redis.cli('XLEN', outboxKey(shard)) === '0', { what: 'the shard outbox drained' });
  assert.match(env.redis.cli('GET', outboxCursorKey(shard)), /^\d+-\d+$/);
  cust.close();
  ag.close();
});

test('an entry a stopped node left under its lease is applied by another node once the lease ends, once', async () => {
  const conv = fakeConv();
  const shard = shardOf(conv);
  const user = uid('cust');
  const lease = 1500;
  // A node took the shard's lease and stopped before applying the entry.
  const t0 = Date.now();
  env.redis.cli('SET', outboxLeaseKey(shard), 'a-node-that-stopped', 'PX', String(lease));
  const fields = ['k', 'o', 'c', conv, 't', '1764145200000', 'u', user, 'o', '', 's', ''];
  // Written twice, as when a node applied it and stopped before moving the
  // cursor: the second application shows nowhere.
  env.redis.cli('XADD', outboxKey(shard), '*', ...fields);
  env.redis.cli('XADD', outboxKey(shard), '*', ...fields);
  await waitFor(() => score(`{u:${user}}:c`, conv) !== '', { timeout: lease + 5000, what: 'the entry applied' });
  assert.ok(Date.now() - t0 >= lease - 50, `applied after ${Date.now() - t0} ms, inside the lease`);
  assert.equal(score(`{u:${user}}:c`, conv), '1764145200000');
  assert.equal(env.redis.cli('ZCARD', `{u:${user}}:c`), '1');
  await waitFor(() => env.redis.cli('XLEN', outboxKey(shard)) === '0', { what: 'the shard outbox drained' });
  assert.notEqual(env.redis.cli('GET', outboxLeaseKey(shard)), 'a-node-that-stopped');
});

test('a node reports the index lag it measured when it stops', async () => {
  const node = await new Chatd(env.redis, FAST).start();
  try {
    const conv = fakeConv();
    const user = uid('cust');
    env.redis.cli('XADD', outboxKey(shardOf(conv)), '*', 'k', 'o', 'c', conv, 't', String(Date.now()), 'u', user);
    await waitFor(() => score(`{u:${user}}:c`, conv) !== '', { what: 'the entry applied' });
    const cust = await connectAs(node, customer());
    await openConv(cust, 'lag');
    cust.close();
  } finally {
    await node.stop();
  }
  const m = node.log.match(/index lag before the ack: (\d+) entries, p50 (\d+) ms, p99 (\d+) ms; by the consumer: (\d+) entries/);
  assert.ok(m, node.log.slice(-500));
  assert.equal(m[1], '1', 'its one open');
});

test('a malformed entry is skipped and logged; the entries after it in its shard are applied', async () => {
  const good = fakeConv();
  const shard = shardOf(good);
  const user = uid('cust');
  env.redis.cli('XADD', outboxKey(shard), '*', 'k', 'o'); // no conversation
  env.redis.cli('XADD', outboxKey(shard), '*', 'k', 'o', 'c', good, 't', '1', 'u', user);
  await waitFor(() => score(`{u:${user}}:c`, good) !== '', { what: 'the entry after the malformed one applied' });
  await waitFor(() => env.redis.cli('XLEN', outboxKey(shard)) === '0', { what: 'the shard outbox drained' });
  await waitFor(() => env.nodes.some((n) => n.log.includes('outbox: skipping a malformed entry')), { what: 'the log line' });
});
