// Browser test helpers: a real Redis and chatd serving web/ (from the
// integration harness), Debian's Chromium driven by playwright-core, and the
// few steps both apps share, written only against the contract in
// web/README.md: data-testid hooks, form field names and roles.
// Every wait is on a condition with a timeout; nothing sleeps a fixed time.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { Redis, Chatd, token, root } from '../integration/harness.mjs';

export { token, uid, customer, agent } from '../integration/harness.mjs';

const require = createRequire(import.meta.url);
export const PLAYWRIGHT_VERSION = JSON.parse(readFileSync(require.resolve('playwright-core/package.json'), 'utf8')).version;
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
// What chatd serves: web/ as `make web` builds it (CHATD_WEB_ROOT: another).
export const WEB = process.env.CHATD_WEB_ROOT || join(root, 'build', 'web');
export const ARTIFACTS = join(root, 'tests', 'artifacts', 'browser');
export const VIEWPORT = { width: 1280, height: 800 };

// This machine has no outside network: nothing may phone home.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// A port no listener holds, below the ephemeral range: outgoing connections
// (a benchmark's thousands) take their local ports from that range, and a
// port one of them holds looks free to Node (SO_REUSEADDR) but not to chatd.
export function freePort() {
  let low = 32768;
  try { low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]); } catch {}
  const base = Math.max(1024, Math.min(low, 32768) - 12000);
  const port = base + Math.floor(Math.random() * 11000);
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(freePort()));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(port)));
  });
}

// Redis plus one chatd serving web/ on a known port, so that its own origin
// can be on the allow-list (--origins) before it starts. A port taken in
// between is retried with another. args: more chatd flags (e.g. --policy).
export async function startStack({ origins = [], args = [] } = {}) {
  const redis = await new Redis().start();
  let last;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const own = `http://127.0.0.1:${port}`;
    const chatd = new Chatd(redis, ['--port', String(port), '--web-root', WEB,
      '--origins', [own, ...origins].join(','), ...args]);
    try {
      await chatd.start();
      return {
        redis, chatd, http: own,
        async stop() {
          try { await chatd.stop(); } finally { await redis.destroy(); }
        },
      };
    } catch (e) {
      last = e;
      await chatd.stop().catch(() => {});
    }
  }
  await redis.destroy();
  throw last;
}

