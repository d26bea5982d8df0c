// How fast the widget shows on a slow mobile connection: the demo page
// (the widget through its loader, as a host page embeds it) opened in
// Chromium with the network throttled to a slow 4G profile, with the HTTP
// cache on; once for a first visit and again in the same context for a
// repeat visit. Prints the time from navigation start to the launcher
// being visible and to the widget being connected, and the bytes
// transferred for /widget/ (Network.loadingFinished encodedDataLength:
// headers and body as they came over the wire), and holds them to:
//
//   first visit:  launcher visible < 1 s, connected < 1.5 s, widget <= 20 KB
//   repeat visit: widget < 1 KB
import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { useBrowserStack, token, uid, customer, assertNoPageErrors, byTestId, openWidget, waitConnection, eventually } from './lib.mjs';

// Slow 4G, as the goals are stated: 150 ms latency, 1.6 Mbit/s down,
// 750 kbit/s up (CDP takes bytes per second).
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const GOALS = { launcher: 1000, connected: 1500, firstBytes: 20 * 1024, repeatBytes: 1024 };

const env = useBrowserStack({ hostSite: true });

// Runs in the page before its own scripts: on every frame, notes when the
// widget's launcher is first visible (and which script drew it: the loader
// puts it straight in the shadow root, the bundle in its .cw shell) and
// when its connection status says online, in ms since navigation start.
function watchWidget() {
  const t = (window.__load = { launcher: null, connected: null, by: null, box: null });
  const find = (sel) => {
    for (const el of document.querySelectorAll('chatd-widget')) {
      const hit = el.shadowRoot?.querySelector(sel);
      if (hit) return hit;
    }
    return null;
  };
  const look = () => {
    const l = find('[data-testid="launcher"]');
    if (t.launcher === null && l) {
      const r = l.getBoundingClientRect();
      if (r.width > 0 && getComputedStyle(l).visibility === 'visible') {
        t.launcher = performance.now();
        t.by = l.parentNode instanceof ShadowRoot ? 'loader' : 'bundle';
        t.box = { x: r.x, y: r.y, w: r.width, h: r.height, bg: getComputedStyle(l).backgroundColor };
      }
    }
    if (t.connected === null && find('[data-testid="connection"][data-state="online"]')) t.connected = performance.now();
    if (t.launcher === null || t.connected === null) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

// What the page noted, with the launcher's box now (after the bundle took
// it over).
async function widgetTimes(page) {
  await page.waitForFunction(() => window.__load?.launcher !== null && window.__load?.connected !== null, null, { timeout: 20000 });
  return page.evaluate(() => {
    const l = [...document.querySelectorAll('chatd-widget')].map((e) => e.shadowRoot.querySelector('[data-testid="launcher"]')).find(Boolean);
    const r = l.getBoundingClientRect();
    return { ...window.__load, now: { x: r.x, y: r.y, w: r.width, h: r.height, bg: getComputedStyle(l).backgroundColor } };
  });
}

// Counts what the network delivered for URLs under /widget/.
function countWidgetBytes(cdp) {
  const urls = new Map();
  const n = { bytes: 0, requests: [] };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId);
    if (!url || !new URL(url).pathname.startsWith('/widget/')) return;
    n.bytes += e.encodedDataLength;
    n.requests.push(`${new URL(url).pathname} ${e.encodedDataLength}`);
  });
  return { reset: () => Object.assign(n, { bytes: 0, requests: [] }), get: () => ({ ...n, requests: [...n.requests] }) };
}

async function visit(page, url, counter) {
  counter.reset();
  await page.goto(url);
  const times = await widgetTimes(page);
  return { ...times, ...counter.get() };
}

const show = (name, v) => console.log(`${name}: launcher visible ${Math.round(v.launcher)} ms (drawn by the ${v.by}), `
  + `connected ${Math.round(v.connected)} ms, widget ${v.bytes} bytes in ${v.requests.length} responses`
  + `${v.requests.length ? ` (${v.requests.join(', ')})` : ''}`);

