// The widget as a guest on someone else's page: embedded from another
// origin exactly as web/README.md shows, and isolated both ways: a host page
// with aggressive global CSS changes nothing inside the widget, and the
// widget's CSS changes nothing on the host page. Prints the widget's
// gzipped size.
import test from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import {
  useBrowserStack, token, uid, customer, byTestId,
  openWidget, openConversation, send, waitMessages, waitConnection, hostPage,
  assertNoPageErrors,
} from './lib.mjs';

const env = useBrowserStack({ hostSite: true });

// Adds what the browser logged to a failure: a blocked module script or a
// refused WebSocket shows there first.
async function withLog(page, fn) {
  try {
    return await fn();
  } catch (e) {
    if (page.consoleErrors.length) e.message += `\nbrowser console errors:\n${page.consoleErrors.join('\n')}`;
    throw e;
  }
}

const HOST_BODY = `
<header class="card" id="card">
  <h1 id="h">Acme site dashboard</h1>
  <p id="p">Three sites, one on Live. <a id="a" href="#sites">See all sites</a></p>
  <button id="btn" type="button">Deploy to Live</button>
  <input id="in" name="q" placeholder="Search">
  <span id="sp">Live</span>
</header>
<div id="filler" style="height: 2000px"></div>`;
const HOST_ELEMENTS = ['html', 'body', '#card', '#h', '#p', '#a', '#btn', '#in', '#sp', '#filler'];

const PLAIN_CSS = `
body { margin: 0; font: 15px/1.5 Georgia, serif; color: #333; background: #fafafa; }
h1 { font-size: 28px; } a { color: #06c; } button { padding: 6px 14px; border-radius: 3px; }`;

const AGGRESSIVE_CSS = `
* { color: red !important; font-size: 40px !important; font-family: serif !important;
    line-height: 3 !important; letter-spacing: 3px !important; text-transform: uppercase !important;
    box-sizing: content-box !important; }
button { display: none !important; }
div, span, p, section, aside, form, ul, li { padding: 12px !important; margin: 7px !important;
    border: 5px solid red !important; background: yellow !important; }
input, textarea, select { display: none !important; }
html, body { background: lime !important; }`;

// What the widget's elements look like; compared between a plain host page
// and an aggressive one, where they must be the same.
const WIDGET_PROPS = ['color', 'background-color', 'background-image', 'font-family', 'font-size',
  'font-weight', 'font-style', 'line-height', 'letter-spacing', 'word-spacing', 'text-transform',
  'text-align', 'text-decoration-line', 'text-shadow', 'white-space', 'display', 'visibility',
  'opacity', 'position', 'z-index', 'box-sizing', 'width', 'height', 'min-width', 'min-height',
  'max-width', 'max-height', 'padding-top', 'padding-right', 'padding-bottom', 'padding-left',
  'margin-top', 'margin-right', 'margin-bottom', 'margin-left', 'border-top-width',
  'border-right-width', 'border-bottom-width', 'border-left-width', 'border-top-style',
  'border-top-color', 'border-top-left-radius', 'box-shadow', 'outline-style', 'cursor'];
// The shadow host is an element of the host page: its box must not pick up
// the page's borders, padding or backgrounds either.
const SHADOW_HOST_PROPS = ['display', 'visibility', 'opacity', 'position', 'padding-top',
  'padding-left', 'margin-top', 'margin-left', 'border-top-width', 'border-top-style',
  'border-left-width', 'background-color', 'background-image', 'box-shadow', 'outline-style'];

function hostStyles(page) {
  return page.evaluate((sels) => Object.fromEntries(sels.map((s) => {
    const cs = getComputedStyle(document.querySelector(s));
    const o = {};
    for (const p of cs) o[p] = cs.getPropertyValue(p);
    return [s, o];
  })), HOST_ELEMENTS);
}

function diff(a, b) {
  const out = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[k] && typeof a[k] === 'object') out.push(...diff(a[k], b[k] ?? {}).map((d) => `${k} ${d}`));
    else if (a[k] !== b[k]) out.push(`${k}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`);
  }
  return out;
}

async function stylesOf(locator) {
  return locator.evaluate((el, props) => {
    const cs = getComputedStyle(el);
    return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
  }, WIDGET_PROPS);
}

// The widget's shadow root has its stylesheets (if linked) loaded.
async function widgetStyled(page) {
  await page.waitForFunction(() => {
    const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot?.querySelector('[data-testid="launcher"]'));
    return host && [...host.shadowRoot.querySelectorAll('link[rel="stylesheet"]')].every((l) => l.sheet);
  }, null, { timeout: 15000 });
  await page.evaluate(() => document.fonts.ready.then(() => true));
}

