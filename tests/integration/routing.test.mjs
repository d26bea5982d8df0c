// Support packages decide how a customer is served: chat hours per tier,
// one server-owned queue ordered by class within an aging bound, agents'
// presence and capacity, offers to the best eligible agent, transfers.
// Each test runs its own nodes with a policy of short timings on an
// emptied Redis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, uid, waitFor, watch } from './harness.mjs';
import { convKey } from './keys.mjs';
import {
  useRouting, testPolicy, cust, agentWith, open, mustOpen, listOpen, waitingOrder, isOffer, isWithdrawn, isKind,
  noFrame, zoned, ymd, next24x5Opening, weekdayZone,
} from './routing.mjs';

const env = useRouting(startRedis);

const CLASS_OF = { diamond: 'top_priority', platinum: 'priority', gold: 'normal', silver: 'normal' };
const RANK = { top_priority: 0, priority: 1, normal: 2 };
const rcv = (conv, field) => env.redis.cli('HGET', `{r}:cv:${conv}`, field);

// An agent signed in and set to status (presence acked without a seq).
async function agentAt(claims, status = 'online', node) {
  const c = await env.connect(claims, node);
  if (status !== 'online') await presence(c, status);
  return c;
}

async function presence(c, status) {
  const r = await c.request({ type: 'presence', status });
  assert.equal(r.type, 'ack', JSON.stringify(r));
  assert.equal(r.seq, undefined, 'presence is acked without a seq');
  return r;
}