// One first visit and one repeat visit in a fresh context (its own HTTP
// cache); returns what they measured and which goals they missed.
async function measure(attempt) {
  const page = await env.b.page(`widget load ${attempt}`);
  await page.addInitScript(watchWidget);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  const counter = countWidgetBytes(cdp);
  const url = `${env.stack.http}/demo/#token=${token(customer(uid('cust')))}`;
  const first = await visit(page, url, counter);
  show(`first visit (${attempt})`, first);
  await page.goto('about:blank');
  const repeat = await visit(page, url, counter);
  show(`repeat visit (${attempt})`, repeat);
  assertNoPageErrors(page);
  const missed = [];
  if (!(first.launcher < GOALS.launcher)) missed.push(`first visit: launcher visible after ${Math.round(first.launcher)} ms`);
  if (!(first.connected < GOALS.connected)) missed.push(`first visit: connected after ${Math.round(first.connected)} ms`);
  await page.context().close();
  return { first, repeat, missed };
}

// The times are the network's as long as the page gets the CPU it needs;
// on a machine busy with other work they are not. So the times may take
// up to three attempts (the first that meets them counts); the bytes, the
// loader's first paint and the launcher staying in place hold on each.
test('the widget on slow 4G: launcher < 1 s, connected < 1.5 s, <= 20 KB first, < 1 KB again', { timeout: 150000 }, async () => {
  console.log(`network: slow 4G, ${SLOW_4G.latency} ms latency, 1.6 Mbit/s down, 750 kbit/s up; HTTP cache on; `
    + `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  let result;
  for (let attempt = 1; attempt <= 3; attempt++) {
    result = await measure(attempt);
    const { first, repeat } = result;
    assert.ok(first.bytes <= GOALS.firstBytes, `first visit: ${first.bytes} bytes for the widget`);
    assert.ok(repeat.bytes < GOALS.repeatBytes, `repeat visit: ${repeat.bytes} bytes for the widget`);
    assert.ok(first.requests.some((r) => r.startsWith('/widget/widget.js ')), 'the loader came over the network');
    // The loader draws the launcher before the bundle is there, and the
    // bundle's launcher replaces it in place, looking the same.
    assert.equal(first.by, 'loader');
    assert.deepEqual(first.now, first.box, 'the launcher moved or changed colour when the bundle took it over');
    if (!result.missed.length) break;
    console.log(`attempt ${attempt} missed: ${result.missed.join('; ')} (load average ${os.loadavg()[0].toFixed(1)})`);
  }
  assert.deepEqual(result.missed, []);
});

// A host page with a strict policy of its own: no inline styles at all,
// scripts only from chatd and its own nonce, Trusted Types required. The
// widget's styles (constructed stylesheets) and its DOM work under it.
test('the widget works on a host page with a strict CSP', { timeout: 60000 }, async () => {
  const chatd = env.stack.http;
  const csp = `default-src 'none'; script-src 'nonce-m0unt' ${chatd}; style-src 'self'; `
    + `connect-src ${env.stack.chatd.url}; img-src data:; require-trusted-types-for 'script'`;
  const url = env.site.url('/strict.html', `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strict host</title>
<meta http-equiv="Content-Security-Policy" content="${csp}"></head>
<body><h1>A strict host page</h1>
<script type="module" src="${chatd}/widget/widget.js"></script>
<script type="module" nonce="m0unt">
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.__widget = ChatdWidget.mount({ server: ${JSON.stringify(env.stack.chatd.url)}, getToken: async () => ${JSON.stringify(token(customer(uid('cust'))))} });
</script></body></html>`);
  const page = await env.b.page('widget strict CSP');
  env.shots.push([page, 'widget-strict-csp']);
  await page.goto(url);
  await byTestId(page, 'launcher').waitFor({ state: 'visible' });
  await openWidget(page);
  await waitConnection(page, (s) => s === 'online', 'online');
  // the pointer off the launcher, its colour transition over
  await page.mouse.move(1, 1);
  await eventually(async () => {
    const look = await byTestId(page, 'launcher').evaluate((el) => {
      const cs = getComputedStyle(el);
      return { bg: cs.backgroundColor, position: cs.position, radius: cs.borderTopLeftRadius };
    });
    assert.deepEqual(look, { bg: 'rgb(37, 99, 235)', position: 'fixed', radius: '50%' }, 'the widget is styled');
  }, { timeout: 5000, what: 'the launcher styled' });
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assertNoPageErrors(page);
});
