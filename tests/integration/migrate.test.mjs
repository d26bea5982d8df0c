// `chatd migrate-keys`: conversations stored under the names of the layout
// before virtual shards ({c:ID}:m, :e, :i, :r) are moved to their shard's
// names and served again; running it twice changes nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { Redis, Chatd, CHATD, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';
import { convKey } from './keys.mjs';

const migrate = (redis, ...args) => execFileSync(CHATD, ['migrate-keys', '--redis', redis.url, ...args], { encoding: 'utf8' });

test('conversations under the old key names are moved to their shard and served again', async () => {
  const redis = await new Redis().start();
  let node = await new Chatd(redis).start();
  try {
    const me = customer();
    const cust = await connectAs(node, me);
    const conv = await openConv(cust, 'from an older release');
    const ag = await connectAs(node, agent());
    const claimed = await ag.request({ type: 'claim', client_id: uid('c'), conv });
    assert.equal(claimed.type, 'ack');
    const clientId = uid('m');
    const sent = await cust.request({ type: 'send', client_id: clientId, conv, text: 'still there?' });
    assert.equal(sent.type, 'ack');
    assert.equal((await cust.request({ type: 'read', conv, seq: 3 })).type, 'ack');
    cust.close();
    ag.close();
    await node.stop();

    // What an older release left: the same values under {c:ID}:*.
    for (const part of 'meir') redis.cli('RENAME', convKey(conv, part), `{c:${conv}}:${part}`);
    assert.equal(redis.cli('EXISTS', convKey(conv, 'm')), '0');

    assert.match(migrate(redis, '--dry-run'), /^would move 1 conversations \(4 keys\)/);
    assert.equal(redis.cli('EXISTS', `{c:${conv}}:m`), '1', 'a dry run changes nothing');
    assert.match(migrate(redis), /^moved 1 conversations \(4 keys\)/);
    assert.equal(redis.cli('EXISTS', `{c:${conv}}:m`, `{c:${conv}}:e`, `{c:${conv}}:i`, `{c:${conv}}:r`), '0');
    assert.match(migrate(redis), /^moved 0 conversations \(0 keys\)/, 'a second run has nothing to do');

    node = await new Chatd(redis).start();
    const again = await connectAs(node, me);
    const history = await again.request({ type: 'history', conv });
    assert.deepEqual(history.events.map((e) => e.kind), ['opened', 'joined', 'message']);
    const synced = await watch(again, conv, 3);
    assert.equal(synced.type, 'synced', JSON.stringify(synced));
    // Its idempotency records moved too: a retry is a duplicate.
    const retry = await again.request({ type: 'send', client_id: clientId, conv, text: 'still there?' });
    assert.equal(retry.duplicate, true, JSON.stringify(retry));
    assert.equal(retry.seq, sent.seq);
    again.close();
  } finally {
    await node.stop();
    await redis.destroy();
  }
});

test('open conversations of a release before routing are put in the queue or left with their agent', async () => {
  const redis = await new Redis().start();
  let node = await new Chatd(redis).start();
  try {
    const cust = await connectAs(node, customer(uid('cust'), { tier: 'diamond' }));
    const waiting = await openConv(cust, 'waiting since before routing');
    const held = await openConv(cust, 'assigned before routing');
    const closed = await openConv(cust, 'closed before routing');
    const ag = await connectAs(node, agent(uid('agent'), { capacity: 2 }));
    assert.equal((await ag.request({ type: 'claim', client_id: uid('c'), conv: held })).type, 'ack');
    assert.equal((await cust.request({ type: 'close', client_id: uid('x'), conv: closed })).type, 'ack');
    cust.close();
    ag.close();
    await node.stop();
    // What a release before routing left: no routing state at all.
    const routing = redis.cli('--scan', '--pattern', '{r}:*').split('\n').filter(Boolean);
    assert.ok(routing.length > 0);
    redis.cli('DEL', ...routing);

    assert.match(migrate(redis, '--dry-run'), /would put 2 open conversations/);
    assert.equal(redis.cli('EXISTS', '{r}:board'), '0', 'a dry run changes nothing');
    assert.match(migrate(redis), /\nput 2 open conversations/);
    assert.match(migrate(redis), /\nput 0 open conversations/, 'a second run has nothing to do');
    assert.equal(redis.cli('HGET', `{r}:cv:${waiting}`, 'state'), 'waiting');
    assert.equal(redis.cli('HGET', `{r}:cv:${waiting}`, 'class'), 'top_priority');
    assert.equal(redis.cli('HGET', `{r}:cv:${held}`, 'state'), 'assigned');
    assert.equal(redis.cli('EXISTS', `{r}:cv:${closed}`), '0');

    node = await new Chatd(redis).start();
    const boss = await connectAs(node, agent(uid('agent'), { capacity: 2 }));
    const open = await boss.request({ type: 'list', scope: 'open' });
    assert.deepEqual(open.items.map((i) => i.conv), [waiting, held], 'the queue, then the assigned one');
    assert.equal(open.items[0].position, 1);
    // The agent who had one still has it: another agent cannot claim it,
    // and the waiting one is claimed through the router.
    assert.equal((await boss.request({ type: 'claim', client_id: uid('c'), conv: held })).code, 'already_assigned');
    assert.equal((await boss.request({ type: 'claim', client_id: uid('c'), conv: waiting })).type, 'ack');
    boss.close();
  } finally {
    await node.stop();
    await redis.destroy();
  }
});

test('migrate-keys refuses a bad address (2) and reports an unreachable Redis (1)', () => {
  const bad = spawnSync(CHATD, ['migrate-keys', '--redis', 'nonsense'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /invalid --redis 'nonsense'/);
  const down = spawnSync(CHATD, ['migrate-keys', '--redis', 'redis://127.0.0.1:1'], { encoding: 'utf8' });
  assert.equal(down.status, 1);
  assert.match(down.stderr, /cannot reach redis:\/\/127\.0\.0\.1:1/);
});
