// When something is wrong, both apps say what, in a real Chromium against a
// real chatd and Redis: a network that is down (the browser's offline mode,
// navigator.onLine false) and a chat server that is down (chatd stopped)
// are told apart in words; both show when they will try again (a countdown
// from the client's backoff, updated each second) and a Retry now button
// that connects at once; going back online connects at once; the console
// marks its queue column out of date and disables what needs the server
// until it is back; and nothing written meanwhile is lost or doubled.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, hostPage, eventually,
  openConversation, send, claim, waitText, waitMessages, waitConnection,
  chatMessages, screenshot, assertNoPageErrors,
} from './lib.mjs';

const env = useBrowserStack({ hostSite: true });

const NETWORK = "You're offline. Check your internet connection.";
const SERVER = "Can't reach the chat service.";
const CONSOLE_NETWORK = "You're offline";
const CONSOLE_SERVER = "Can't reach the chat server";
const STALE = 'Not up to date – reconnecting';

// A customer's widget on the host site (its own origin), connected to chatd
// directly; window.__widget.client is its ChatClient. Its timers run on a
// clock the test can pause.
async function widgetPage(cu, name = 'widget') {
  const page = await env.b.page(name);
  await page.clock.install();
  const url = env.site.url(`/${uid('errors')}.html`, hostPage({ server: env.stack.chatd.url, tok: token(cu) }));
  await page.goto(url);
  return page;
}

// The console (as openConsole) with its timers on a clock the test can pause.
async function consolePage(claims) {
  const page = await env.b.page('console');
  await page.clock.install();
  await page.goto(`${env.stack.http}/console/#token=${token(claims)}`);
  await waitText(page, 'me', claims.name);
  await waitConnection(page, (s) => s === 'online', 'online');
  return page;
}

// Stops the page's timers (and its clock): the client's backoff cannot
// connect it meanwhile, so a connection made while paused is the `online`
// event's or Retry now's. Returns the time of the retry the backoff had set.
async function pause(page) {
  const due = Number(await byTestId(page, 'retry-countdown').getAttribute('data-retry-at'));
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 500);
  return due;
}

// ms from now (the page's clock) to the retry the countdown shows; NaN when
// none is due (an attempt under way).
const retryLeft = (page) => byTestId(page, 'retry-countdown').evaluate((el) => Number(el.dataset.retryAt || NaN) - Date.now());

// Every text of expected shown exactly once, none other.
async function assertOnce(page, expected) {
  const msgs = await waitMessages(page, expected, { timeout: 30000 });
  const texts = (await chatMessages(page)).map((m) => m.text);
  for (const t of expected) assert.equal(texts.filter((x) => x === t).length, 1, `${page.appName} shows ${JSON.stringify(t)} once: ${JSON.stringify(texts)}`);
  assert.equal(texts.length, expected.length, `${page.appName} shows nothing else: ${JSON.stringify(texts)}`);
  return msgs;
}

// The countdown counts down each second toward one retry time.
async function assertCountsDown(page) {
  let first;
  await eventually(async () => {
    const left = await retryLeft(page);
    assert.ok(left > 2500, `a retry at least 2.5 s away (${left} ms)`);
    first = { at: await byTestId(page, 'retry-countdown').getAttribute('data-retry-at'), text: await byTestId(page, 'retry-countdown').textContent() };
  }, { timeout: 30000, what: `${page.appName} to wait more than 2.5 s for its next try` });
  assert.match(first.text, /^Retrying in \d+ s$/);
  await eventually(async () => {
    const at = await byTestId(page, 'retry-countdown').getAttribute('data-retry-at');
    const text = await byTestId(page, 'retry-countdown').textContent();
    assert.equal(at, first.at, 'the same retry');
    assert.notEqual(text, first.text, 'the countdown moved on');
    assert.ok(Number(text.match(/\d+/)[0]) < Number(first.text.match(/\d+/)[0]), `${text} after ${first.text}`);
  }, { timeout: 2000, what: `${page.appName}'s countdown to tick` });
}

// Claiming, closing and the rest are off (aria-disabled, or disabled) on
// the console while it is not connected, and a click on them does nothing.
async function consoleActions(con) {
  const els = { close: byTestId(con, 'close-conversation'), presence: byTestId(con, 'presence') };
  if (await byTestId(con, 'claim').count()) els.claim = byTestId(con, 'claim').first();
  if (await byTestId(con, 'transfer').count()) els.transfer = byTestId(con, 'transfer');
  return els;
}

