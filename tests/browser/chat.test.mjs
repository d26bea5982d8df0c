// End to end: a customer in the widget and an agent in the console, in
// Chromium, against a real chatd and Redis: opening and answering a chat,
// typing and read receipts, and a customer connection cut and restored while
// both sides send. Ends with a screenshot of each app.
import test from 'node:test';
import assert from 'node:assert/strict';
import { TcpProxy } from './proxy.mjs';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible,
  openWidget, openConversation, send, claim, openConsole, waitText, waitMessages,
  waitConnection, chatMessages, hostPage, screenshot, assertNoPageErrors,
} from './lib.mjs';

const env = useBrowserStack({ hostSite: true });

// A customer on the demo page (or on the host site page whose URL host(cu)
// returns) opens a conversation and an agent claims it in the console; no
// messages yet.
async function conversation(tag, { host } = {}) {
  const ag = agent(uid('agent'), { name: `Bo Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Ann Customer ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await env.b.page('widget');
  await wid.goto(host ? host(cu) : `${env.stack.http}/demo/#token=${token(cu)}`);
  const summary = `Checkout returns 502 ${tag}`;
  await openConversation(wid, { summary });
  const conv = await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);
  return { ag, cu, con, wid, conv, summary };
}

function assertOnceInOrder(app, msgs, expected, groups) {
  const texts = msgs.map((m) => m.text);
  assert.deepEqual([...texts].sort(), [...expected].sort(),
    `${app} shows every message exactly once (shows ${JSON.stringify(texts)})`);
  const seqs = msgs.map((m) => m.seq);
  assert.ok(seqs.every((s) => Number.isInteger(s) && s > 0), `${app} messages all carry data-seq: ${JSON.stringify(seqs)}`);
  for (let i = 1; i < seqs.length; i++) {
    assert.ok(seqs[i] > seqs[i - 1], `${app} shows messages in seq order: ${JSON.stringify(msgs)}`);
  }
  for (const group of groups) {
    const pos = group.map((t) => texts.indexOf(t));
    assert.deepEqual(pos, [...pos].sort((x, y) => x - y), `${app} keeps ${JSON.stringify(group)} in the order sent; shows ${JSON.stringify(texts)}`);
  }
}

test('a customer opens a chat from the demo page and an agent answers in the console', { timeout: 120000 }, async () => {
  const tag = uid('open');
  const ag = agent(uid('agent'), { name: `Bo Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Ann Customer ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);

  const wid = await env.b.page('widget');
  env.shots.push([wid, 'widget-demo'], [con, 'console']);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  const summaryField = await openWidget(wid);

  // A summary of blanks is refused with a field error, nothing is opened.
  await summaryField.fill('   ');
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'field-error').first().waitFor({ state: 'visible' });

  const summary = `Live site returns 502 after deploy ${tag}`;
  await openConversation(wid, { summary, steps: '1. Deploy to Live\n2. Visit /checkout', errors: '502 Bad Gateway' });
  await waitConnection(wid, (s) => s === 'online', 'online');

  // The queue shows it live (a feed, no reload), waiting, with the tier.
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });
  assert.equal(await item.getAttribute('data-status'), 'waiting');
  assert.equal(await item.getAttribute('data-tier'), 'gold');

  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);

  const hello = `Hello, checkout is down since the deploy ${tag}`;
  const reply = `Hi Ann, looking at it now ${tag}`;
  await send(wid, hello);
  await waitMessages(con, [hello]);
  await send(con, reply);
  await waitMessages(wid, [hello, reply]);
  await waitMessages(con, [hello, reply]);

  for (const [app, page, mineText] of [['widget', wid, hello], ['console', con, reply]]) {
    const msgs = await chatMessages(page);
    assertOnceInOrder(app, msgs, [hello, reply], [[hello, reply]]);
    for (const m of msgs) assert.equal(m.mine, m.text === mineText, `${app} data-mine of ${JSON.stringify(m.text)}`);
  }
  assertNoPageErrors(wid, con);
});

test('typing and read receipts show on the other side', { timeout: 120000 }, async () => {
  const tag = uid('typing');
  const { con, wid } = await conversation(tag);

  // The customer types: the agent sees it; sending ends it.
  await byTestId(wid, 'composer').pressSequentially('My site is', { delay: 20 });
  await byTestId(con, 'typing').first().waitFor({ state: 'visible' });
  const fromCustomer = `My site is down ${tag}`;
  await byTestId(wid, 'composer').fill(fromCustomer);
  await byTestId(wid, 'send').click();
  await waitMessages(con, [fromCustomer]);
  await byTestId(con, 'typing').first().waitFor({ state: 'hidden', timeout: 20000 });

  // The agent's console shows the message: the customer sees it was read.
  await byTestId(wid, 'read-receipt').first().waitFor({ state: 'visible' });

  // The agent types: the customer sees it; sending ends it.
  await byTestId(con, 'composer').pressSequentially('Checking', { delay: 20 });
  await byTestId(wid, 'typing').first().waitFor({ state: 'visible' });
  const fromAgent = `Checking your logs ${tag}`;
  await byTestId(con, 'composer').fill(fromAgent);
  await byTestId(con, 'send').click();
  await waitMessages(wid, [fromAgent]);
  await byTestId(wid, 'typing').first().waitFor({ state: 'hidden', timeout: 20000 });

  // The widget shows the reply: the agent sees it was read.
  await byTestId(con, 'read-receipt').first().waitFor({ state: 'visible' });
  assertNoPageErrors(wid, con);
});

test('a customer connection cut while both sides send: every message once, in order, after a real reconnect', { timeout: 180000 }, async () => {
  const tag = uid('cut');
  const proxy = await new TcpProxy(env.stack.chatd.port).start();
  let pages = [];
  try {
    // The widget's server is the proxy; its files come from chatd.
    const { con, wid } = await conversation(tag, {
      host: (cu) => env.site.url('/reconnect.html', hostPage({ server: `ws://127.0.0.1:${proxy.port}/ws`, tok: token(cu) })),
    });
    pages = [[wid, 'widget-after-reconnect'], [con, 'console-after-reconnect']];
    const m = (n) => `${n} ${tag}`;
    const c0 = m('c0 customer before the cut');
    const a0 = m('a0 agent before the cut');
    await send(wid, c0);
    await waitMessages(con, [c0]);
    await send(con, a0);
    await waitMessages(wid, [c0, a0]);
    await waitConnection(wid, (s) => s === 'online', 'online');
    const before = proxy.accepted;
    assert.ok(before >= 1, 'the widget connects through the proxy');

    // A lost ack: c1 reaches chatd (the agent sees it), its ack and event
    // never reach the widget.
    proxy.stall();
    const c1 = m('c1 customer, ack lost');
    await send(wid, c1);
    await waitMessages(con, [c1]);

    // The cut: the connection is reset and new ones are refused.
    proxy.cut();
    await waitConnection(wid, (s) => s !== 'online', 'to leave online after the cut');

    // Both sides send while the customer is cut off.
    const c2 = m('c2 customer while cut');
    const c3 = m('c3 customer while cut');
    const a1 = m('a1 agent while cut');
    const a2 = m('a2 agent while cut');
    await send(wid, c2);
    await send(con, a1);
    await send(wid, c3);
    await send(con, a2);
    await waitMessages(con, [a1, a2]);
    const cutOff = (await chatMessages(wid)).map((x) => x.text);
    assert.ok(!cutOff.includes(a1) && !cutOff.includes(a2), `the widget was really cut off, yet shows ${JSON.stringify(cutOff)}`);
    assert.equal(proxy.accepted, before, 'no connection got through while cut');

    proxy.restore();
    await waitConnection(wid, (s) => s === 'online', 'to come back online', { timeout: 60000 });
    assert.ok(proxy.accepted > before, `the widget reconnected (connections through the proxy: ${before} before the cut, ${proxy.accepted} after)`);
    const tokenCalls = await wid.evaluate(() => window.__tokenCalls);
    assert.ok(tokenCalls >= 2, `getToken() is called again at the reconnect (web/README.md); called ${tokenCalls} time(s)`);
    console.log(`reconnect: proxy forwarded ${proxy.accepted} connection(s), refused ${proxy.refused} while cut; getToken() called ${tokenCalls} time(s)`);

    const all = [c0, a0, c1, c2, c3, a1, a2];
    await waitMessages(wid, all, { timeout: 30000 });
    await waitMessages(con, all, { timeout: 30000 });
    // One more from the agent after everything: whatever a replay or a retry
    // could still deliver arrives before it.
    const aEnd = m('a3 agent after the reconnect');
    await send(con, aEnd);
    const expected = [...all, aEnd];
    await waitMessages(wid, expected);
    await waitMessages(con, expected);

    const groups = [[c0, c1, c2, c3], [a0, a1, a2, aEnd]];
    const w = await chatMessages(wid);
    const c = await chatMessages(con);
    assertOnceInOrder('widget', w, expected, groups);
    assertOnceInOrder('console', c, expected, groups);
    assert.deepEqual(w.map((x) => x.text), c.map((x) => x.text), 'both apps show the same order');
    assert.deepEqual(w.map((x) => x.seq), c.map((x) => x.seq), 'both apps show the same sequence numbers');
    assertNoPageErrors(wid, con);
  } finally {
    // while the proxy still forwards: the state the test ended in
    for (const [page, name] of pages) await screenshot(page, name).catch((e) => console.log(`screenshot ${name} failed: ${e.message}`));
    await proxy.stop();
  }
});
