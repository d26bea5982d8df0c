// The widget when the host page cannot sign the customer in: a token the
// server refuses, or a getToken() that rejects, ends in a clear message and
// no more attempts (not an endless "Reconnecting…"), and reconnect() recovers
// once the host has a good token; a token that expires during a chat is
// replaced without a word to the customer. The console, likewise, asks the
// agent to sign in again and takes the next token pasted.
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TcpProxy } from './proxy.mjs';
import { craftToken } from '../integration/harness.mjs';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, hostPage, eventually,
  openConversation, send, waitMessages, waitConnection, waitText, assertNoPageErrors,
} from './lib.mjs';

const env = useBrowserStack({ hostSite: true });

const SIGN_IN_FAILED = "We couldn't sign you in to chat.";
// Longer than every reconnect backoff of the client (10 s cap, 60 s for
// refused tokens) several times over, run on the page's fake clock.
const QUIET_FOR = 5 * 60 * 1000;

const pageState = (page) => page.evaluate(() => ({ calls: window.__tokenCalls || 0, states: window.__states }));

// Opens the panel and waits for the sign-in failure, with the client in
// its final state.
async function waitSignInFailure(page) {
  await byTestId(page, 'launcher').click();
  await waitConnection(page, (s) => s === 'failed', 'failed');
  const banner = byTestId(page, 'banner');
  await banner.waitFor({ state: 'visible' });
  assert.match(await banner.textContent(), /We couldn't sign you in to chat\. Please reload the page or sign in again\./);
  assert.equal(await banner.getAttribute('role'), 'alert');
  // The list below does not pretend to be loading.
  assert.equal(await byTestId(page, 'home-empty').textContent(), 'Your conversations will show here once you are signed in.');
}

// A page of the host site whose widget connects through proxy; the page's
// timers run on a clock the test can move.
async function hostedPage(name, proxy, tokenFn) {
  const page = await env.b.page(name);
  await page.clock.install();
  const url = env.site.url(`/${uid('auth')}.html`, hostPage({ server: `ws://127.0.0.1:${proxy.port}/ws`, tokenFn }));
  await page.goto(url);
  return page;
}

test('a host whose tokens the server refuses: one fresh token, then a clear error and no more attempts', { timeout: 60000 }, async () => {
  const proxy = await new TcpProxy(env.stack.chatd.port).start();
  const cu = customer(uid('cust'));
  const forged = craftToken(cu, { secret: randomBytes(32).toString('hex') }); // signed with a key chatd does not have
  try {
    const page = await hostedPage('widget refused token', proxy, `() => ${JSON.stringify(forged)}`);
    env.shots.push([page, 'widget-token-refused']);
    await waitSignInFailure(page);
    const at = await pageState(page);
    assert.equal(at.calls, 2, 'getToken() is asked once more after the first refusal');
    assert.equal(proxy.accepted, 2, 'two connections: the first token and the fresh one');

    // Minutes of the page's timers later (every backoff period several times
    // over) the client has asked for no token, so started no connection:
    // getToken() is the first thing a connection attempt does, synchronously
    // in the timer.
    await page.clock.runFor(QUIET_FOR);
    const later = await pageState(page);
    assert.equal(later.calls, 2, `no attempt after the failure (states ${later.states})`);
    // and the proxy saw none: a probe connection made now is the only new one
    await page.evaluate((url) => new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'chat.v1');
      ws.onopen = () => { ws.close(); resolve(); };
      ws.onerror = () => reject(new Error('probe failed'));
    }), `ws://127.0.0.1:${proxy.port}/ws`);
    await eventually(() => assert.equal(proxy.accepted, 3), { timeout: 5000, what: 'the probe connection' });
    assert.equal(await waitConnection(page, () => true, 'any'), 'failed');
    assert.match(await byTestId(page, 'banner').textContent(), new RegExp(SIGN_IN_FAILED));
    assertNoPageErrors(page);
  } finally {
    await proxy.stop();
  }
});