test('network down: the words say so, the countdown runs, online again connects at once; the console marks its queue out of date and disables what needs the server', { timeout: 180000 }, async () => {
  const tag = uid('net');
  const ag = agent(uid('agent'), { name: `Bo Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Ann ${tag}` });
  const con = await consolePage(ag);
  const wid = await widgetPage(cu);
  env.shots.push([wid, 'errors-widget-network'], [con, 'errors-console-network']);
  const summary = `Network test ${tag}`;
  await openConversation(wid, { summary });
  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);
  // another customer waits in the queue: a Claim button to disable
  const other = await widgetPage(customer(uid('cust')), 'widget 2');
  const otherSummary = `Waiting meanwhile ${tag}`;
  await openConversation(other, { summary: otherSummary });
  await visible(con.getByTestId('queue-item').filter({ hasText: otherSummary })).waitFor();

  const m = (s) => `${s} ${tag}`;
  const before = [m('c0 before'), m('a0 before')];
  await send(wid, before[0]);
  await send(con, before[1]);
  await waitMessages(wid, before);

  // --- the customer's network goes down
  await wid.context().setOffline(true);
  assert.equal(await wid.evaluate(() => navigator.onLine), false, 'the page sees the browser offline');
  await waitConnection(wid, (s) => s === 'offline' || s === 'connecting', 'offline');
  // at once, not after a grace time: the browser knows
  await waitText(wid, 'banner', NETWORK, { timeout: 3000 });
  assert.equal(await byTestId(wid, 'connection').getAttribute('data-reason'), 'network');
  assert.doesNotMatch(await byTestId(wid, 'banner').textContent(), /chat service/);
  await byTestId(wid, 'retry-now').waitFor({ state: 'visible' });
  const cut = [m('c1 customer offline'), m('a1 agent meanwhile')];
  await send(wid, cut[0]);
  await send(con, cut[1]);
  await waitMessages(con, [cut[1]]);
  await assertCountsDown(wid);
  await screenshot(wid, 'errors-widget-offline');

  // back online: the `online` event connects at once (the page's timers,
  // the backoff's retry among them, are paused)
  assert.ok((await pause(wid)) > 0, 'a retry was set');
  await wid.context().setOffline(false);
  await waitConnection(wid, (s) => s === 'online', 'online again', { timeout: 10000 });
  await wid.clock.resume();
  await byTestId(wid, 'banner').waitFor({ state: 'hidden' });

  // --- the agent's network goes down
  await con.context().setOffline(true);
  assert.equal(await con.evaluate(() => navigator.onLine), false);
  await waitText(con, 'connection', CONSOLE_NETWORK, { timeout: 3000 });
  assert.equal(await byTestId(con, 'connection').getAttribute('data-reason'), 'network');
  await byTestId(con, 'retry-now').waitFor({ state: 'visible' });
  await assertCountsDown(con);
  // the queue column: marked, visibly and for screen readers
  await waitText(con, 'stale', STALE);
  assert.equal(await byTestId(con, 'queue').getAttribute('aria-busy'), 'true');
  assert.equal(await byTestId(con, 'queue').getAttribute('aria-describedby'), 'stale-note');
  assert.ok(await con.locator('.col-queue').evaluate((el) => el.classList.contains('is-stale')));
  const actions = await consoleActions(con);
  for (const [what, el] of Object.entries(actions)) assert.ok(await el.isDisabled(), `${what} is disabled offline`);
  // a click that gets through anyway (a script, a stale focus) does nothing
  await actions.claim.dispatchEvent('click');
  await actions.close.dispatchEvent('click');
  await screenshot(con, 'errors-console-offline');
  // writing stays: the outbox sends it once when the connection is back
  assert.ok(await byTestId(con, 'send').isEnabled());
  const a2 = m('a2 agent offline');
  await send(con, a2);

  await con.context().setOffline(false);
  await waitConnection(con, (s) => s === 'online', 'online again', { timeout: 10000 });
  await byTestId(con, 'stale').waitFor({ state: 'hidden' });
  await eventually(async () => assert.equal(await byTestId(con, 'queue').getAttribute('aria-busy'), 'false'), { what: 'the queue current again' });
  for (const [what, el] of Object.entries(await consoleActions(con))) assert.ok(await el.isEnabled(), `${what} is enabled again`);
  // the clicks did nothing: the other conversation still waits, ours is open
  const otherItem = visible(con.getByTestId('queue-item').filter({ hasText: otherSummary }));
  assert.equal(await otherItem.getAttribute('data-status'), 'waiting');
  await byTestId(con, 'close-conversation').waitFor({ state: 'visible' });

  const all = [...before, ...cut, a2];
  await assertOnce(wid, all);
  await assertOnce(con, all);
  assertNoPageErrors(wid, con, other);
});

