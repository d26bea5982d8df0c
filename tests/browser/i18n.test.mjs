// The widget in the customer's language, in Chromium against a real chatd
// and Redis: French and German customers wait in line (their place and the
// wait, with plurals) and chat, with times in their locale and time zone
// (the browser's, or mount's timeZone); Arabic lays out right to left;
// brandColor keeps text readable (contrast measured in the page), for a
// light and a dark colour; position bottom-left; the host's prefill shows
// in the form and arrives in the conversation; the demo page's #lang=.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  openWidget, openConsole, claim, send, waitText, waitMessages, assertNoPageErrors, screenshot,
} from './lib.mjs';

const env = useBrowserStack({ hostSite: true });

// A host page that mounts the widget with `options` (JSON) for customer cu.
function mountPage(cu, options = {}) {
  const path = `/${uid('host')}.html`;
  return env.site.url(path, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host site</title></head>
<body><main><h1>Host site</h1></main>
<script type="module" src="/widget/widget.js"></script>
<script type="module">
  window.__widget = ChatdWidget.mount({
    server: ${JSON.stringify(env.stack.chatd.url)},
    getToken: async () => ${JSON.stringify(token(cu))},
    ...${JSON.stringify(options)},
  });
</script>
</body></html>`);
}

// A page (context options: locale, timezoneId) on the host site, recording
// the WebSocket frames and the console's warnings.
async function widgetPage(name, cu, { options, context } = {}) {
  const page = await env.b.page(name, context);
  page.sent = [];
  page.received = [];
  page.warnings = [];
  page.on('console', (m) => m.type() === 'warning' && page.warnings.push(m.text()));
  const keep = (list) => ({ payload }) => {
    try { list.push(JSON.parse(payload)); } catch { /* not JSON */ }
  };
  page.on('websocket', (ws) => {
    ws.on('framesent', keep(page.sent));
    ws.on('framereceived', keep(page.received));
  });
  await page.goto(mountPage(cu, options));
  // the widget itself, not a loader's first paint of the launcher
  await page.locator('.cw:not(.loading)').waitFor({ state: 'attached' });
  await byTestId(page, 'launcher').waitFor({ state: 'visible' });
  return page;
}

// The widget's root element (.cw in the shadow root).
const shell = (page) => page.locator('.cw');

async function label(page, name) {
  return visible(page.locator(`label[for="chatd-f-${name}"]`)).textContent();
}

// Opens a conversation from the form; returns the open frame and its ack's conv.
async function openChat(page, summary, fields = {}) {
  await openWidget(page);
  await visible(page.locator('[name="summary"]')).fill(summary);
  for (const [k, v] of Object.entries(fields)) await visible(page.locator(`[name="${k}"]`)).fill(v);
  await byTestId(page, 'open-submit').click();
  await byTestId(page, 'composer').waitFor({ state: 'visible' });
  return eventually(() => {
    const open = page.sent.find((x) => x.type === 'open' && x.details?.summary === summary);
    const ack = open && page.received.find((x) => x.type === 'ack' && x.id === open.id && x.conv);
    assert.ok(ack, 'the open frame and its ack');
    return { open, conv: ack.conv };
  }, { what: `the conv of ${JSON.stringify(summary)}` });
}

// The place in line as shown: {position, eta, text}, once at `position`.
async function placeInLine(page, position, { eta = false } = {}) {
  return eventually(async () => {
    const el = byTestId(page, 'queue-position').first();
    const p = await el.getAttribute('data-position', { timeout: 1000 });
    const e = await el.getAttribute('data-eta', { timeout: 1000 });
    assert.equal(p, String(position), `${page.appName} at ${position}`);
    if (eta) assert.ok(Number(e) > 0, `${page.appName} has an estimate`);
    return { position: Number(p), eta: e === '' ? null : Number(e), text: (await el.textContent()).trim() };
  }, { what: `${page.appName} number ${position} in line${eta ? ' with an estimate' : ''}`, timeout: 20000 });
}

// The wait, as each language says it: written here from the plural rules,
// not from the widget's catalogues.
const WAIT = {
  fr: (eta) => {
    if (eta == null) return "estimation de l'attente en cours";
    if (eta < 60000) return "moins d'une minute";
    const m = Math.ceil(eta / 60000);
    if (m >= 60) return null; // not expected in a test
    return m === 1 ? 'environ 1 minute' : `environ ${m} minutes`;
  },
  de: (eta) => {
    if (eta == null) return 'Wartezeit wird geschätzt';
    if (eta < 60000) return 'weniger als eine Minute';
    const m = Math.ceil(eta / 60000);
    if (m >= 60) return null;
    return m === 1 ? 'etwa 1 Minute' : `etwa ${m} Minuten`;
  },
};

// The time shown in a <time> (its datetime), as Intl formats it in the page.
async function timeShown(loc, locale, timeZone) {
  return loc.evaluate((el, [locale, timeZone]) => ({
    shown: el.textContent.trim(),
    want: new Intl.DateTimeFormat(locale, { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(el.dateTime)),
  }), [locale, timeZone]);
}

test('French and German customers: home, form, place in line with plurals, a chat, times in their locale and time zone', { timeout: 180000 }, async () => {
  const tag = uid('lang');
  // A (English) is served first, so that the others get an estimate
  const en = await widgetPage('widget en', customer(uid('cust'), { name: `Ann ${tag}` }));
  // B: the browser speaks French, in Paris
  const fr = await widgetPage('widget fr', customer(uid('cust'), { name: `Béa ${tag}` }), { context: { locale: 'fr-FR', timezoneId: 'Europe/Paris' } });
  // C: an English browser in Berlin; the host asks for German and New York time
  const de = await widgetPage('widget de', customer(uid('cust'), { name: `Dirk ${tag}` }), {
    context: { locale: 'en-US', timezoneId: 'Europe/Berlin' },
    options: { language: ['de-DE', 'en'], timeZone: 'America/New_York' },
  });

  // the launcher and the home view
  assert.equal(await byTestId(fr, 'launcher').getAttribute('aria-label'), "Ouvrir le chat d'assistance");
  assert.equal(await byTestId(de, 'launcher').getAttribute('aria-label'), 'Support-Chat öffnen');
  assert.equal(await shell(fr).getAttribute('lang'), 'fr-FR');
  assert.equal(await shell(de).getAttribute('lang'), 'de-DE');
  await byTestId(fr, 'launcher').click();
  await byTestId(de, 'launcher').click();
  await waitText(fr, 'new-conversation', 'Nouvelle conversation');
  await waitText(de, 'new-conversation', 'Neue Unterhaltung');
  await visible(fr.getByRole('heading', { name: 'Comment pouvons-nous vous aider\u00a0?' })).waitFor();
  await visible(de.getByRole('heading', { name: 'Wie können wir helfen?' })).waitFor();
  await visible(fr.getByRole('heading', { name: 'Vos conversations' })).waitFor();

  // the form: labels, the environment's placeholder, a field error
  await openWidget(fr);
  await openWidget(de);
  assert.equal(await label(fr, 'summary'), 'Résumé');
  assert.equal(await label(fr, 'steps'), 'Étapes pour reproduire le problème (facultatif)');
  assert.equal(await label(de, 'environment'), 'Betroffene Umgebung (optional)');
  const envFr = visible(fr.locator('[name="environment"]'));
  assert.equal(await envFr.inputValue(), '', 'no environment chosen for the customer');
  assert.deepEqual(await envFr.locator('option').allTextContents(), ['Choisir…', 'Multidev', 'Dev', 'Test', 'Live', 'Je ne sais pas']);
  assert.equal((await visible(de.locator('[name="environment"]')).locator('option').allTextContents())[0], 'Bitte wählen…');
  await waitText(fr, 'open-submit', 'Démarrer la conversation');
  await byTestId(fr, 'open-submit').click();
  await waitText(fr, 'field-error', 'Décrivez le problème en une phrase ou deux.');
  await byTestId(de, 'open-submit').click();
  await waitText(de, 'field-error', 'Bitte beschreiben Sie das Problem in ein, zwei Sätzen.');

  // in line: A, B, C
  await openChat(en, `Served first ${tag}`);
  const b = await openChat(fr, `Le site renvoie une erreur 502 ${tag}`);
  const c = await openChat(de, `Die Website liefert 502 ${tag}`);
  assert.equal(b.open.tz, 'Europe/Paris', "the browser's time zone goes with open");
  assert.equal(c.open.tz, 'America/New_York', "mount's timeZone goes with open");
  assert.equal(b.open.details.environment, undefined, 'no environment chosen, none sent');
  const b2 = await placeInLine(fr, 2);
  assert.equal(b2.text, `Vous êtes 2e dans la file d'attente · ${WAIT.fr(b2.eta)}`);
  const c3 = await placeInLine(de, 3);
  assert.equal(c3.text, `Sie sind auf Platz 3 der Warteschlange · ${WAIT.de(c3.eta)}`);

  // an agent takes A: B and C move up, with an estimate in their words
  const ag = agent(uid('agent'), { name: `Bo ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  await claim(con, `Served first ${tag}`);
  await waitText(en, 'agent-name', ag.name);
  const b1 = await placeInLine(fr, 1, { eta: true });
  assert.equal(b1.text, `Vous êtes en tête de file · ${WAIT.fr(b1.eta)}`);
  const c2 = await placeInLine(de, 2, { eta: true });
  assert.equal(c2.text, `Sie sind auf Platz 2 der Warteschlange · ${WAIT.de(c2.eta)}`);

  // the agent takes B and answers: the French customer reads it all in French, Paris time
  await claim(con, `Le site renvoie une erreur 502 ${tag}`);
  await waitText(fr, 'agent-name', ag.name);
  const reply = `Bonjour, je regarde ${tag}`;
  await send(con, reply);
  await waitMessages(fr, [reply, `${ag.name} a rejoint la conversation`]);
  const msg = visible(fr.getByTestId('message').filter({ hasText: reply }));
  const t = await timeShown(msg.locator('time'), 'fr-FR', 'Europe/Paris');
  assert.equal(t.shown, t.want, 'the time of a message, in French and Paris time');
  assert.match(t.shown, /^\d{2}:\d{2}$/, 'French times are 24-hour');
  assert.equal(await visible(fr.locator('.bar .chip')).textContent(), 'En cours');
  assert.match(await visible(fr.locator('.bar time')).textContent(), /^ouverte (à l'instant|il y a \d+ minutes?)$/);
  assert.equal(await byTestId(fr, 'composer').getAttribute('placeholder'), 'Écrivez un message…');
  assert.equal(await byTestId(fr, 'send').getAttribute('aria-label'), 'Envoyer le message');
  await waitText(fr, 'transcript', "M'envoyer la transcription par e-mail");
  const mine = `Merci ${tag}`;
  await send(fr, mine);
  await waitMessages(con, [mine]);
  await waitText(fr, 'read-receipt', 'Vu');

  // German, in New York time although the browser is in Berlin
  const card = visible(de.locator('[data-testid="message"][data-kind="opened"]'));
  await card.waitFor();
  assert.match(await card.textContent(), /^Ihre Anfrage · /);
  const tc = await timeShown(card.locator('time'), 'de-DE', 'America/New_York');
  assert.equal(tc.shown, tc.want, 'the time of the request, in German and New York time');
  const berlin = await card.locator('time').evaluate((el) => new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', hour: 'numeric', minute: '2-digit' }).format(new Date(el.dateTime)));
  assert.notEqual(tc.shown, berlin, 'not the browser zone');
  assert.equal(await visible(de.locator('.bar .chip')).textContent(), 'Wartet');
  assert.equal(await visible(de.locator('.head-text strong')).textContent(), 'Warte auf den Support…');

  // back home: the history in French, with the status and when
  await byTestId(fr, 'back').click();
  const item = visible(fr.locator(`[data-testid="history-item"][data-conv="${b.conv}"]`));
  await item.waitFor();
  assert.match(await item.textContent(), /En cours/);
  assert.match(await item.textContent(), new RegExp(`${ag.name} · (à l'instant|il y a \\d+ minutes?)`));
  assert.equal(fr.warnings.length + de.warnings.length, 0, `no warnings: ${[...fr.warnings, ...de.warnings]}`);
  assertNoPageErrors(en, fr, de, con);
  await screenshot(fr, 'widget-fr');
  await screenshot(de, 'widget-de');
  for (const p of [en, fr, de, con]) await p.context().close();
});

// Geometry and styles of the widget's parts, measured in the page.
function layout(page) {
  return page.locator('.cw').evaluate((cw) => {
    const root = cw.getRootNode();
    const q = (s) => root.querySelector(s);
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width };
    };
    const panel = q('.panel');
    const pr = panel.hidden ? null : panel.getBoundingClientRect();
    // every shown element of the panel stays inside it, and nothing scrolls sideways
    const out = [];
    if (pr) {
      for (const el of panel.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
        if (r.left < pr.left - 1 || r.right > pr.right + 1) out.push(`${el.tagName.toLowerCase()}.${el.className?.baseVal ?? el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
      for (const el of [panel, ...panel.querySelectorAll('*')]) {
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') out.push(`${el.tagName.toLowerCase()}.${el.className} scrolls sideways`);
      }
    }
    return {
      dir: cw.getAttribute('dir'),
      direction: getComputedStyle(cw).direction,
      textAlign: getComputedStyle(cw).textAlign,
      viewport: innerWidth,
      launcher: box(q('.launcher')),
      panel: pr && box(panel),
      overflow: out,
    };
  });
}

test('Arabic: right to left, launcher and panel at the inline end (left), text from the start, nothing overflows', { timeout: 120000 }, async () => {
  const tag = uid('rtl');
  const page = await widgetPage('widget ar', customer(uid('cust'), { name: `Sami ${tag}` }), { context: { locale: 'ar', timezoneId: 'Asia/Riyadh' } });
  env.shots.push([page, 'widget-ar']);
  assert.equal(await byTestId(page, 'launcher').getAttribute('aria-label'), 'فتح محادثة الدعم');
  let l = await layout(page);
  assert.equal(l.dir, 'rtl');
  assert.equal(l.direction, 'rtl');
  assert.equal(l.textAlign, 'start');
  assert.ok(l.launcher.left < 40 && l.launcher.left >= 0, `launcher at the left: ${JSON.stringify(l.launcher)}`);

  await byTestId(page, 'launcher').click();
  await waitText(page, 'new-conversation', 'محادثة جديدة');
  l = await layout(page);
  assert.ok(l.panel.left < 40 && l.panel.right < l.viewport / 2, `panel at the left: ${JSON.stringify(l.panel)}`);
  assert.deepEqual(l.overflow, [], 'home view: nothing outside the panel');
  // the heading's text starts at the right
  const h2 = await visible(page.locator('.hero h2')).evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const t = range.getBoundingClientRect();
    const b = el.getBoundingClientRect();
    return { gapRight: b.right - t.right, gapLeft: t.left - b.left, text: el.textContent };
  });
  assert.equal(h2.text, 'كيف يمكننا مساعدتك؟');
  assert.ok(h2.gapRight < 2 && h2.gapLeft > 20, `heading aligned right: ${JSON.stringify(h2)}`);

  await openWidget(page);
  assert.equal(await label(page, 'summary'), 'الملخص');
  l = await layout(page);
  assert.deepEqual(l.overflow, [], 'form: nothing outside the panel');
  const back = await visible(page.locator('[data-testid="back"] svg')).evaluate((el) => getComputedStyle(el).transform);
  assert.equal(back, 'matrix(-1, 0, 0, 1, 0, 0)', 'the back arrow points right');

  await openChat(page, `الموقع لا يعمل ${tag}`);
  const text = `مرحبا، هل من أحد؟ ${tag}`;
  await send(page, text);
  await waitMessages(page, [text]);
  const pos = byTestId(page, 'queue-position').first();
  await pos.waitFor({ timeout: 20000 });
  assert.match((await pos.textContent()).trim(), /^(أنت التالي في قائمة الانتظار|ترتيبك \S+ في قائمة الانتظار) · /);
  // the customer's own message sits at the inline end (left)
  const bubble = await visible(page.getByTestId('message').filter({ hasText: text })).locator('.bubble').evaluate((el) => {
    const list = el.closest('.msgs').getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return { toLeft: r.left - list.left, toRight: list.right - r.right };
  });
  assert.ok(bubble.toLeft < bubble.toRight, `own message on the left: ${JSON.stringify(bubble)}`);
  l = await layout(page);
  assert.deepEqual(l.overflow, [], 'conversation: nothing outside the panel');
  assertNoPageErrors(page);
});

// WCAG contrast of the computed colour and background of an element.
function contrastOf(loc) {
  return loc.evaluate((el) => {
    const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => {
        const x = v / 255;
        return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const cs = getComputedStyle(el);
    let bgEl = el;
    while (bgEl && getComputedStyle(bgEl).backgroundColor === 'rgba(0, 0, 0, 0)') bgEl = bgEl.parentElement || bgEl.getRootNode().host;
    const bg = bgEl ? getComputedStyle(bgEl).backgroundColor : 'rgb(255, 255, 255)';
    return { color: cs.color, background: bg, ratio: ratio(rgb(cs.color), rgb(bg)) };
  });
}

const hexRgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

for (const [name, color, position] of [['light', '#ffeb3b', undefined], ['dark', '#1a237e', 'bottom-left']]) {
  test(`brandColor ${name} (${color})${position ? `, position ${position}` : ''}: the brand where it belongs, readable text`, { timeout: 120000 }, async () => {
    const tag = uid('brand');
    const page = await widgetPage(`widget ${name}`, customer(uid('cust'), { name: `Cy ${tag}` }), { options: { brandColor: color, ...(position && { position }) } });
    const launcher = byTestId(page, 'launcher');
    const lc = await contrastOf(launcher.locator('svg').first());
    assert.equal(lc.background, hexRgb(color), 'the launcher has the brand colour');
    assert.ok(lc.ratio >= 4.5, `launcher icon contrast ${lc.ratio.toFixed(2)} (${lc.color} on ${lc.background})`);

    await launcher.click();
    const start = byTestId(page, 'new-conversation');
    await start.waitFor();
    for (const [what, loc] of [['header', visible(page.locator('.head-text strong'))], ['primary button', start]]) {
      const c = await contrastOf(loc);
      assert.equal(c.background, hexRgb(color), `${what} has the brand colour`);
      assert.ok(c.ratio >= 4.5, `${what} contrast ${c.ratio.toFixed(2)} (${c.color} on ${c.background})`);
    }

    // focus ring and borders against the white background: at least 3:1
    await openWidget(page);
    const summary = visible(page.locator('[name="summary"]'));
    await summary.focus();
    const border = await summary.evaluate((el) => getComputedStyle(el).borderTopColor);
    const ui = await page.locator('.cw').evaluate((cw, c) => {
      const rgb = c.match(/\d+/g).map(Number);
      const lum = rgb.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      const L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
      return 1.05 / (L + 0.05);
    }, border);
    assert.ok(ui >= 3, `focused field border ${border} against white: ${ui.toFixed(2)}`);
    if (name === 'light') {
      assert.ok(page.warnings.some((w) => w.includes(color) && /contrast/.test(w)), `a warning names the problem: ${page.warnings}`);
      assert.equal(page.warnings.filter((w) => w.includes(color)).length, 1, 'warned once');
    } else {
      assert.deepEqual(page.warnings, [], 'a dark colour needs no warning');
    }

    // the customer's own bubble
    await openChat(page, `Brand check ${tag}`);
    const text = `Hello from a branded widget ${tag}`;
    await send(page, text);
    await waitMessages(page, [text]);
    const bc = await contrastOf(visible(page.getByTestId('message').filter({ hasText: text })).locator('.bubble'));
    assert.equal(bc.background, hexRgb(color), 'own bubble has the brand colour');
    assert.ok(bc.ratio >= 4.5, `own bubble contrast ${bc.ratio.toFixed(2)} (${bc.color} on ${bc.background})`);

    const l = await layout(page);
    if (position === 'bottom-left') {
      assert.ok(l.launcher.left < 40, `launcher at the left: ${JSON.stringify(l.launcher)}`);
      assert.ok(l.panel.left < 40, `panel at the left: ${JSON.stringify(l.panel)}`);
    } else {
      assert.ok(l.viewport - l.launcher.right < 40, `launcher at the right: ${JSON.stringify(l.launcher)}`);
      assert.ok(l.viewport - l.panel.right < 40, `panel at the right: ${JSON.stringify(l.panel)}`);
    }
    assertNoPageErrors(page);
    await screenshot(page, `widget-brand-${name}`);
    await page.context().close();
  });
}

test('an invalid brandColor is ignored with a warning', { timeout: 60000 }, async () => {
  const page = await widgetPage('widget bad colour', customer(uid('cust')), { options: { brandColor: 'blue; background: red' } });
  const c = await contrastOf(byTestId(page, 'launcher').locator('svg').first());
  assert.equal(c.background, 'rgb(37, 99, 235)', 'the default colour');
  await eventually(() => assert.ok(page.warnings.some((w) => /brandColor .* is not a CSS hex colour/.test(w)), `warnings: ${page.warnings}`));
  await page.context().close();
});

test('prefill: the environment and the site show in the form and arrive in the conversation', { timeout: 120000 }, async () => {
  const tag = uid('prefill');
  const cu = customer(uid('cust'), { name: `Pia ${tag}`, site: 'demo-site' });
  const page = await widgetPage('widget prefill', cu, { options: { prefill: { environment: 'Live', site: 'demo-site', steps: `1. Open /checkout ${tag}` } } });
  await openWidget(page);
  assert.equal(await visible(page.locator('[name="environment"]')).inputValue(), 'live');
  const site = visible(page.locator('[name="site"]'));
  assert.equal(await site.inputValue(), 'demo-site');
  assert.equal(await site.getAttribute('readonly'), '', 'the site is shown, not edited');
  assert.equal(await visible(page.locator('[name="steps"]')).inputValue(), `1. Open /checkout ${tag}`);

  const summary = `Prefilled ${tag}`;
  const { open, conv } = await openChat(page, summary);
  assert.equal(open.details.environment, 'live');
  assert.equal(open.details.steps, `1. Open /checkout ${tag}`);
  // the server's opened event: the details, and the site (the token's)
  const opened = await eventually(() => {
    const e = page.received.find((x) => x.type === 'event' && x.kind === 'opened' && x.conv === conv);
    assert.ok(e, 'the opened event');
    return e;
  });
  assert.equal(opened.details.environment, 'live');
  assert.equal(opened.site, 'demo-site');
  const card = visible(page.locator('[data-testid="message"][data-kind="opened"]'));
  await waitText(page, 'detail-site', 'demo-site');
  assert.match(await card.textContent(), /EnvironmentLive/);

  // the agent's side: the queue item
  const ag = agent(uid('agent'), { name: `Ed ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor();
  assert.match(await item.textContent(), /live/i);

  // a new form after sending starts from the prefill again
  await byTestId(page, 'back').click();
  await openWidget(page);
  assert.equal(await visible(page.locator('[name="environment"]')).inputValue(), 'live');
  assert.equal(await visible(page.locator('[name="summary"]')).inputValue(), '');
  assertNoPageErrors(page, con);
  await screenshot(page, 'widget-prefill');
  await page.context().close();
  await con.context().close();
});

test('an environment the server does not know is not prefilled, with a warning', { timeout: 60000 }, async () => {
  const page = await widgetPage('widget bad env', customer(uid('cust')), { options: { prefill: { environment: 'production' } } });
  await openWidget(page);
  assert.equal(await visible(page.locator('[name="environment"]')).inputValue(), '', '"Choose…", not a guess');
  assert.ok(page.warnings.some((w) => w.includes('production')), `warnings: ${page.warnings}`);
  await page.context().close();
});

test("the demo page: #lang= picks the language; the site's colour and prefill", { timeout: 60000 }, async () => {
  const cu = customer(uid('cust'), { site: 'demo-site' });
  const page = await env.b.page('demo de', { locale: 'en-US' });
  await page.goto(`${env.stack.http}/demo/#token=${token(cu)}&lang=de`);
  await byTestId(page, 'launcher').waitFor();
  assert.equal(await byTestId(page, 'launcher').getAttribute('aria-label'), 'Support-Chat öffnen');
  await openWidget(page);
  assert.equal(await visible(page.locator('[name="environment"]')).inputValue(), 'live');
  assert.equal(await visible(page.locator('[name="site"]')).inputValue(), 'demo-site');
  await waitText(page, 'open-submit', 'Unterhaltung starten');
  const c = await contrastOf(byTestId(page, 'open-submit'));
  assert.ok(c.ratio >= 4.5, `demo brand button contrast ${c.ratio.toFixed(2)}`);
  assertNoPageErrors(page);
  await page.context().close();
});
