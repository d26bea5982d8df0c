// What the widget and console need beyond the core: an agent reading a
// customer's earlier conversations, canned responses kept in Redis, and
// read positions restated in synced after a reconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, connectAs, customer, agent, openConv, watch, uid } from './harness.mjs';

const env = useStack();

test('an agent lists one customer\'s earlier conversations; a customer may not', async () => {
  const who = customer();
  const cust = await connectAs(env.node, who);
  const first = await openConv(cust, 'first problem');
  const second = await openConv(cust, 'second problem');
  const other = await connectAs(env.node, customer());
  await openConv(other, 'someone else');
  const ag = await connectAs(env.node, agent());
  const r = await ag.request({ type: 'list', scope: 'customer', customer: who.sub });
  assert.equal(r.type, 'conversations');
  assert.deepEqual(r.items.map((i) => i.conv), [second, first]);
  assert.equal(r.items[1].summary, 'first problem');
  const refused = await other.request({ type: 'list', scope: 'customer', customer: who.sub });
  assert.equal(refused.code, 'forbidden');
  for (const c of [cust, other, ag]) c.close();
});

test('canned responses are saved per agent in Redis, team ones only by admins', async () => {
  const me = agent();
  const ag = await connectAs(env.node, me);
  const save = await ag.request({ type: 'canned_save', key: 'hello', title: 'Greeting', text: 'Hi! Looking now.' });
  assert.equal(save.type, 'ack');
  const team = await ag.request({ type: 'canned_save', scope: 'team', key: 'restart', text: 'Restart PHP' });
  assert.equal(team.code, 'forbidden');
  const admin = await connectAs(env.node, agent(uid('admin'), { role: 'admin' }));
  assert.equal((await admin.request({ type: 'canned_save', scope: 'team', key: 'restart', title: 'Restart', text: 'Restart PHP' })).type, 'ack');

  // Another browser of the same agent sees them: they live in Redis.
  const again = await connectAs(env.node, me);
  const list = await again.request({ type: 'canned_list' });
  assert.equal(list.type, 'canned');
  const byKey = Object.fromEntries(list.items.map((i) => [`${i.scope}:${i.key}`, i]));
  assert.equal(byKey['mine:hello'].text, 'Hi! Looking now.');
  assert.equal(byKey['mine:hello'].title, 'Greeting');
  assert.equal(byKey['team:restart'].text, 'Restart PHP');

  assert.equal((await again.request({ type: 'canned_delete', key: 'hello' })).type, 'ack');
  const after = await ag.request({ type: 'canned_list' });
  assert.ok(!after.items.some((i) => i.key === 'hello'));

  const cust = await connectAs(env.node, customer());
  assert.equal((await cust.request({ type: 'canned_list' })).code, 'forbidden');
  for (const c of [ag, admin, again, cust]) c.close();
});

test('synced restates every participant\'s read position after a reconnect', async () => {
  const who = customer();
  const cust = await connectAs(env.node, who);
  const conv = await openConv(cust, 'reads');
  const ag = await connectAs(env.node, agent());
  await watch(ag, conv, 0);
  await ag.request({ type: 'claim', client_id: uid('c'), conv });
  const sent = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'hello' });
  assert.equal((await cust.request({ type: 'read', conv, seq: sent.seq })).type, 'ack');
  await ag.request({ type: 'read', conv, seq: 2 });

  const back = await connectAs(env.node, who);
  const synced = await watch(back, conv, sent.seq);
  assert.equal(synced.type, 'synced');
  assert.equal(synced.reads[who.sub], sent.seq);
  assert.equal(synced.reads[ag.hello.user.id], 2);
  for (const c of [cust, ag, back]) c.close();
});

test('unwatch stops the live stream for that conversation on that connection only', async () => {
  const who = customer();
  const cust = await connectAs(env.node, who);
  const conv = await openConv(cust, 'unwatch');
  const ag = await connectAs(env.node, agent());
  await watch(ag, conv, 0);
  await ag.request({ type: 'claim', client_id: uid('c'), conv });
  const tab = await connectAs(env.node, who);
  await watch(tab, conv, 0);

  const un = await tab.request({ type: 'unwatch', conv });
  assert.equal(un.type, 'ack');
  assert.equal(un.duplicate, false);
  assert.equal((await tab.request({ type: 'unwatch', conv })).duplicate, true);

  const m = await ag.request({ type: 'send', client_id: uid('m'), conv, text: 'after unwatch' });
  await cust.wait((f) => f.type === 'event' && f.seq === m.seq);
  await tab.request({ type: 'ping' }); // anything for conv would have come before this
  assert.ok(!tab.events(conv).some((e) => e.seq === m.seq));
  tab.send({ type: 'typing', id: 't1', conv, typing: true });
  assert.equal((await tab.wait((f) => f.id === 't1')).code, 'forbidden');
  for (const c of [cust, ag, tab]) c.close();
});