test('chat server down: the words say so; Retry now after the restart connects long before the backoff would', { timeout: 180000 }, async () => {
  const tag = uid('srv');
  const ag = agent(uid('agent'), { name: `Cy Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Dee ${tag}` });
  const con = await consolePage(ag);
  const wid = await widgetPage(cu);
  env.shots.push([wid, 'errors-widget-server'], [con, 'errors-console-server']);
  const summary = `Server test ${tag}`;
  await openConversation(wid, { summary });
  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);
  const m = (s) => `${s} ${tag}`;
  const before = [m('c0 before'), m('a0 before')];
  await send(wid, before[0]);
  await send(con, before[1]);
  await waitMessages(wid, before);

  // the widget probes the chat server, which does not answer, then the
  // host site, which does: the reason is 'server' (both out of reach
  // would be 'network')
  const probes = [];
  wid.on('request', (r) => (r.url().endsWith('/healthz') || r.url() === `${env.site.origin}/`) && probes.push(`${r.method()} ${r.url()}`));
  const chatd = env.stack.chatd;
  await chatd.stop();
  try {
    // after the grace time (a restart is usually over by then), the reason
    for (const [page, words] of [[wid, SERVER], [con, CONSOLE_SERVER]]) {
      assert.equal(await page.evaluate(() => navigator.onLine), true);
      await waitText(page, page === wid ? 'banner' : 'connection', words, { timeout: 20000 });
      assert.equal(await byTestId(page, 'connection').getAttribute('data-reason'), 'server');
      await byTestId(page, 'retry-now').waitFor({ state: 'visible' });
    }
    assert.doesNotMatch(await byTestId(wid, 'banner').textContent(), /offline/i);
    // (a node that drains may still answer the first; the next is 15 s on)
    await eventually(() => {
      const head = probes.indexOf(`HEAD ${env.site.origin}/`);
      assert.ok(head > 0, `probes: ${JSON.stringify(probes)}`);
      assert.equal(probes[head - 1], `GET ${env.stack.http}/healthz`, 'the chat server first');
    }, { timeout: 40000, what: 'the probes' });
    assert.equal(await byTestId(wid, 'connection').getAttribute('data-reason'), 'server', 'still the server after the probes');
    await waitText(con, 'stale', STALE);
    for (const [what, el] of Object.entries(await consoleActions(con))) assert.ok(await el.isDisabled(), `${what} is disabled while the server is down`);
    await assertCountsDown(wid);
    await screenshot(wid, 'errors-widget-server-down');
    await screenshot(con, 'errors-console-server-down');
    const cut = [m('c1 customer while down'), m('a1 agent while down')];
    await send(wid, cut[0]);
    await send(con, cut[1]);

    // the backoff's retries paused (both pages' timers): a connection after
    // the restart is Retry now's
    for (const page of [wid, con]) {
      await eventually(async () => assert.ok((await retryLeft(page)) > 0), { what: `${page.appName} to wait for a retry` });
      await pause(page);
    }
    mkdirSync(chatd.dir, { recursive: true }); // stop() removed the node's folder
    await chatd.start();
    for (const page of [wid, con]) {
      await waitConnection(page, (s) => s === 'offline', 'offline (no attempt under way)');
      const t0 = Date.now();
      await byTestId(page, 'retry-now').click();
      await waitConnection(page, (s) => s === 'online', 'online after Retry now', { timeout: 10000 });
      console.log(`${page.appName}: online ${Date.now() - t0} ms after Retry now`);
      await page.clock.resume();
      await byTestId(page, 'retry-now').waitFor({ state: 'hidden' });
    }
    await byTestId(wid, 'banner').waitFor({ state: 'hidden' });
    await byTestId(con, 'stale').waitFor({ state: 'hidden' });
    for (const [what, el] of Object.entries(await consoleActions(con))) assert.ok(await el.isEnabled(), `${what} is enabled again`);

    const all = [...before, ...cut];
    await assertOnce(wid, all);
    await assertOnce(con, all);
    assertNoPageErrors(wid, con);
  } finally {
    if (!chatd.alive()) {
      mkdirSync(chatd.dir, { recursive: true });
      await chatd.start();
    }
  }
});