// Mounts the widget on a host page with css, records the host's styles
// before and after, and the widget's styles at each step of a short chat.
async function guest(name, css) {
  const cu = customer(uid('cust'));
  const url = env.site.url(`/${name}.html`, hostPage({ server: env.stack.chatd.url, tok: token(cu), css, body: HOST_BODY, mount: false }));
  const page = await env.b.page(`widget on ${name} host`);
  env.shots.push([page, `widget-${name}-host`]);
  const loaded = [];
  page.on('response', (r) => loaded.push(r));
  return withLog(page, async () => {
    await page.goto(url);
    await page.waitForFunction(() => typeof window.__mountWidget === 'function');
    const host = { before: await hostStyles(page) };
    const widget = {};
    await page.evaluate(() => window.__mountWidget());
    await byTestId(page, 'launcher').waitFor({ state: 'visible' });
    await widgetStyled(page);
    host.mounted = await hostStyles(page);
    widget.launcher = await stylesOf(byTestId(page, 'launcher'));
    widget.shadowHost = await page.evaluate((props) => {
      const el = [...document.querySelectorAll('*')].find((e) => e.shadowRoot?.querySelector('[data-testid="launcher"]'));
      if (!el) return null;
      const cs = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    }, SHADOW_HOST_PROPS);
    assert.ok(widget.shadowHost, `${name}: the launcher is inside an open shadow root of an element of the page`);

    const summaryField = await openWidget(page);
    await widgetStyled(page);
    widget.summaryField = await stylesOf(summaryField);
    widget.openSubmit = await stylesOf(byTestId(page, 'open-submit'));
    host.opened = await hostStyles(page);

    await openConversation(page, { summary: 'Isolation check: the checkout page is slow' });
    const hello = 'Hello, is anyone there?';
    await send(page, hello);
    await waitMessages(page, [hello]);
    await waitConnection(page, (s) => s === 'online', 'online');
    widget.composer = await stylesOf(byTestId(page, 'composer'));
    widget.send = await stylesOf(byTestId(page, 'send'));
    widget.messages = await stylesOf(byTestId(page, 'messages'));
    widget.messageText = await stylesOf(byTestId(page, 'message-text').filter({ hasText: hello }));
    host.chatting = await hostStyles(page);
    assertNoPageErrors(page);
    return { page, host, widget, loaded };
  });
}

test('the widget embeds in a page of another origin as web/README.md shows', { timeout: 60000 }, async () => {
  const cu = customer(uid('cust'));
  const url = env.site.url('/embed.html', hostPage({
    widgetSrc: `${env.stack.http}/widget/widget.js`, server: env.stack.chatd.url, tok: token(cu),
    css: PLAIN_CSS, body: HOST_BODY,
  }));
  const page = await env.b.page('widget cross-origin');
  env.shots.push([page, 'widget-cross-origin']);
  await withLog(page, async () => {
    await page.goto(url);
    await byTestId(page, 'launcher').waitFor({ state: 'visible' });
    await openConversation(page, { summary: `Embedded from ${env.site.origin}` });
    await waitConnection(page, (s) => s === 'online', 'online');
    assertNoPageErrors(page);
  });
});

test('host page CSS does not reach into the widget, and the widget CSS does not reach the host page', { timeout: 120000 }, async () => {
  const plain = await guest('plain', PLAIN_CSS);
  const aggressive = await guest('aggressive', AGGRESSIVE_CSS);

  // Its size: what the plain page loaded for it (from chatd), gzipped.
  const files = [];
  for (const r of plain.loaded) {
    const u = new URL(r.url());
    if (u.origin !== env.site.origin || env.site.pages.has(u.pathname) || r.status() !== 200) continue;
    const body = await r.body().catch(() => null);
    if (body) files.push({ path: u.pathname, raw: body.length, gz: gzipSync(body, { level: 9 }).length });
  }
  assert.ok(files.some((f) => f.path === '/widget/widget.js'), `the widget loads /widget/widget.js (loaded ${files.map((f) => f.path)})`);
  const total = files.reduce((s, f) => s + f.gz, 0);
  console.log(`widget size: ${total} bytes gzipped (${files.reduce((s, f) => s + f.raw, 0)} raw) in ${files.length} files: ${files.map((f) => `${f.path} ${f.gz}`).join(', ')}`);

  // The widget leaves the host page's elements as they were.
  for (const [name, { host }] of [['plain', plain], ['aggressive', aggressive]]) {
    for (const step of ['mounted', 'opened', 'chatting']) {
      assert.deepEqual(diff(host.before, host[step]), [], `${name} host page elements changed once the widget was ${step}`);
    }
  }

  // The aggressive page changes nothing in the widget.
  const w = aggressive.widget;
  for (const [el, s] of Object.entries(w)) {
    if (el === 'shadowHost') continue;
    assert.notEqual(s.display, 'none', `widget ${el} hidden by the host's CSS`);
    assert.notEqual(s['font-size'], '40px', `widget ${el} took the host's font-size`);
    assert.notEqual(s.color, 'rgb(255, 0, 0)', `widget ${el} took the host's color`);
  }
  assert.deepEqual(diff(plain.widget, aggressive.widget), [], 'the widget looks different on a page with aggressive CSS (plain -> aggressive)');
});