// Asks again (every 50 ms, up to 3 s) until pred holds; returns the last answer.
async function settle(ask, pred, timeout = 3000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const r = await ask();
    if (pred(r) || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function agentsOf(c) {
  const r = await c.request({ type: 'agents' });
  assert.equal(r.type, 'agents', JSON.stringify(r));
  return Object.fromEntries(r.items.map((i) => [i.id, i]));
}

async function accept(c, conv) {
  return c.request({ type: 'accept', client_id: uid('acc'), conv });
}

// Waits until the agent's offer of conv is there, and accepts it.
async function takeOffer(c, conv, timeout = 5000) {
  await c.wait(isOffer(conv), { timeout, what: `offer of ${conv}` });
  const r = await accept(c, conv);
  assert.equal(r.type, 'ack', JSON.stringify(r));
  return r;
}

test('outside hours: a silver customer on a holiday gets outside_hours and the next opening; gold opens; a left message is held', async (t) => {
  const tz = weekdayZone();
  const now = Date.now();
  const policy = testPolicy({}, { support_timezone: tz, holidays: [ymd(zoned(now, tz))] });
  policy.tiers.silver.chat.hours = '24x5';
  await env.start(t, { policy });
  const opensAt = next24x5Opening(now, tz, policy.holidays);

  const silver = await env.connect(cust('silver'));
  const r = await open(silver, { tz: 'Asia/Tokyo' });
  assert.equal(r.type, 'error', JSON.stringify(r));
  assert.equal(r.code, 'outside_hours');
  assert.equal(r.opens_at, opensAt, `opens at the next weekday 00:00 in ${tz}`);
  const local = zoned(opensAt, 'Asia/Tokyo');
  const hhmm = `${String(local.h).padStart(2, '0')}:${String(local.mi).padStart(2, '0')}`;
  assert.ok(r.message.includes(hhmm) && r.message.includes('Asia/Tokyo'),
    `the message says when it opens in the customer's time zone (${hhmm} Asia/Tokyo): ${r.message}`);

  const av = await silver.request({ type: 'availability' });
  assert.equal(av.type, 'availability', JSON.stringify(av));
  assert.equal(av.open, false);
  assert.equal(av.opens_at, opensAt);
  assert.equal(av.hours, '24x5');
  assert.equal(av.timezone, tz);

  const gold = await env.connect(cust('gold'));
  const g = await open(gold, { leave_message: true }); // open now: not held
  assert.equal(g.type, 'ack', JSON.stringify(g));
  assert.equal(gold.events(g.conv)[0].held_until, undefined, 'a package that is open does not hold');
  const avg = await gold.request({ type: 'availability' });
  assert.equal(avg.open, true);
  assert.equal(avg.opens_at, null);

  // An online agent with room: the gold conversation is offered, the
  // message left out of hours is not.
  const ag = await agentAt(agentWith({ capacity: 5 }));
  const held = await open(silver, { leave_message: true, summary: 'left for later' });
  assert.equal(held.type, 'ack', JSON.stringify(held));
  const opened = silver.events(held.conv).find((e) => e.kind === 'opened');
  assert.equal(opened.held_until, opensAt, 'opened says until when it is held');
  assert.equal(opened.class, 'normal');
  await ag.wait(isOffer(g.conv), { what: 'the gold conversation offered' });
  assert.ok(await noFrame(ag, isOffer(held.conv), 2500), 'the held conversation is not offered');
  assert.equal(rcv(held.conv, 'state'), 'held');

  const items = await listOpen(ag);
  const at = (conv) => items.findIndex((i) => i.conv === conv);
  const item = items[at(held.conv)];
  assert.ok(item, 'listed');
  assert.equal(item.held_until, opensAt);
  assert.equal(item.position, undefined, 'a held conversation has no position');
  assert.ok(at(g.conv) < at(held.conv), 'held after the waiting ones');
  assert.equal(items[at(g.conv)].position, 1);
});

test('queue order: top priority, then priority, then normal; first come first served inside a class', async (t) => {
  await env.start(t);
  const viewer = await agentAt(agentWith({ capacity: 5 }), 'away');
  const tiers = ['gold', 'diamond', 'silver', 'platinum', 'gold', 'diamond', 'platinum', 'silver', 'gold', 'diamond'];
  const convs = [];
  for (const tier of tiers) {
    const c = await env.connect(cust(tier));
    const r = await mustOpen(c, { watchIt: false });
    convs.push({ conv: r.conv, tier, ts: r.ts });
    await waitFor(() => Date.now() > r.ts + 1, { what: 'the next millisecond' }); // distinct arrival times
  }
  const expected = convs.map((c, i) => ({ ...c, i }))
    .sort((a, b) => RANK[CLASS_OF[a.tier]] - RANK[CLASS_OF[b.tier]] || a.i - b.i).map((c) => c.conv);
  const items = (await listOpen(viewer)).filter((i) => i.status === 'waiting');
  assert.deepEqual(items.map((i) => i.conv), expected,
    `tiers in list order: ${items.map((i) => convs.find((c) => c.conv === i.conv)?.tier)}`);
  items.forEach((item, i) => {
    assert.equal(item.position, i + 1, 'position = rank in the list');
    assert.equal(item.class, CLASS_OF[convs.find((c) => c.conv === item.conv).tier]);
  });

  // Assigned ones come after the waiting ones, oldest assignment first;
  // pages of 3 give the same list.
  for (const conv of [expected[2], expected[0]]) {
    const r = await viewer.request({ type: 'claim', client_id: uid('cl'), conv });
    assert.equal(r.type, 'ack', JSON.stringify(r));
    await waitFor(() => Date.now() > r.ts + 1, { what: 'the next millisecond' });
  }
  const rest = expected.filter((c) => c !== expected[0] && c !== expected[2]);
  const all = await listOpen(viewer);
  assert.deepEqual(all.map((i) => i.conv), [...rest, expected[2], expected[0]]);
  assert.deepEqual(all.map((i) => i.status), [...rest.map(() => 'waiting'), 'assigned', 'assigned']);
  assert.equal(all.at(-1).position, undefined, 'no position once assigned');
  assert.deepEqual((await listOpen(viewer, 3)).map((i) => i.conv), all.map((i) => i.conv), 'pages of 3');
});

test('queue order: beyond the aging bound first come first served; within it the class decides', async (t) => {
  await env.start(t, { policy: testPolicy({ aging_bound_s: 1 }) });
  const viewer = await agentAt(agentWith(), 'away');
  // Signed in beforehand, so that the later ones open close together.
  const tiers = ['gold', 'diamond', 'gold', 'diamond', 'platinum'];
  const cs = [];
  for (const tier of tiers) cs.push(await env.connect(cust(tier)));
  const openAs = async (i) => ({ ...(await mustOpen(cs[i], { watchIt: false })), tier: tiers[i] });
  const n1 = await openAs(0);
  await waitFor(() => Date.now() > n1.ts + 1200, { timeout: 3000, what: 'past the aging bound' });
  const d1 = await openAs(1);
  const n2 = await openAs(2);
  const d2 = await openAs(3);
  const p2 = await openAs(4);
  // score = arrival - head start (top 1000 ms, priority 500 ms, normal 0).
  const head = { diamond: 1000, platinum: 500, gold: 0 };
  const all = [n1, d1, n2, d2, p2];
  const expected = [...all].sort((a, b) => (a.ts - head[a.tier]) - (b.ts - head[b.tier]) || (a.conv < b.conv ? -1 : 1))
    .map((x) => x.conv);
  assert.deepEqual(await waitingOrder(viewer), expected);
  // What this shows: n1 came more than the bound before d1 and stays
  // ahead of it; d2 came after n2 but within the bound and goes ahead.
  const at = (x) => expected.indexOf(x.conv);
  assert.ok(at(n1) < at(d1), 'aging: the old normal one first');
  assert.ok(d2.ts - n2.ts < 1000, `the later ones opened close together (${d2.ts - n2.ts} ms)`);
  assert.ok(at(d2) < at(n2), 'within the bound the class decides');
});

test('availability: open, class, agents online, topics and their scope for the asking customer', async (t) => {
  const policy = testPolicy({}, { support_timezone: 'Europe/Paris' });
  await env.start(t, { policy });
  await agentAt(agentWith());
  await agentAt(agentWith());
  const away = await agentAt(agentWith(), 'away');
  const plat = await env.connect(cust('platinum'));
  const av = await settle(() => plat.request({ type: 'availability' }), (r) => r.agents_online === 2);
  assert.equal(av.type, 'availability', JSON.stringify(av));
  assert.equal(av.tier, 'platinum');
  assert.equal(av.class, 'priority');
  assert.equal(av.class_label, 'Priority');
  assert.equal(av.hours, '24x7');
  assert.equal(av.open, true);
  assert.equal(av.opens_at, null);
  assert.equal(av.timezone, 'Europe/Paris');
  assert.equal(av.agents_online, 2, 'the away agent is not counted');
  assert.equal(av.scope, 'performance');
  assert.equal(av.scope_label, 'Performance');
  assert.deepEqual(av.topics.map((x) => [x.key, x.label, x.in_scope]), policy.topics.map((x) => [x.key, x.label, x.key !== 'debugging']));

  const silver = await env.connect(cust('silver'));
  const sv = await silver.request({ type: 'availability' });
  assert.equal(sv.class, 'normal');
  assert.equal(sv.scope, 'platform');
  assert.deepEqual(sv.topics.filter((x) => x.in_scope).map((x) => x.key), ['dashboard', 'git']);
  const diamond = await env.connect(cust('diamond'));
  const dv = await diamond.request({ type: 'availability' });
  assert.equal(dv.class_label, 'Top Priority');
  assert.ok(dv.topics.every((x) => x.in_scope));

  await presence(away, 'online');
  const av3 = await settle(() => plat.request({ type: 'availability' }), (r) => r.agents_online === 3);
  assert.equal(av3.agents_online, 3);
});

test('positions: waiting customers get queue frames; when one ahead is served or closed the others move up', async (t) => {
  await env.start(t);
  const ag = await agentAt(agentWith({ capacity: 5 }), 'away');
  const custs = [];
  for (let i = 0; i < 3; i++) {
    const claims = cust('gold');
    const c = await env.connect(claims);
    const r = await mustOpen(c);
    custs.push({ c, conv: r.conv, claims });
  }
  const queueFrame = (conv, position, waiting) => (f) => f.type === 'queue' && f.conv === conv &&
    f.position === position && f.waiting === waiting;
  for (const [i, { c, conv }] of custs.entries()) {
    const q = await c.wait(queueFrame(conv, i + 1, 3), { what: `position ${i + 1} of 3` });
    assert.equal(q.class, 'normal');
    assert.equal(q.eta_ms, null, 'nothing served yet: no estimate');
  }
  assert.deepEqual(await waitingOrder(ag), custs.map((x) => x.conv));

  const from = custs.map(({ c }) => c.frames.length);
  const claim = await ag.request({ type: 'claim', client_id: uid('claim'), conv: custs[0].conv });
  assert.equal(claim.type, 'ack', JSON.stringify(claim));
  const t0 = Date.now();
  const q1 = await custs[1].c.wait(queueFrame(custs[1].conv, 1, 2), { from: from[1], timeout: 3000, what: 'moved to 1 of 2' });
  const q2 = await custs[2].c.wait(queueFrame(custs[2].conv, 2, 2), { from: from[2], timeout: 3000, what: 'moved to 2 of 2' });
  assert.ok(Date.now() - t0 < 2500, `updated within about a second (${Date.now() - t0} ms)`);
  // One normal conversation served in the window of 900 s.
  assert.equal(q1.eta_ms, 900000);
  assert.equal(q2.eta_ms, 1800000);
  assert.deepEqual(await waitingOrder(ag), [custs[1].conv, custs[2].conv]);

  const close = await custs[1].c.request({ type: 'close', client_id: uid('x'), conv: custs[1].conv });
  assert.equal(close.type, 'ack');
  await custs[2].c.wait(queueFrame(custs[2].conv, 1, 1), { timeout: 3000, what: 'moved to 1 of 1' });
  assert.deepEqual(await waitingOrder(ag), [custs[2].conv]);

  // A customer who comes back (a new tab, a reconnect) is told their
  // place again although it did not change.
  const again = await env.connect(custs[2].claims, env.nodes[0]);
  await again.wait(queueFrame(custs[2].conv, 1, 1), { timeout: 3000, what: 'the place told again on reconnect' });
});

test('presence: agents see each other; an agent whose connections all drop goes offline after the grace and their chats go back to their place', async (t) => {
  await env.start(t, { policy: testPolicy({ presence_grace_s: 1, offer_timeout_s: 30 }) });
  const viewer = await agentAt(agentWith({ capacity: 1 }), 'away');
  const a = agentWith({ capacity: 5, skills: 'platform,dns' });
  const a1 = await agentAt(a);
  const a2 = await agentAt(a); // a second tab
  const isAgent = (status, extra = () => true) => (f) => f.type === 'agent' && f.agent.id === a.sub &&
    f.agent.status === status && extra(f.agent);
  await viewer.wait(isAgent('online'), { what: 'agent frame: online' });
  const list = await agentsOf(viewer);
  assert.deepEqual(list[a.sub], { id: a.sub, name: a.name, status: 'online', load: 0, capacity: 5, skills: ['platform', 'dns'] });
  assert.equal(list[viewer.hello.user.id].status, 'away');

  let from = viewer.frames.length;
  await presence(a1, 'away');
  await viewer.wait(isAgent('away'), { from, what: 'agent frame: away' });
  assert.equal((await agentsOf(viewer))[a.sub].status, 'away');
  from = viewer.frames.length;
  await presence(a1, 'online');
  await viewer.wait(isAgent('online'), { from, what: 'agent frame: online again' });

  const convs = [];
  const custs = [];
  for (let i = 0; i < 3; i++) {
    const c = await env.connect(cust('gold'));
    custs.push(c);
    convs.push((await mustOpen(c)).conv);
  }
  await takeOffer(a1, convs[1]);
  await waitFor(async () => (await agentsOf(viewer))[a.sub].load === 1, { what: 'load 1' });
  assert.deepEqual(await waitingOrder(viewer), [convs[0], convs[2]]);
  await watch(viewer, convs[1], 0);

  // One tab closing leaves the agent online.
  await a1.terminate();
  assert.ok(await noFrame(viewer, isAgent('offline'), 2500), 'still online with a tab open');
  assert.equal((await agentsOf(viewer))[a.sub].status, 'online');

  from = viewer.frames.length;
  const t0 = Date.now();
  await a2.terminate();
  await viewer.wait(isAgent('offline'), { from, timeout: 5000, what: 'agent frame: offline' });
  const took = Date.now() - t0;
  assert.ok(took >= 600, `offline only after the grace of 1 s less a heartbeat (${took} ms)`);
  const left = await custs[1].wait(isKind(convs[1], 'left'), { what: 'left event' });
  assert.equal(left.reason, 'offline');
  assert.equal(left.from.id, a.sub);
  await viewer.wait(isKind(convs[1], 'left'), { what: 'left event (agent)' });
  await viewer.wait((f) => f.type === 'feed' && f.kind === 'requeued' && f.conv === convs[1] && f.status === 'waiting',
    { what: 'feed requeued' });
  const back = await agentsOf(viewer);
  assert.equal(back[a.sub].status, 'offline');
  assert.equal(back[a.sub].load, 0);
  assert.deepEqual(await waitingOrder(viewer), convs, 'back at its original place');
});

test('presence offline: an agent saying offline hands their chats back to the queue at once', async (t) => {
  await env.start(t, { policy: testPolicy({ presence_grace_s: 30 }) });
  const viewer = await agentAt(agentWith(), 'away');
  const a = await agentAt(agentWith());
  const c = await env.connect(cust('gold'));
  const first = (await mustOpen(c)).conv;
  const second = (await mustOpen(c)).conv;
  await takeOffer(a, first);
  assert.deepEqual(await waitingOrder(viewer), [second]);
  await presence(a, 'offline');
  const left = await c.wait(isKind(first, 'left'), { timeout: 3000, what: 'left event' });
  assert.equal(left.reason, 'offline');
  const from = a.frames.length;
  assert.deepEqual(await waitingOrder(viewer), [first, second]);
  assert.ok(await noFrame(a, isOffer(), 1500, from), 'no offer to an offline agent');
});

test('offers: an online agent gets the offer; accept assigns it (joined via offer)', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 2 }) });
  const a = await agentAt(agentWith({ capacity: 2, skills: 'performance' }));
  const me = cust('platinum');
  const c = await env.connect(me);
  const r = await mustOpen(c, { summary: 'offer me', topic: 'performance' });
  const offer = await a.wait(isOffer(r.conv), { what: 'offer' });
  assert.equal(offer.summary, 'offer me');
  assert.equal(offer.tier, 'platinum');
  assert.equal(offer.class, 'priority');
  assert.equal(offer.topic, 'performance');
  assert.equal(offer.out_of_scope, false);
  assert.deepEqual(offer.customer, { id: me.sub, name: me.name });
  assert.ok(Math.abs(offer.expires_at - (Date.now() + 2000)) < 1500, `expires_at ${offer.expires_at - Date.now()} ms ahead`);

  const ack = await accept(a, r.conv);
  assert.equal(ack.type, 'ack', JSON.stringify(ack));
  const joined = await c.wait(isKind(r.conv, 'joined'), { what: 'joined' });
  assert.equal(joined.via, 'offer');
  assert.equal(joined.from.id, a.hello.user.id);
  assert.equal(joined.by, undefined, 'the agent took it themselves');
  assert.equal(ack.seq, joined.seq, 'the ack carries the joined event\'s seq');
  assert.equal(rcv(r.conv, 'state'), 'assigned');
  // Accepting an offer that is not yours: no_offer.
  const other = await agentAt(agentWith());
  const stolen = await accept(other, r.conv);
  assert.equal(stolen.code, 'no_offer', JSON.stringify(stolen));
});

