// --replica-acks: an ack means the write reached that many replicas
// (WAIT), so a failover to one of them loses nothing acked. When the
// replicas do not answer in time the client gets unavailable, and its
// retry with the same client_id is answered from the stored record once
// they have it: stored once, acked once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis, Chatd, connectAs, customer, uid, waitFor, freePort, details } from './harness.mjs';
import { convKey } from './keys.mjs';

let primary, replica, node;

before(async () => {
  primary = await new Redis({ port: await freePort() }).start();
  replica = await new Redis().start();
  replica.cli('REPLICAOF', '127.0.0.1', String(primary.port));
  await waitFor(() => /master_link_status:up/.test(replica.cli('INFO', 'replication')),
    { timeout: 10000, what: 'the replica to sync' });
  node = await new Chatd(primary, ['--replica-acks', '1', '--replica-timeout-ms', '300']).start();
});

after(async () => {
  replica?.proc?.kill('SIGCONT');
  await node?.stop();
  await replica?.destroy();
  await primary?.destroy();
});

test('with --replica-acks 1 an acked write is on the replica; without the replica the write is refused as retryable, and its retry is acked once', async () => {
  const cust = await connectAs(node, customer());
  const opened = await cust.request({ type: 'open', client_id: uid('o'), details: details('replicated') });
  assert.equal(opened.type, 'ack', JSON.stringify(opened));
  // Acked means copied: the replica has it already.
  assert.equal(replica.cli('HGET', convKey(opened.conv, 'm'), 'status'), 'waiting');

  replica.proc.kill('SIGSTOP');
  const msg = { type: 'send', client_id: uid('m'), conv: opened.conv, text: 'while the replica sleeps' };
  const refused = await cust.request(msg);
  assert.equal(refused.type, 'error', JSON.stringify(refused));
  assert.equal(refused.code, 'unavailable');
  assert.equal(refused.retryable, true);

  replica.proc.kill('SIGCONT');
  await waitFor(() => replica.cli('XLEN', convKey(opened.conv, 'e')) === '2', { timeout: 10000, what: 'the replica to catch up' });
  const retried = await cust.request(msg);
  assert.equal(retried.type, 'ack', JSON.stringify(retried));
  assert.equal(retried.seq, 2);
  assert.equal(retried.duplicate, true, 'the first attempt was stored; the retry is answered from its record');
  const hist = await cust.request({ type: 'history', conv: opened.conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1, 2]);
  cust.close();
});

test('writes sent together share replication waits: fifty at once are all acked once, all on the replica', async () => {
  const cust = await connectAs(node, customer());
  const opened = await cust.request({ type: 'open', client_id: uid('o'), details: details('many at once') });
  const acks = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    cust.request({ type: 'send', client_id: uid('m'), conv: opened.conv, text: `m${i}` })));
  assert.ok(acks.every((a) => a.type === 'ack' && !a.duplicate), JSON.stringify(acks.find((a) => a.type !== 'ack')));
  assert.deepEqual(acks.map((a) => a.seq).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 2));
  // Each ack meant "on the replica": nothing is missing there now.
  assert.equal(replica.cli('XLEN', convKey(opened.conv, 'e')), '51');
  cust.close();
});