test('a getToken() that rejects: a clear error at once; reconnect() with a good token recovers', { timeout: 60000 }, async () => {
  const proxy = await new TcpProxy(env.stack.chatd.port).start();
  const cu = customer(uid('cust'));
  try {
    const page = await hostedPage('widget getToken rejects', proxy,
      '() => window.__goodToken || Promise.reject(new Error("not signed in to the host site"))');
    env.shots.push([page, 'widget-no-token']);
    await waitSignInFailure(page);
    await page.clock.runFor(QUIET_FOR);
    assert.equal((await pageState(page)).calls, 1, 'a rejecting getToken() is not asked again');
    assert.equal(proxy.accepted, 0, 'no connection without a token');

    // the customer signs in to the host site; the host calls reconnect()
    await page.evaluate((t) => {
      window.__goodToken = t;
      window.__widget.reconnect();
    }, token(cu));
    await waitConnection(page, (s) => s === 'online', 'online');
    await byTestId(page, 'banner').waitFor({ state: 'hidden' });
    await openConversation(page, { summary: `Signed in after all ${uid('s')}` });
    const text = 'Hello after signing in';
    await send(page, text);
    await waitMessages(page, [text]);
    assertNoPageErrors(page);
  } finally {
    await proxy.stop();
  }
});

// getToken() failing in the other ways web/README.md names: it throws
// (not a rejected promise: a plain function that throws), returns an empty
// string, or returns nothing. Each is the host saying it cannot sign the
// customer in: the same clear error at once, and no connection.
for (const [what, mode] of [['throws', 'throws'], ['returns an empty string', 'empty'], ['returns nothing', 'nothing']]) {
  test(`a getToken() that ${what}: a clear error at once, no attempt`, { timeout: 60000 }, async () => {
    const proxy = await new TcpProxy(env.stack.chatd.port).start();
    try {
      const page = await env.b.page(`widget getToken ${mode}`);
      await page.clock.install();
      await page.goto(env.site.url(`/${uid('auth')}.html`, hostPage({ server: `ws://127.0.0.1:${proxy.port}/ws`, mount: false })));
      await page.evaluate(({ server, mode }) => {
        window.__tokenCalls = 0;
        const getToken = () => {
          window.__tokenCalls++;
          if (mode === 'throws') throw new Error('not signed in to the host site');
          return mode === 'empty' ? '' : undefined;
        };
        window.__widget = window.ChatdWidget.mount({ server, getToken });
        // the loader's handle has the client once the widget's bundle is there
        window.__widget.ready.then((w) => w.client.addEventListener('state', (e) => window.__states.push(e.detail.state)));
      }, { server: `ws://127.0.0.1:${proxy.port}/ws`, mode });
      await waitSignInFailure(page);
      await page.clock.runFor(QUIET_FOR);
      assert.equal((await pageState(page)).calls, 1, 'getToken() is not asked again');
      assert.equal(proxy.accepted, 0, 'no connection without a token');
      assert.equal(await byTestId(page, 'retry-now').count(), 0, 'no Retry now: waiting will not help');
      assertNoPageErrors(page);
    } finally {
      await proxy.stop();
    }
  });
}

// The browser offline: the host's token endpoint is out of reach, which is
// no sign-in failure. The widget says the network is down and connects once
// it is back.
test('a getToken() that fails while the browser is offline: "offline", not a sign-in error; back online, connected', { timeout: 60000 }, async () => {
  const cu = customer(uid('cust'));
  const page = await env.b.page('widget getToken offline');
  await page.goto(env.site.url(`/${uid('auth')}.html`, hostPage({
    server: env.stack.chatd.url,
    tokenFn: `() => (navigator.onLine ? ${JSON.stringify(token(cu))} : Promise.reject(new TypeError('Failed to fetch')))`,
    mount: false,
  })));
  await page.context().setOffline(true);
  await page.evaluate(() => window.__mountWidget().open());
  await waitText(page, 'banner', "You're offline. Check your internet connection.");
  await eventually(async () => assert.ok((await pageState(page)).calls >= 2, 'getToken() asked again at the next try'), { what: 'a second try' });
  assert.ok(!(await pageState(page)).states.includes('failed'));
  assert.equal(await byTestId(page, 'connection').getAttribute('data-reason'), 'network');
  await page.context().setOffline(false);
  await waitConnection(page, (s) => s === 'online', 'online');
  await byTestId(page, 'banner').waitFor({ state: 'hidden' });
  assertNoPageErrors(page);
});