test('offers: an offer not accepted in time is withdrawn (expired) and goes to the next agent', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 1 }) });
  const agents = [await agentAt(agentWith()), await agentAt(agentWith())];
  const c = await env.connect(cust('gold'));
  const { conv } = await mustOpen(c);
  const first = await Promise.any(agents.map((a) => a.wait(isOffer(conv), { what: 'first offer' }).then(() => a)));
  const offeredAt = Date.now();
  const next = agents.find((a) => a !== first);
  await first.wait(isWithdrawn(conv, 'expired'), { timeout: 4000, what: 'withdrawn: expired' });
  const waited = Date.now() - offeredAt;
  assert.ok(waited >= 700, `withdrawn after the offer timeout (${waited} ms)`);
  await next.wait(isOffer(conv), { timeout: 3000, what: 'offer to the next agent' });
  await takeOffer(next, conv);
});

test('offers: decline passes the offer to the next agent at once; nobody left: it waits', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 10 }) });
  const agents = [await agentAt(agentWith()), await agentAt(agentWith())];
  const c = await env.connect(cust('gold'));
  const { conv } = await mustOpen(c);
  const first = await Promise.any(agents.map((a) => a.wait(isOffer(conv), { what: 'first offer' }).then(() => a)));
  const next = agents.find((a) => a !== first);
  const d = await first.request({ type: 'decline', conv });
  assert.equal(d.type, 'ack', JSON.stringify(d));
  assert.equal(d.seq, undefined);
  await first.wait(isWithdrawn(conv, 'declined'), { what: 'withdrawn: declined' });
  await next.wait(isOffer(conv), { timeout: 3000, what: 'offer to the next agent' });
  const from = first.frames.length;
  const d2 = await next.request({ type: 'decline', conv });
  assert.equal(d2.type, 'ack');
  assert.ok(await noFrame(first, isOffer(conv), 1500, from), 'not offered again to an agent who declined');
  assert.equal(rcv(conv, 'state'), 'waiting');
  assert.deepEqual(await waitingOrder(first), [conv]);
  // A new agent gets it.
  const third = await agentAt(agentWith());
  await takeOffer(third, conv);
});