// Chromium with a fresh profile in a temporary folder; each app gets its
// own browser context (its own storage), as two people on two machines.
export async function launchBrowser() {
  const dir = mkdtempSync(join(tmpdir(), 'chatd-chromium-'));
  const persistent = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: VIEWPORT,
  });
  const browser = persistent.browser();
  console.log(`browser: Chromium ${browser.version()} (${CHROMIUM}), playwright-core ${PLAYWRIGHT_VERSION}`);
  return {
    browser,
    // A page in a context of its own (options: more context options, e.g.
    // timezoneId and locale).
    async page(name, options = {}) {
      const context = await browser.newContext({ viewport: VIEWPORT, ...options });
      const page = await context.newPage();
      page.setDefaultTimeout(15000);
      page.appName = name;
      page.errors = [];
      page.consoleErrors = [];
      page.on('pageerror', (e) => page.errors.push(`${e.name}: ${e.message}`));
      page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
      return page;
    },
    async close() {
      await persistent.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Retries fn (which throws until its condition holds) until it returns, or
// throws its last error after timeout: a wait on a condition, not a sleep.
export async function eventually(fn, { timeout = 15000, interval = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) {
        e.message = `timed out after ${timeout} ms waiting for ${what}: ${e.message}`;
        throw e;
      }
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export const visible = (locator) => locator.filter({ visible: true });
export const byTestId = (page, id) => visible(page.getByTestId(id));

// The messages the page shows, in document order.
export function readMessages(page) {
  return page.getByTestId('message').filter({ visible: true }).evaluateAll((els) => els.map((el) => {
    const t = el.querySelector('[data-testid="message-text"]');
    const mine = el.getAttribute('data-mine');
    return {
      seq: el.hasAttribute('data-seq') && el.getAttribute('data-seq') !== '' ? Number(el.getAttribute('data-seq')) : null,
      kind: el.getAttribute('data-kind'),
      mine: mine !== null && mine !== 'false' && mine !== '0',
      text: t ? t.textContent.trim() : null,
    };
  }));
}

// Waits until every text in texts is shown as a message; returns the list.
export async function waitMessages(page, texts, { timeout = 15000 } = {}) {
  return eventually(async () => {
    const msgs = await readMessages(page);
    const shown = new Set(msgs.map((m) => m.text));
    const missing = texts.filter((t) => !shown.has(t));
    if (missing.length) throw new Error(`${page.appName} does not show ${JSON.stringify(missing)}; shows ${JSON.stringify(msgs.map((m) => m.text))}`);
    return msgs;
  }, { timeout, what: `${page.appName} to show ${texts.length} message(s)` });
}

export async function connectionState(page) {
  return page.getByTestId('connection').first().getAttribute('data-state', { timeout: 2000 });
}

export async function waitConnection(page, pred, what, { timeout = 15000 } = {}) {
  return eventually(async () => {
    const s = await connectionState(page);
    if (!pred(s)) throw new Error(`${page.appName} connection data-state is ${JSON.stringify(s)}`);
    return s;
  }, { timeout, what: `${page.appName} connection ${what}` });
}

// --- the widget ---

// A host site: a real HTTP server on loopback (as Chromium must see it: its
// Local Network Access checks treat a page a test fakes with page.route as
// public and block its WebSockets to loopback). It serves the pages set in
// `pages` (path -> HTML) and passes every other GET to chatd (`target`), the
// way a site that proxies chat under its own origin would: the widget's
// files still come from chatd's web root.
export class HostSite {
  constructor() {
    this.pages = new Map();
    this.target = null;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }
  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }
  async handle(req, res) {
    const path = new URL(req.url, this.origin).pathname;
    const html = this.pages.get(path);
    if (html !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    try {
      const r = await fetch(`${this.target}${req.url}`);
      const body = Buffer.from(await r.arrayBuffer());
      const headers = {};
      for (const h of ['content-type', 'cache-control', 'etag', 'last-modified']) if (r.headers.get(h)) headers[h] = r.headers.get(h);
      res.writeHead(r.status, headers);
      res.end(body);
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  }
  url(path, html) {
    this.pages.set(path, html);
    return `${this.origin}${path}`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

// The page of a site that embeds the widget the way web/README.md shows.
// mount: false leaves it to window.__mountWidget(); window.__tokenCalls
// counts the calls of getToken(), which returns tok, or (with tokenFn, the
// source of a function of the call's number from 1) what that returns.
// window.__widget is what mount() returned; window.__states lists the
// client's states in order.
export function hostPage({ widgetSrc = '/widget/widget.js', server, tok, tokenFn, css = '', body = '', mount = true }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host site</title>
<style>${css}</style></head>
<body>
${body}
<script type="module" src="${widgetSrc}"></script>
<script type="module">
  const tokenOf = ${tokenFn || `() => ${JSON.stringify(tok)}`};
  const options = {
    server: ${JSON.stringify(server)},
    getToken: async () => { window.__tokenCalls = (window.__tokenCalls || 0) + 1; return tokenOf(window.__tokenCalls); },
  };
  window.__states = [];
  window.__mountWidget = () => {
    window.__widget = ChatdWidget.mount(options);
    // the loader's handle has the client once the widget's bundle is there
    Promise.resolve(window.__widget.ready || window.__widget)
      .then((w) => w.client.addEventListener('state', (e) => window.__states.push(e.detail.state)));
    return window.__widget;
  };
  ${mount ? 'window.__mountWidget();' : ''}
</script>
</body></html>`;
}

// Shows the new-conversation form: clicks the launcher unless the panel is
// open, then new-conversation unless the form's fields already show (the
// README's row names new-conversation with the form; the widget may use it
// for the form or for the button that shows it). Returns the summary field.
export async function openWidget(page) {
  const summary = visible(page.locator('[name="summary"]'));
  const start = byTestId(page, 'new-conversation');
  await byTestId(page, 'launcher').waitFor({ state: 'visible' });
  if (!(await start.count()) && !(await summary.count())) await byTestId(page, 'launcher').click();
  await start.or(summary).first().waitFor({ state: 'visible' });
  if (!(await summary.count())) await start.click();
  await summary.waitFor({ state: 'visible' });
  return summary;
}

// Fills the form (fields by name) and submits it; waits for the composer.
export async function openConversation(page, fields) {
  await openWidget(page);
  for (const [name, value] of Object.entries(fields)) {
    await visible(page.locator(`[name="${name}"]`)).fill(value);
  }
  await byTestId(page, 'open-submit').click();
  await byTestId(page, 'composer').waitFor({ state: 'visible' });
}

export async function send(page, text) {
  const composer = byTestId(page, 'composer');
  await composer.fill(text);
  await byTestId(page, 'send').click();
}

// --- the console ---

// Claims the waiting conversation whose queue item shows summary, and makes
// its tab the active one; returns its conv id.
export async function claim(page, summary) {
  const item = visible(page.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });
  const conv = await item.getAttribute('data-conv');
  const inItem = item.getByTestId('claim');
  if (await inItem.count()) {
    await inItem.click();
  } else {
    await item.click();
    await byTestId(page, 'claim').click();
  }
  const tab = page.locator(`[data-testid="conv-tab"][data-conv="${conv}"]`);
  await tab.waitFor({ state: 'visible' });
  await tab.click();
  await byTestId(page, 'composer').waitFor({ state: 'visible' });
  return conv;
}

// --- artifacts ---

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  console.log(`screenshot ${name}: ${path}`);
  return path;
}

// Fails with what the page threw, if anything.
export function assertNoPageErrors(...pages) {
  const errs = pages.flatMap((p) => p.errors.map((e) => `${p.appName}: ${e}`));
  if (errs.length) throw new Error(`uncaught errors in the page:\n${errs.join('\n')}`);
}

// Waits until the first visible element with testid id contains text.
export async function waitText(page, id, text, opts = {}) {
  return eventually(async () => {
    const t = await byTestId(page, id).first().textContent({ timeout: 1000 });
    if (!t.includes(text)) throw new Error(`${page.appName} [data-testid=${id}] shows ${JSON.stringify(t)}`);
    return t;
  }, { what: `${page.appName} [data-testid=${id}] to show ${JSON.stringify(text)}`, ...opts });
}

// The agent console for claims, loaded and online.
export async function openConsole(b, origin, claims) {
  const page = await b.page('console');
  await page.goto(`${origin}/console/#token=${token(claims)}`);
  await waitText(page, 'me', claims.name ?? claims.sub);
  await waitConnection(page, (s) => s === 'online', 'online');
  return page;
}

// Messages of kind "message" (not opened/joined/closed) as shown.
export async function chatMessages(page) {
  return (await readMessages(page)).filter((m) => m.kind === 'message');
}

// The fixture every browser test file shares: chatd and Redis, one
// Chromium, and (with hostSite) a host site on an origin of its own that is
// allowed to connect. Registers before/after; the returned object's
// members are set once before() ran. Pages pushed on shots as [page, name]
// are saved as screenshots at the end. args: more chatd flags, or a
// function returning them (called in before()).
export function useBrowserStack({ hostSite = false, args = [] } = {}) {
  const env = { stack: null, b: null, site: null, shots: [] };
  before(async () => {
    if (hostSite) env.site = await new HostSite().start();
    env.stack = await startStack({ origins: env.site ? [env.site.origin] : [], args: typeof args === 'function' ? await args() : args });
    if (env.site) env.site.target = env.stack.http;
    env.b = await launchBrowser();
  });
  after(async () => {
    try {
      for (const [page, name] of env.shots) {
        await screenshot(page, name).catch((e) => console.log(`screenshot ${name} failed: ${e.message}`));
      }
    } finally {
      await env.b?.close();
      await env.stack?.stop();
      await env.site?.close();
    }
  });
  return env;
}