// A browser that says it is online (navigator.onLine true) while nothing
// answers: the socket fails, and so do the probes of the chat server's
// /healthz and of the page's own origin. That is the network too. Once
// they answer again, Retry now connects.
test('the browser says online but nothing answers: the network, found by the probes', { timeout: 90000 }, async () => {
  const cu = customer(uid('cust'));
  const page = await env.b.page('widget no answers');
  await page.clock.install();
  env.shots.push([page, 'errors-widget-no-answers']);
  await page.goto(env.site.url(`/${uid('errors')}.html`, hostPage({ server: env.stack.chatd.url, tok: token(cu), mount: false })));
  let down = true;
  const probes = [];
  await page.routeWebSocket(/\/ws$/, (ws) => (down ? ws.close({ code: 1006 }) : ws.connectToServer()));
  const fail = (route) => {
    if (!down) return route.continue();
    probes.push(`${route.request().method()} ${route.request().url()}`);
    return route.abort('internetdisconnected');
  };
  await page.route(/\/healthz$/, fail);
  await page.route(`${env.site.origin}/`, fail);
  await page.evaluate(() => window.__mountWidget().open());
  await waitText(page, 'banner', NETWORK);
  assert.equal(await page.evaluate(() => navigator.onLine), true, 'the browser says online');
  await eventually(async () => assert.ok((await retryLeft(page)) > 0), { what: 'a retry set' });
  assert.equal(await byTestId(page, 'connection').getAttribute('data-reason'), 'network');
  assert.deepEqual(probes.slice(0, 2), [`GET ${env.stack.http}/healthz`, `HEAD ${env.site.origin}/`], 'the chat server first, then the page\'s origin');

  // the backoff paused: only Retry now connects
  await pause(page);
  down = false;
  await waitConnection(page, (s) => s === 'offline', 'offline (no attempt under way)');
  await byTestId(page, 'retry-now').click();
  await waitConnection(page, (s) => s === 'online', 'online after Retry now', { timeout: 10000 });
  await byTestId(page, 'banner').waitFor({ state: 'hidden' });
  assertNoPageErrors(page);
});

// getToken() failing while the browser says online is a sign-in failure,
// unless the page's own origin does not answer either: then the host's
// token endpoint is out of reach with the network, and the widget waits
// for it instead of asking the customer to sign in again.
test('getToken() fails while nothing answers: the network, not a sign-in error', { timeout: 90000 }, async () => {
  const cu = customer(uid('cust'));
  const page = await env.b.page('widget token unreachable');
  await page.clock.install();
  await page.goto(env.site.url(`/${uid('errors')}.html`, hostPage({
    server: env.stack.chatd.url,
    tokenFn: `() => (window.__down ? Promise.reject(new TypeError('Failed to fetch')) : ${JSON.stringify(token(cu))})`,
    mount: false,
  })));
  const down = () => page.evaluate(() => window.__down);
  await page.route(/\/healthz$/, async (route) => ((await down()) ? route.abort('internetdisconnected') : route.continue()));
  await page.route(`${env.site.origin}/`, async (route) => ((await down()) ? route.abort('internetdisconnected') : route.continue()));
  await page.evaluate(() => {
    window.__down = true;
    window.__mountWidget().open();
  });
  await waitText(page, 'banner', NETWORK);
  await eventually(async () => assert.ok((await page.evaluate(() => window.__tokenCalls)) >= 2, 'asked again'), { what: 'a second try' });
  const states = await page.evaluate(() => window.__states);
  assert.ok(!states.includes('failed'), `never failed: ${states}`);
  assert.equal(await byTestId(page, 'connection').getAttribute('data-state') !== 'failed', true);

  await eventually(async () => assert.ok((await retryLeft(page)) > 0), { what: 'a retry set' });
  await pause(page);
  await page.evaluate(() => {
    window.__down = false;
  });
  // an attempt under way when the network came back goes on to connect
  // (its token is asked for again); else Retry now connects
  await waitConnection(page, (s) => s === 'offline' || s === 'online', 'offline (no attempt under way) or online');
  if ((await byTestId(page, 'connection').getAttribute('data-state')) === 'offline') await byTestId(page, 'retry-now').click();
  await waitConnection(page, (s) => s === 'online', 'online after Retry now', { timeout: 10000 });
  assert.ok(!(await page.evaluate(() => window.__states)).includes('failed'), 'never failed');
  assertNoPageErrors(page);
});