test('offers: fewest open chats wins; a tie goes to the agent idle longest', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 10 }) });
  const agents = [await agentAt(agentWith({ capacity: 3 })), await agentAt(agentWith({ capacity: 3 }))];
  const c = await env.connect(cust('gold'));
  const c1 = (await mustOpen(c)).conv;
  const x = await Promise.any(agents.map((a) => a.wait(isOffer(c1)).then(() => a)));
  const y = agents.find((a) => a !== x);
  assert.ok(await noFrame(y, isOffer(c1), 300), 'one offer at a time');
  await takeOffer(x, c1);
  // x has one chat, y none: y gets the next.
  const c2 = (await mustOpen(c)).conv;
  await takeOffer(y, c2);
  assert.equal(x.frames.some(isOffer(c2)), false, 'not offered to the busier agent');
  // y frees up first, then x: y has been idle longer.
  assert.equal((await y.request({ type: 'close', client_id: uid('x'), conv: c2 })).type, 'ack');
  const tClose = Date.now();
  await waitFor(() => Date.now() > tClose + 20, { what: 'a later moment' }); // distinct idle times
  assert.equal((await x.request({ type: 'close', client_id: uid('x'), conv: c1 })).type, 'ack');
  const c3 = (await mustOpen(c)).conv;
  await y.wait(isOffer(c3), { what: 'the agent idle longest gets it' });
  assert.equal(x.frames.some(isOffer(c3)), false);
});

