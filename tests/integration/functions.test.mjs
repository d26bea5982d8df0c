// The atomic steps are one Redis Functions library, loaded by chatd on
// every connection under a versioned name: a flushed library is loaded
// again, and another release's library is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, connectAs, customer, agent, openConv, watch, uid, waitFor, SINGLE_REDIS_ONLY } from './harness.mjs';

const env = useStack();

// Library names in redis-cli's FUNCTION LIST output (one value a line).
const libraries = () => {
  const lines = env.redis.cli('FUNCTION', 'LIST').split('\n');
  return lines.flatMap((l, i) => (l === 'library_name' ? [lines[i + 1]] : [])).filter((n) => n.startsWith('chatd_'));
};

test('chatd loads its versioned functions library; a flushed library is loaded again and nothing is lost', { skip: SINGLE_REDIS_ONLY }, async () => {
  await waitFor(() => libraries().length > 0, { what: 'the chatd library' });
  const [name] = libraries();
  assert.match(name, /^chatd_[0-9a-f]{10}$/);
  const list = env.redis.cli('FUNCTION', 'LIST', 'LIBRARYNAME', name);
  for (const fn of ['open', 'append', 'read', 'page']) assert.ok(list.includes(`${name}_${fn}`), `${fn} in ${list}`);

  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'functions');
  await watch(ag, conv, 0);
  await ag.request({ type: 'claim', client_id: uid('c'), conv });

  env.redis.cli('FUNCTION', 'FLUSH');
  // The first call after the flush is refused as retryable; the same
  // request again (same client_id) goes through once chatd has reloaded.
  const msg = { type: 'send', client_id: uid('m'), conv, text: 'after the flush' };
  let ack;
  await waitFor(async () => {
    ack = await cust.request(msg);
    if (ack.type === 'error') assert.equal(ack.code, 'unavailable', JSON.stringify(ack));
    return ack.type === 'ack';
  }, { interval: 50, what: 'a send after the library was reloaded' });
  assert.equal(ack.seq, 3);
  await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === 3);
  assert.deepEqual(libraries(), [name]);
  const hist = await ag.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1, 2, 3]);
  cust.close();
  ag.close();
});

test('another release\'s library stays loaded beside this one', { skip: SINGLE_REDIS_ONLY }, async () => {
  const other = "#!lua name=chatd_0000000000\nredis.register_function('chatd_0000000000_ping', function() return 'pong' end)";
  env.redis.cli('FUNCTION', 'LOAD', 'REPLACE', other);
  env.redis.cli('FUNCTION', 'FLUSH', 'SYNC'); // both gone: chatd reloads only its own
  env.redis.cli('FUNCTION', 'LOAD', other);
  const cust = await connectAs(env.node, customer());
  let r;
  await waitFor(async () => {
    r = await cust.request({ type: 'open', client_id: uid('o'), details: { summary: 'two releases' } });
    return r.type === 'ack';
  }, { interval: 50, what: 'an open after the reload' });
  const names = libraries().sort();
  assert.equal(names.length, 2, names.join(','));
  assert.equal(names[0], 'chatd_0000000000');
  assert.equal(env.redis.cli('FCALL', 'chatd_0000000000_ping', '0'), 'pong');
  cust.close();
});
