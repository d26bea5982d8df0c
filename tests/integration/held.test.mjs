// A message left outside chat hours: held (never offered, never closed by
// the waiting sweep while it waits for the opening), then, once its
// package opens, in the queue at the place its arrival gives it and
// offered like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useRouting, testPolicy, cust, agentWith, open, mustOpen, listOpen, isOffer, noFrame, ymd, zoned, weekdayZone,
} from './routing.mjs';

const env = useRouting();

test('a held message enters the queue ahead of later arrivals when its package opens, and is offered', async (t) => {
  const tz = weekdayZone();
  const policy = testPolicy({}, { support_timezone: tz, holidays: [ymd(zoned(Date.now(), tz))] });
  policy.tiers.silver.chat.hours = '24x5';
  // The sweep closes conversations waiting 1 s: a held one waits from its
  // opening on, so it must survive.
  await env.start(t, { policy, args: ['--waiting-timeout', '1'] });
  const silver = await env.connect(cust('silver'));
  const held = await open(silver, { leave_message: true, summary: 'left for later' });
  assert.equal(held.type, 'ack', JSON.stringify(held));
  const viewer = await env.connect(agentWith());
  assert.equal((await viewer.request({ type: 'presence', status: 'away' })).type, 'ack');

  // Well past the waiting limit, the held one is still open and held.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(env.redis.cli('HGET', `{r}:cv:${held.conv}`, 'state'), 'held');
  assert.ok(!silver.events(held.conv).some((e) => e.kind === 'closed'), 'not closed while held');
  const gold = await env.connect(cust('gold'));
  const later = await mustOpen(gold, { summary: 'arrived after the message' });

  // The opening comes (brought forward in Redis: the hours themselves are
  // unit-tested with an injected clock).
  env.redis.cli('ZADD', '{r}:held', String(Date.now()), held.conv);
  const items = await (async () => {
    for (let i = 0; i < 60; i++) {
      const l = await listOpen(viewer);
      if (l.find((x) => x.conv === held.conv)?.position) return l;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the held message never entered the queue');
  })();
  const pos = (conv) => items.find((x) => x.conv === conv)?.position;
  assert.equal(pos(held.conv), 1, 'it arrived first: it is served first');
  assert.ok(pos(later.conv) > 1);

  const ag = await env.connect(agentWith());
  await ag.wait(isOffer(held.conv), { what: 'the released message offered' });
  assert.ok(await noFrame(viewer, isOffer(held.conv), 300), 'an away agent gets no offer');
});