test('skills: a topic needing a skill is offered only to agents who have it', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 10 }) });
  const platform = await agentAt(agentWith({ skills: 'platform' }));
  const dns = await agentAt(agentWith({ skills: 'dns,wordpress' }));
  const c = await env.connect(cust('silver'));
  const d = await mustOpen(c, { topic: 'dns' });
  const offer = await dns.wait(isOffer(d.conv), { what: 'dns offer' });
  assert.equal(offer.out_of_scope, true, 'dns is beyond silver\'s platform scope');
  assert.equal(c.events(d.conv)[0].out_of_scope, true);
  assert.equal(c.events(d.conv)[0].topic, 'dns');
  const p = await mustOpen(c, { topic: 'git' });
  await platform.wait(isOffer(p.conv), { what: 'git offer' });
  const perf = await mustOpen(c, { topic: 'performance' });
  assert.ok(await noFrame(platform, isOffer(perf.conv), 1500) && !dns.frames.some(isOffer(perf.conv)),
    'nobody has the performance skill');
  const none = await mustOpen(c); // no topic: anyone
  await Promise.any([platform, dns].map((a) => a.wait(isOffer(none.conv))));
  assert.equal(platform.frames.some(isOffer(d.conv)), false);
  assert.equal(dns.frames.some(isOffer(p.conv)), false);
  const perfAgent = await agentAt(agentWith({ skills: 'performance' }));
  await perfAgent.wait(isOffer(perf.conv), { what: 'performance offer once someone has the skill' });
});

test('dedicated engineers get their organization\'s chats first; others only after dedicated_delay_s', async (t) => {
  const policy = testPolicy({ offer_timeout_s: 10, dedicated_delay_s: 2 }, { dedicated: { 'org-ded': ['ded-1'] } });
  await env.start(t, { policy });
  const other = await agentAt(agentWith({ capacity: 3 })); // idle longest
  const ded = await agentAt(agentWith({ sub: 'ded-1', capacity: 1 }));
  const c = await env.connect(cust('gold', { org: 'org-ded' }));
  const first = await mustOpen(c);
  await takeOffer(ded, first.conv);
  assert.equal(other.frames.some(isOffer(first.conv)), false, 'the dedicated engineer first');
  // The engineer is full: the next waits out the delay, then anyone.
  const second = await mustOpen(c);
  const o = await other.wait(isOffer(second.conv), { timeout: 5000, what: 'offer after the delay' });
  const after = Date.now() - second.ts;
  assert.ok(after >= 1800, `offered to another agent ${after} ms after it arrived`);
  assert.equal(o.conv, second.conv);
  // Another organization's chat goes to anyone at once.
  const c2 = await env.connect(cust('gold'));
  const plain = await mustOpen(c2);
  const t0 = Date.now();
  await other.wait(isOffer(plain.conv), { what: 'plain offer' });
  assert.ok(Date.now() - t0 < 1800, `offered ${Date.now() - t0} ms after it arrived, within the delay`);
});