test('a token that expires during a chat is replaced without a word to the customer', { timeout: 60000 }, async () => {
  const proxy = await new TcpProxy(env.stack.chatd.port).start();
  const cu = customer(uid('cust'));
  const short = token(cu, { ttl: '15s' }); // outlives page load and the first message, even on a machine busy with other tests
  const long = token(cu);
  try {
    const page = await env.b.page('widget token expiry');
    env.shots.push([page, 'widget-token-expiry']);
    const url = env.site.url(`/${uid('expiry')}.html`, hostPage({
      server: `ws://127.0.0.1:${proxy.port}/ws`,
      tokenFn: `(n) => (n === 1 ? ${JSON.stringify(short)} : ${JSON.stringify(long)})`,
    }));
    await page.goto(url);
    await openConversation(page, { summary: `Token expiry ${uid('s')}` });
    await waitConnection(page, (s) => s === 'online', 'online');
    assert.equal((await pageState(page)).calls, 1, 'online on the short-lived token');
    const before = 'Sent on the first token';
    await send(page, before);
    await waitMessages(page, [before]);

    // chatd closes the connection (4004) when the token expires; the widget
    // takes a fresh one and is back
    await eventually(async () => {
      const s = await pageState(page);
      assert.equal(s.calls, 2);
      assert.equal(s.states.at(-1), 'online');
    }, { timeout: 30000, what: 'a second token and online again' });
    assert.equal(proxy.accepted, 2, 'one reconnect');
    const after = 'Sent on the fresh token';
    await send(page, after);
    await waitMessages(page, [before, after]);

    const { states } = await pageState(page);
    assert.ok(!states.includes('failed'), `never failed: ${states}`);
    assert.ok(states.indexOf('online') < states.lastIndexOf('online'), `online, then again after the expiry: ${states}`);
    const banner = byTestId(page, 'banner');
    if (await banner.count()) assert.doesNotMatch(await banner.textContent(), new RegExp(SIGN_IN_FAILED));
    assertNoPageErrors(page);
  } finally {
    await proxy.stop();
  }
});

test('the console asks an agent whose tokens are refused to sign in again, and takes the next token', { timeout: 60000 }, async () => {
  const ag = agent(uid('agent'), { name: `Bo Agent ${uid('n')}` });
  const forged = () => craftToken(ag, { secret: randomBytes(32).toString('hex') });
  const page = await env.b.page('console refused token');
  env.shots.push([page, 'console-token-refused']);
  const refused = page.getByRole('alert').filter({ hasText: 'Your session token was refused; sign in again.' });
  const signIn = async (t) => {
    await page.getByLabel('Agent token').fill(t);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  await page.goto(`${env.stack.http}/console/#token=${forged()}`);
  await refused.waitFor({ state: 'visible' });
  await signIn(forged()); // the fresh token, refused too: the client stops
  await waitConnection(page, (s) => s === 'failed', 'failed');
  await refused.waitFor({ state: 'visible' });
  // the sign-in form, not a console that connects forever
  await page.getByLabel('Agent token').waitFor({ state: 'visible' });
  assert.equal(await byTestId(page, 'connection').count(), 0, 'the console with its connection state is hidden');

  await signIn(token(ag));
  await waitText(page, 'me', ag.name);
  await waitConnection(page, (s) => s === 'online', 'online');
  assertNoPageErrors(page);
});
