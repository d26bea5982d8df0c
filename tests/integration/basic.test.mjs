// The core conversation flow between a customer and an agent on one node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';

const env = useStack();

test('customer opens, agent claims, both exchange messages, notes stay with agents, close', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'Checkout returns 502');
  const opened = await cust.wait((f) => f.type === 'event' && f.conv === conv && f.kind === 'opened');
  assert.equal(opened.seq, 1);
  assert.equal(opened.details.summary, 'Checkout returns 502');
  assert.equal(opened.details.environment, 'live');
  assert.equal(opened.org, 'org-1');
  assert.equal(opened.tier, 'gold');

  const list = await ag.request({ type: 'list', scope: 'open' });
  assert.ok(list.items.some((i) => i.conv === conv && i.status === 'waiting'));

  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  const claim = await ag.request({ type: 'claim', client_id: uid('c'), conv });
  assert.equal(claim.type, 'ack');
  assert.equal(claim.seq, 2);
  await cust.wait((f) => f.type === 'event' && f.kind === 'joined' && f.seq === 2);

  const m1 = await cust.request({ type: 'send', client_id: uid('m'), conv, text: 'hello?' });
  assert.equal(m1.seq, 3);
  await ag.wait((f) => f.type === 'event' && f.kind === 'message' && f.seq === 3 && f.text === 'hello?');
  const note = await ag.request({ type: 'note', client_id: uid('n'), conv, text: 'internal: PHP 8.1' });
  assert.equal(note.seq, 4);
  const m2 = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'looking now' });
  assert.equal(m2.seq, 5);
  await cust.wait((f) => f.type === 'event' && f.seq === 5);
  assert.ok(!cust.frames.some((f) => f.kind === 'note' || JSON.stringify(f).includes('internal: PHP')));
  assert.ok(ag.events(conv).some((f) => f.kind === 'note'));

  cust.send({ type: 'typing', conv, typing: true });
  const typing = await ag.wait((f) => f.type === 'typing' && f.conv === conv);
  assert.equal(typing.typing, true);

  const read = await cust.request({ type: 'read', conv, seq: 5 });
  assert.equal(read.type, 'ack');
  await ag.wait((f) => f.type === 'read' && f.conv === conv && f.seq === 5);

  const close = await cust.request({ type: 'close', client_id: uid('x'), conv, reason: 'solved' });
  assert.equal(close.seq, 6);
  await ag.wait((f) => f.type === 'event' && f.kind === 'closed' && f.seq === 6);
  const late = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'late' });
  assert.equal(late.code, 'conversation_closed');

  const mine = await cust.request({ type: 'list' });
  assert.equal(mine.items[0].conv, conv);
  assert.equal(mine.items[0].status, 'closed');
  const hist = await cust.request({ type: 'history', conv, after: 0 });
  assert.deepEqual(hist.events.map((e) => e.seq), [1, 2, 3, 5, 6]);
  cust.close();
  ag.close();
});

test('large events and a history page over 64 KiB arrive whole and in order', async () => {
  const cust = await connectAs(env.node, customer());
  const ag = await connectAs(env.node, agent());
  const conv = await openConv(cust, 'Big pastes');
  assert.equal((await watch(ag, conv, 0)).type, 'synced');
  await ag.request({ type: 'claim', client_id: uid('claim'), conv });
  // about 14 KB of text each: four fit in one write, the history page
  // (about 90 KB) is one frame larger than any write batch.
  const texts = Array.from({ length: 6 }, (_, i) => `${i}:` + 'é log line\n'.repeat(1200).slice(0, 13000));
  const acks = await Promise.all(texts.map((text) => cust.request({ type: 'send', client_id: uid('big'), conv, text })));
  assert.deepEqual(acks.map((a) => a.seq), [3, 4, 5, 6, 7, 8]);
  for (let seq = 3; seq <= 8; seq++) {
    const ev = await ag.wait((f) => f.type === 'event' && f.conv === conv && f.seq === seq, { what: `big event ${seq}` });
    assert.equal(ev.text, texts[seq - 3]);
  }
  const page = await ag.request({ type: 'history', conv, after: 0 });
  assert.ok(JSON.stringify(page).length > 65536, 'the page is larger than a write batch');
  assert.deepEqual(page.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(page.events.slice(2).map((e) => e.text), texts);
  cust.close();
  ag.close();
});