test('capacity: a claim beyond the agent\'s capacity is over_capacity', async (t) => {
  await env.start(t);
  const a = await agentAt(agentWith({ capacity: 1 }), 'away');
  const c = await env.connect(cust('gold'));
  const one = (await mustOpen(c)).conv;
  const two = (await mustOpen(c)).conv;
  const ok = await a.request({ type: 'claim', client_id: uid('cl'), conv: one });
  assert.equal(ok.type, 'ack', JSON.stringify(ok));
  const joined = await c.wait((f) => isKind(one, 'joined')(f), { what: 'joined via claim' });
  assert.equal(joined.via, 'claim');
  assert.equal(joined.seq, ok.seq);
  const full = await a.request({ type: 'claim', client_id: uid('cl'), conv: two });
  assert.equal(full.code, 'over_capacity', JSON.stringify(full));
  assert.equal(rcv(two, 'state'), 'waiting');
  assert.equal((await a.request({ type: 'close', client_id: uid('x'), conv: one })).type, 'ack');
  const now = await a.request({ type: 'claim', client_id: uid('cl'), conv: two });
  assert.equal(now.type, 'ack', JSON.stringify(now));
  // A closed conversation's routing state goes after a day.
  assert.equal(rcv(one, 'state'), 'closed');
  const ttl = Number(env.redis.cli('TTL', `{r}:cv:${one}`));
  assert.ok(ttl > 86000 && ttl <= 86400, `ttl ${ttl}`);
});

test('capacity: a claim goes before the router\'s offers: an offer that holds the room is withdrawn (busy)', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 30 }) });
  const a = await agentAt(agentWith({ capacity: 1 }));
  const c = await env.connect(cust('gold'));
  const offered = (await mustOpen(c)).conv;
  await a.wait(isOffer(offered), { what: 'the offer that fills a capacity of 1' });
  const picked = (await mustOpen(c)).conv;
  const ok = await a.request({ type: 'claim', client_id: uid('cl'), conv: picked });
  assert.equal(ok.type, 'ack', JSON.stringify(ok));
  await a.wait(isWithdrawn(offered, 'busy'), { what: 'withdrawn: busy' });
  assert.equal(rcv(picked, 'agent'), a.hello.user.id);
  assert.equal(rcv(offered, 'offer'), '', 'the withdrawn offer is gone');
  // Full now with a chat of its own: over_capacity.
  const third = (await mustOpen(c)).conv;
  const full = await a.request({ type: 'claim', client_id: uid('cl'), conv: third });
  assert.equal(full.code, 'over_capacity', JSON.stringify(full));
});

test('open: the conversation keeps the customer\'s email address from the token (where mail about it goes)', async (t) => {
  await env.start(t);
  const c = await env.connect(cust('gold', { email: 'ann@example.com' }));
  const { conv } = await mustOpen(c);
  assert.equal(env.redis.cli('HGET', convKey(conv, 'm'), 'email'), 'ann@example.com');
  const none = await env.connect(cust('gold'));
  const other = (await mustOpen(none)).conv;
  assert.equal(env.redis.cli('HGET', convKey(other, 'm'), 'email'), '');
});

test('open: a topic the policy does not list is bad_frame naming topic', async (t) => {
  await env.start(t);
  const c = await env.connect(cust('gold'));
  const r = await open(c, { topic: 'nosuchtopic' });
  assert.equal(r.code, 'bad_frame', JSON.stringify(r));
  assert.match(r.message, /topic/);
  assert.equal(env.redis.cli('ZCARD', '{r}:board'), '0', 'nothing stored');
});

test('capacity: two agents claiming the same conversation at once on two nodes: exactly one wins', async (t) => {
  await env.start(t, { nodes: 2 });
  const a = await agentAt(agentWith({ capacity: 20 }), 'away', env.nodes[0]);
  const b = await agentAt(agentWith({ capacity: 20 }), 'away', env.nodes[1]);
  const c = await env.connect(cust('gold'));
  for (let i = 0; i < 10; i++) {
    const conv = (await mustOpen(c, { watchIt: false })).conv;
    const [ra, rb] = await Promise.all([a, b].map((x) => x.request({ type: 'claim', client_id: uid('cl'), conv })));
    const acks = [ra, rb].filter((r) => r.type === 'ack');
    assert.equal(acks.length, 1, JSON.stringify([ra, rb]));
    const lost = [ra, rb].find((r) => r.type !== 'ack');
    assert.equal(lost.code, 'already_assigned', JSON.stringify(lost));
    const winner = ra.type === 'ack' ? a : b;
    assert.equal(rcv(conv, 'agent'), winner.hello.user.id);
  }
  const list = await agentsOf(a);
  assert.equal(list[a.hello.user.id].load + list[b.hello.user.id].load, 10);
});

