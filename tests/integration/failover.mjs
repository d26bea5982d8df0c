// Helpers of the failover suites (cluster, sentinel): messages sent
// through a failover, retried with the same client_id while the answer is
// a retryable error, and the stored history checked afterwards.
import assert from 'node:assert/strict';
import { uid } from './harness.mjs';

export const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// Sends text as a message on conv until it is acked, retrying the same
// client_id while the answer is a retryable error. Returns the ack and
// how many retryable errors it took.
export async function sendUntilAcked(c, conv, text, { timeout = 20000 } = {}) {
  const msg = { type: 'send', client_id: uid('m'), conv, text };
  const deadline = Date.now() + timeout;
  let errors = 0;
  for (;;) {
    const r = await c.request(msg, { timeout: 10000 });
    if (r.type === 'ack') return { ack: r, errors };
    assert.equal(r.retryable, true, `only retryable errors: ${JSON.stringify(r)}`);
    errors++;
    if (Date.now() > deadline) throw new Error(`not acked within ${timeout} ms: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

// Sends count messages one after the other (calling during() a third of
// the way); returns their acks and the retryable errors seen.
export async function sendMany(c, conv, prefix, count, during) {
  const acks = [];
  let errors = 0;
  for (let i = 0; i < count; i++) {
    if (i === Math.floor(count / 3) && during) during();
    const r = await sendUntilAcked(c, conv, `${prefix} ${i}`);
    acks.push(r.ack);
    errors += r.errors;
  }
  return { acks, errors };
}

// Every message of conv once, in order, with gap-free seqs; the acks name
// the seqs they were stored at. Returns the events read.
export async function checkStored(c, conv, acks, texts) {
  const events = [];
  for (let after = 0; ;) {
    const page = await c.request({ type: 'history', conv, after });
    assert.equal(page.type, 'history', JSON.stringify(page));
    events.push(...page.events);
    if (!page.events.length || !page.more) break;
    after = page.events[page.events.length - 1].seq;
  }
  assert.deepEqual(events.map((e) => e.seq), range(1, events.length), 'gap-free seqs');
  const msgs = events.filter((e) => e.kind === 'message');
  assert.deepEqual(msgs.map((e) => e.text), texts, 'every message once, in order');
  acks.forEach((a, i) => assert.equal(msgs.find((e) => e.seq === a.seq)?.text, texts[i]));
  return events;
}