test('transfer to another agent with a note, back to the queue, admin takeover; agent_unavailable', async (t) => {
  await env.start(t, { nodes: 2, policy: testPolicy({ offer_timeout_s: 30 }) });
  const aClaims = agentWith();
  const bClaims = agentWith();
  const a = await agentAt(aClaims, 'away', env.nodes[0]);
  const b = await agentAt(bClaims, 'online', env.nodes[1]);
  const awayAgent = await agentAt(agentWith(), 'away');
  const me = cust('gold');
  const c = await env.connect(me);
  const { conv } = await mustOpen(c, { watchIt: true });
  // a claims it before b can accept the offer.
  const claim = await a.request({ type: 'claim', client_id: uid('cl'), conv });
  assert.equal(claim.type, 'ack', JSON.stringify(claim));
  await watch(a, conv, 0);

  // Unknown, away, offline, full: agent_unavailable.
  const offAgent = await agentAt(agentWith(), 'offline');
  const fullAgent = await agentAt(agentWith({ capacity: 1 }), 'online', env.nodes[1]);
  const other = (await mustOpen(await env.connect(cust('gold')), { watchIt: false })).conv;
  assert.equal((await fullAgent.request({ type: 'claim', client_id: uid('cl'), conv: other })).type, 'ack');
  for (const to of ['nobody-' + uid('x'), awayAgent.hello.user.id, offAgent.hello.user.id, fullAgent.hello.user.id]) {
    const r = await a.request({ type: 'transfer', client_id: uid('tr'), conv, to });
    assert.equal(r.code, 'agent_unavailable', `${to}: ${JSON.stringify(r)}`);
  }
  assert.equal(rcv(conv, 'agent'), aClaims.sub, 'still with a');

  const tr = await a.request({ type: 'transfer', client_id: uid('tr'), conv, to: bClaims.sub, note: 'PHP 8.1, see the logs' });
  assert.equal(tr.type, 'ack', JSON.stringify(tr));
  const left = await c.wait(isKind(conv, 'left'), { what: 'left on transfer' });
  assert.equal(left.reason, 'transfer');
  assert.equal(left.from.id, aClaims.sub);
  assert.deepEqual(left.to, { id: bClaims.sub, name: bClaims.name });
  const joined = await c.wait((f) => isKind(conv, 'joined')(f) && f.via === 'transfer', { what: 'joined on transfer' });
  assert.equal(joined.from.id, bClaims.sub);
  assert.deepEqual(joined.by, { id: aClaims.sub, name: aClaims.name });
  assert.equal(tr.seq, joined.seq, 'the ack carries the last event\'s seq');
  await watch(b, conv, 0);
  const note = b.events(conv).find((e) => e.kind === 'note' && e.text === 'PHP 8.1, see the logs');
  assert.ok(note, 'the new agent gets the note');
  assert.equal(note.from.id, aClaims.sub);
  assert.ok(note.seq < left.seq, 'the note is stored first');
  assert.equal(rcv(conv, 'agent'), bClaims.sub);
  // b may now send; a may not.
  assert.equal((await b.request({ type: 'send', client_id: uid('s'), conv, text: 'hello from b' })).type, 'ack');
  assert.equal((await a.request({ type: 'send', client_id: uid('s'), conv, text: 'still here?' })).code, 'not_assigned');

  // Back to the queue: waiting at its original place (ahead of a later one).
  await presence(b, 'away'); // no offers in the way
  const later = (await mustOpen(await env.connect(cust('gold')), { watchIt: false })).conv;
  const back = await b.request({ type: 'transfer', client_id: uid('tr'), conv });
  assert.equal(back.type, 'ack', JSON.stringify(back));
  const left2 = await c.wait((f) => isKind(conv, 'left')(f) && f.seq > left.seq, { what: 'left to the queue' });
  assert.equal(left2.reason, 'queue');
  assert.equal(left2.from.id, bClaims.sub);
  await a.wait((f) => f.type === 'feed' && f.kind === 'requeued' && f.conv === conv, { what: 'feed requeued' });
  assert.deepEqual(await waitingOrder(a), [conv, later]);

  // a claims it again; an admin takes it over.
  assert.equal((await a.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  const notAdmin = await b.request({ type: 'takeover', client_id: uid('to'), conv });
  assert.equal(notAdmin.code, 'forbidden', JSON.stringify(notAdmin));
  const adminClaims = agentWith({ role: 'admin' });
  const admin = await agentAt(adminClaims, 'away', env.nodes[1]);
  const to = await admin.request({ type: 'takeover', client_id: uid('to'), conv, note: 'taking this one' });
  assert.equal(to.type, 'ack', JSON.stringify(to));
  const left3 = await c.wait((f) => isKind(conv, 'left')(f) && f.reason === 'takeover', { what: 'left on takeover' });
  assert.equal(left3.from.id, aClaims.sub);
  assert.deepEqual(left3.to, { id: adminClaims.sub, name: adminClaims.name });
  const joined3 = await c.wait((f) => isKind(conv, 'joined')(f) && f.via === 'takeover', { what: 'joined on takeover' });
  assert.equal(joined3.from.id, adminClaims.sub);
  assert.equal(rcv(conv, 'agent'), adminClaims.sub);

  await c.ping();
  assert.equal(c.events(conv).filter((e) => e.kind === 'note').length, 0, 'the customer never gets a note');
  const seqs = c.seqs(conv);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
});

test('offers count against capacity; an offer ends when the conversation is closed, claimed by another or the agent goes away', async (t) => {
  await env.start(t, { policy: testPolicy({ offer_timeout_s: 30 }) });
  const a = await agentAt(agentWith({ capacity: 1 }));
  const c = await env.connect(cust('gold'));
  const first = (await mustOpen(c)).conv;
  const second = (await mustOpen(c)).conv;
  await a.wait(isOffer(first), { what: 'offer of the first' });
  assert.ok(await noFrame(a, isOffer(second), 1500), 'one pending offer fills a capacity of 1');

  // The customer closes the offered conversation: withdrawn (closed),
  // and the room goes to the next.
  assert.equal((await c.request({ type: 'close', client_id: uid('x'), conv: first })).type, 'ack');
  await a.wait(isWithdrawn(first, 'closed'), { what: 'withdrawn: closed' });
  await a.wait(isOffer(second), { timeout: 3000, what: 'offer of the second' });

  // Another agent claims it: withdrawn (taken).
  const b = await agentAt(agentWith(), 'away');
  assert.equal((await b.request({ type: 'claim', client_id: uid('cl'), conv: second })).type, 'ack');
  await a.wait(isWithdrawn(second, 'taken'), { what: 'withdrawn: taken' });
  const late = await accept(a, second);
  assert.equal(late.code, 'no_offer', JSON.stringify(late));

  // Going away ends a pending offer; declining what is not offered: no_offer.
  const third = (await mustOpen(c)).conv;
  await a.wait(isOffer(third), { what: 'offer of the third' });
  await presence(a, 'away');
  await a.wait(isWithdrawn(third, 'away'), { what: 'withdrawn: away' });
  const d = await a.request({ type: 'decline', conv: third });
  assert.equal(d.code, 'no_offer', JSON.stringify(d));
});

test('transfer and takeover are for the assigned agent and admins; a takeover note goes to agents only', async (t) => {
  await env.start(t);
  const aClaims = agentWith();
  const a = await agentAt(aClaims, 'away');
  const other = await agentAt(agentWith(), 'away');
  const me = cust('gold');
  const c = await env.connect(me);
  const { conv } = await mustOpen(c);
  assert.equal((await a.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  const notMine = await other.request({ type: 'transfer', client_id: uid('tr'), conv });
  assert.ok(['forbidden', 'not_assigned'].includes(notMine.code), JSON.stringify(notMine));
  const byCustomer = await c.request({ type: 'transfer', client_id: uid('tr'), conv });
  assert.equal(byCustomer.code, 'forbidden', JSON.stringify(byCustomer));
  assert.equal(rcv(conv, 'agent'), aClaims.sub);

  const adminClaims = agentWith({ role: 'admin' });
  const admin = await agentAt(adminClaims, 'away');
  await watch(other, conv, 0);
  const to = await admin.request({ type: 'takeover', client_id: uid('to'), conv, note: 'I take this one' });
  assert.equal(to.type, 'ack', JSON.stringify(to));
  const joined = await other.wait((f) => isKind(conv, 'joined')(f) && f.via === 'takeover', { what: 'joined via takeover' });
  assert.equal(joined.from.id, adminClaims.sub);
  assert.equal(joined.by, undefined, 'the admin took it themselves');
  assert.equal(to.seq, joined.seq);
  const note = other.events(conv).find((e) => e.kind === 'note' && e.text === 'I take this one');
  const left = other.events(conv).find((e) => e.kind === 'left' && e.reason === 'takeover');
  assert.ok(note && left && note.seq < left.seq && left.seq < joined.seq, 'note, left, joined in that order');
  assert.equal(note.from.id, adminClaims.sub);
  await c.wait(isKind(conv, 'joined'), { from: 0, what: 'customer sees joined' });
  await c.ping();
  assert.ok(!c.events(conv).some((e) => e.kind === 'note'), 'the customer never gets the note');
  // The admin may transfer it on: back to the queue.
  const back = await admin.request({ type: 'transfer', client_id: uid('tr'), conv });
  assert.equal(back.type, 'ack', JSON.stringify(back));
  assert.equal(rcv(conv, 'state'), 'waiting');
});

test('presence: an agent back within the grace keeps their chats and never shows offline', async (t) => {
  await env.start(t, { policy: testPolicy({ presence_grace_s: 2 }) });
  const viewer = await agentAt(agentWith(), 'away');
  const aClaims = agentWith();
  let a = await agentAt(aClaims, 'away');
  const c = await env.connect(cust('gold'));
  const { conv } = await mustOpen(c);
  assert.equal((await a.request({ type: 'claim', client_id: uid('cl'), conv })).type, 'ack');
  const from = viewer.frames.length;
  await a.terminate();
  await new Promise((r) => setTimeout(r, 500)); // a network blip
  a = await env.connect(aClaims);
  assert.ok(await noFrame(viewer, (f) => f.type === 'agent' && f.agent.id === aClaims.sub && f.agent.status === 'offline', 3000, from),
    'never offline');
  assert.ok(!c.events(conv).some((e) => e.kind === 'left'), 'kept the chat');
  assert.equal(rcv(conv, 'agent'), aClaims.sub);
  const list = await agentsOf(viewer);
  assert.equal(list[aClaims.sub].status, 'away', 'the status chosen before is kept');
  assert.equal(list[aClaims.sub].load, 1);
});
