// The agent console in the agent's language, in Chromium against a real
// chatd and Redis: French from the browser's languages, German from
// ?lang= in the link, with correct plurals and dates in the browser's
// time zone; the picker switches language live and is remembered; the page
// never shows English before a slow catalogue for longer than a moment;
// Arabic lays the console out right to left. Customers are plain protocol
// clients; every wait is on a condition with a timeout.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../integration/harness.mjs';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  claim, waitText, waitConnection, waitMessages, assertNoPageErrors, screenshot,
} from './lib.mjs';

const env = useBrowserStack();
const open = []; // [client, conv] closed after each test

// Intl's no-break spaces (in numbers, units, dates, French punctuation)
// compared as plain spaces.
const sp = (s) => String(s ?? '').replace(/\s/g, ' ').trim();

async function text(locator) {
  return sp(await locator.textContent({ timeout: 5000 }));
}

// Waits until locator's text (spaces normalized) passes pred.
async function waitFor(locator, pred, what) {
  return eventually(async () => {
    const t = await text(locator);
    assert.ok(typeof pred === 'string' ? t === pred : pred.test(t), `${what}: shows ${JSON.stringify(t)}`);
    return t;
  }, { what });
}

// A customer on the protocol who opens a conversation; returns {c, conv}.
async function customerOpens(summary, extra) {
  const c = await Client.connect(`${env.stack.http.replace('http', 'ws')}/ws`, { origin: env.stack.http });
  await c.auth(token(customer(uid('cust'), { name: `Ann ${uid('n')}`, ...extra })));
  const ack = await c.request({ type: 'open', client_id: uid('open'), details: { summary } });
  assert.equal(ack.type, 'ack', `open: ${JSON.stringify(ack)}`);
  open.push([c, ack.conv]);
  return { c, conv: ack.conv };
}

async function closeAll() {
  for (const [c, conv] of open.splice(0)) {
    await c.request({ type: 'close', client_id: uid('close'), conv }).catch(() => {});
    await c.close();
  }
}

// The console for an agent in a browser context with the given locale and
// time zone; `query` goes into the address (e.g. '?lang=de').
async function consoleFor(name, { locale, timezoneId, query = '', before } = {}) {
  const ag = agent(uid('agent'), { name });
  const page = await env.b.page(`console ${name}`, { locale, timezoneId });
  if (before) await before(page);
  await page.goto(`${env.stack.http}/console/${query}#token=${token(ag)}`);
  await waitText(page, 'me', name);
  await waitConnection(page, (s) => s === 'online', 'online');
  return { page, ag };
}

// waiting in the queue (not held for the next opening)
const waitingItems = (page) => visible(page.locator('[data-testid="queue-item"][data-status="waiting"][data-held=""]'));

// The time of day as the console must show it for ts, in locale and zone.
const timeIn = (ts, locale, timeZone) => sp(new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(ts)));

// Every message time on the page against its datetime attribute: today's
// show the time of day in locale and zone.
async function assertMessageTimes(page, locale, timeZone) {
  const times = await visible(page.locator('[data-testid="messages"] time.msg-time')).evaluateAll((els) => els.map((e) => [e.getAttribute('datetime'), e.textContent]));
  assert.ok(times.length >= 2, `messages with times: ${JSON.stringify(times)}`);
  for (const [iso, shown] of times) assert.equal(sp(shown), timeIn(Date.parse(iso), locale, timeZone), `the time of ${iso} in ${locale}, ${timeZone}`);
}

test.afterEach(closeAll);

test('French from the browser: queue, plurals, conversation, dates in its time zone; the picker switches to German and is remembered', { timeout: 120000 }, async () => {
  const zone = 'Asia/Tokyo';
  const { page } = await consoleFor('Bo Agent fr', {
    locale: 'fr-FR',
    timezoneId: zone,
    // what the page shows the first time #app is visible: no English before
    before: (p) => p.addInitScript(() => {
      new MutationObserver((_, obs) => {
        const app = document.getElementById('app');
        if (app && !app.hidden && !window.__firstShown) {
          window.__firstShown = { lang: document.documentElement.lang, queue: document.querySelector('.col-title')?.textContent };
          obs.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['hidden'], childList: true });
    }),
  });
  assert.deepEqual(await page.evaluate(() => window.__firstShown), { lang: 'fr-FR', queue: 'File d’attente' }, 'the app is first shown in French');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  assert.equal(await text(page.locator('#sign-out')), 'Se déconnecter');
  assert.equal(await byTestId(page, 'language').inputValue(), 'fr');
  assert.equal(await page.getAttribute('#composer', 'placeholder'), 'Écrivez une réponse…');

  const tag = uid('fr');
  const a = await customerOpens(`La caisse renvoie 502 ${tag}`);
  await waitFor(page.locator('#queue-count'), '1 en attente', 'one waiting');
  const b = await customerOpens(`Le DNS ne répond plus ${tag}`);
  await waitFor(page.locator('#queue-count'), '2 en attente', 'two waiting');
  assert.match(sp(await page.title()), /^2 en attente · Console du support$/);
  const itemA = visible(page.getByTestId('queue-item').filter({ hasText: tag }).filter({ hasText: 'caisse' }));
  assert.match(await text(itemA.getByTestId('waited')), /^attend depuis (<1 min|\d+ min)$/);
  // Claim, or Accept when the server offered it to this agent meanwhile
  assert.match(await text(itemA.getByTestId('claim')), /^(Prendre|Accepter)$/);
  assert.equal(await text(page.locator('.queue-group-waiting .queue-group-title span').first()), 'En attente');

  await claim(page, `La caisse renvoie 502 ${tag}`);
  await waitFor(page.locator('#queue-count'), '1 en attente', 'one waiting after the claim');
  await claim(page, `Le DNS ne répond plus ${tag}`);
  await waitFor(page.locator('.queue-group-assigned .queue-group-title'), /^En cours \d+$/, 'the in-progress group');

  // the conversation: the system line for "me", labels, times in Tokyo
  await waitFor(visible(page.locator('[data-testid="message"][data-kind="joined"] [data-testid="message-text"]')).last(), /^Vous avez (rejoint la conversation|accepté le chat proposé)$/, 'the joined line (a claim, or an accepted offer)');
  assert.equal(await text(visible(page.locator('[data-kind="opened"] .msg-label')).first()), 'A ouvert le chat');
  await byTestId(page, 'composer').fill(`Je regarde ${tag}`);
  await byTestId(page, 'send').click();
  await waitMessages(page, [`Je regarde ${tag}`]);
  await assertMessageTimes(page, 'fr-FR', zone);
  const facts = await visible(page.locator('[data-testid="context"] .ctx-facts dt')).allTextContents();
  assert.deepEqual(facts.slice(0, 2), ['Organisation', 'Site']);
  assert.match(await text(visible(page.locator('[data-testid="context"] .ctx-facts dd')).filter({ hasText: 'file normale' })), /^Or · file normale$/);
  assert.match(await text(byTestId(page, 'my-load')), /^2\/\d+ chats$|^2 chats$/);

  // two customer messages in the other tab: "2 non lus"
  await a.c.request({ type: 'send', client_id: uid('m'), conv: a.conv, text: `Toujours en panne ${tag}` });
  await a.c.request({ type: 'send', client_id: uid('m'), conv: a.conv, text: `Vraiment ${tag}` });
  const tabA = page.locator(`[data-testid="conv-tab"][data-conv="${a.conv}"] [data-testid="unread"]`);
  await eventually(async () => assert.equal(await tabA.getAttribute('aria-label'), '2 non lus'), { what: 'two unread in French' });

  // the picker: German at once, everything on screen included
  await byTestId(page, 'language').selectOption('de');
  await waitFor(page.locator('.col-queue .col-title'), 'Warteschlange', 'the queue title in German');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await eventually(async () => assert.equal(await tabA.getAttribute('aria-label'), '2 ungelesen'), { what: 'two unread in German' });
  await waitFor(visible(page.locator('[data-kind="joined"] [data-testid="message-text"]')).last(), /^Sie (sind der Unterhaltung beigetreten|haben den angebotenen Chat angenommen)$/, 'the joined line in German');
  await waitFor(page.locator('#sign-out'), 'Abmelden', 'sign out in German');
  await waitFor(page.locator('.col-queue .queue-group-assigned .queue-group-title'), /^In Bearbeitung \d+$/, 'the in-progress group in German');
  await assertMessageTimes(page, 'de', zone);
  assert.equal(await page.evaluate(() => localStorage.getItem('chatd.console.lang')), 'de');

  // remembered: a reload comes back in German, though the browser says French
  await page.reload();
  await waitConnection(page, (s) => s === 'online', 'online after the reload');
  await waitFor(page.locator('.col-queue .col-title'), 'Warteschlange', 'German after a reload');
  assert.equal(await byTestId(page, 'language').inputValue(), 'de');
  assertNoPageErrors(page);
  await screenshot(page, 'console-de');
});

test('?lang=de in the link beats the browser\'s French: plurals and dates in German, in its time zone', { timeout: 120000 }, async () => {
  const zone = 'America/New_York';
  const { page } = await consoleFor('Cy Agent de', { locale: 'fr-FR', timezoneId: zone, query: '?lang=de' });
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.equal(await text(page.locator('.col-queue .col-title')), 'Warteschlange');
  const tag = uid('de');
  await customerOpens(`Kasse liefert 502 ${tag}`, { tier: 'platinum' });
  await eventually(async () => {
    const n = await waitingItems(page).count();
    assert.equal(await text(page.locator('#queue-count')), n === 1 ? '1 wartet' : `${n} warten`);
    assert.ok(n >= 1);
  }, { what: 'the waiting count' });
  await customerOpens(`DNS antwortet nicht ${tag}`);
  await eventually(async () => {
    const n = await waitingItems(page).count();
    assert.ok(n >= 2, `${n} waiting`);
    assert.equal(await text(page.locator('#queue-count')), `${n} warten`);
  }, { what: 'two or more waiting' });
  const item = visible(page.getByTestId('queue-item').filter({ hasText: `Kasse liefert 502 ${tag}` }));
  assert.equal(await text(item.getByTestId('class')), 'Priorität');
  assert.equal(await text(item.locator('.tier')), 'Platin');
  assert.match(await text(item.getByTestId('waited')), /^wartet seit (<1 Min\.|\d+ Min\.)$/);
  assert.match(await text(item.getByTestId('claim')), /^(Übernehmen|Annehmen)$/);

  await claim(page, `Kasse liefert 502 ${tag}`);
  await byTestId(page, 'composer').fill(`Ich sehe nach ${tag}`);
  await byTestId(page, 'send').click();
  await waitMessages(page, [`Ich sehe nach ${tag}`]);
  await assertMessageTimes(page, 'de', zone);
  // the full date of a message (its title) and the context's opening date
  const iso = await visible(page.locator('time.msg-time')).first().getAttribute('datetime');
  const full = sp(new Intl.DateTimeFormat('de', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso)));
  assert.equal(sp(await visible(page.locator('time.msg-time')).first().getAttribute('title')), full);
  assert.equal(await text(byTestId(page, 'send')), 'Senden');
  assert.equal(await page.getAttribute('#composer', 'placeholder'), `${await text(page.locator('#conv-title .conv-name'))} antworten…`);
  assertNoPageErrors(page);
});

test('the sign-in card in French (?lang=fr), its hint keeps its code, its picker turns it Arabic', { timeout: 60000 }, async () => {
  const page = await env.b.page('console sign-in', { locale: 'en-US' });
  await page.goto(`${env.stack.http}/console/?lang=fr`);
  await visible(page.locator('#signin')).waitFor({ state: 'visible' });
  assert.equal(await text(page.locator('.signin-title')), 'Console du support');
  assert.equal(sp(await page.title()), 'Console du support · chatd');
  assert.deepEqual(await page.locator('.signin-hint code').allTextContents(), ['make run', 'chatd token --role agent']);
  assert.match(await text(page.locator('.signin-hint')), /^make run affiche un lien vers la console avec un jeton ; chatd token --role agent en crée un\.$/);
  await page.locator('#signin-form button[type="submit"]').click();
  await waitFor(page.locator('#signin-problem'), 'Collez un jeton d’agent pour vous connecter.', 'the problem in French');
  await page.locator('#signin-language').selectOption('ar');
  await waitFor(page.locator('.signin-title'), 'وحدة تحكم الدعم', 'the title in Arabic');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.evaluate(() => new URL(location.href).searchParams.get('lang')), 'ar', 'the address follows the picker');
  assert.equal(await text(page.locator('#signin-problem')), 'الصق رمز وكيل لتسجيل الدخول.', 'the problem shown follows the language');
  assertNoPageErrors(page);
});

test('a slow catalogue: the console starts in English after a short wait, then turns French', { timeout: 90000 }, async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  const { page } = await consoleFor('Di Agent slow', {
    locale: 'fr-FR',
    // the French catalogue: the source's i18n/fr.js, or the built chunk fr-<hash>.js
    before: (p) => p.route(/\/console\/(?:i18n\/fr\.js|fr-[A-Za-z0-9]+\.js)(?:\?.*)?$/, async (route) => {
      await held; // until the test has seen the console in English
      await route.continue();
    }),
  });
  // shown (the wait is bounded), in English while French is on its way
  assert.equal(await text(page.locator('.col-queue .col-title')), 'Queue');
  release();
  await waitFor(page.locator('.col-queue .col-title'), 'File d’attente', 'French once the catalogue arrives');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr-FR');
  await waitFor(page.locator('[data-testid="connection"] .connection-label'), 'En ligne', 'the connection label in French');
  assertNoPageErrors(page);
});

test('Arabic: right to left, the queue on the inline-start (right) side, nothing overflows', { timeout: 120000 }, async () => {
  const { page } = await consoleFor('Ed Agent ar', { locale: 'en-US', timezoneId: 'Asia/Dubai', query: '?lang=ar' });
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await text(page.locator('.col-queue .col-title')), 'قائمة الانتظار');
  const tag = uid('ar');
  const { c, conv } = await customerOpens(`الموقع لا يعمل ${tag}`);
  await claim(page, `الموقع لا يعمل ${tag}`);
  await c.request({ type: 'send', client_id: uid('m'), conv, text: `مرحبًا ${tag}` });
  await byTestId(page, 'composer').fill(`أنا أتحقق ${tag}`);
  await byTestId(page, 'send').click();
  await waitMessages(page, [`مرحبًا ${tag}`, `أنا أتحقق ${tag}`]);

  const box = async (sel) => {
    const b = await visible(page.locator(sel)).first().boundingBox();
    assert.ok(b, `${sel} is on screen`);
    return b;
  };
  const width = page.viewportSize().width;
  const queue = await box('.col-queue');
  const conversation = await box('.col-conv');
  const context = await box('.col-context');
  assert.ok(Math.abs(queue.x + queue.width - width) <= 1, `the queue ends at the right edge (x ${queue.x}, width ${queue.width}, viewport ${width})`);
  assert.ok(queue.x > conversation.x && conversation.x > context.x, `right to left: queue, conversation, customer (${queue.x}, ${conversation.x}, ${context.x})`);
  // the customer's message on the start (right) side, ours on the end (left)
  const theirs = await box('.msg-them[data-kind="message"] .msg-bubble');
  const ours = await box('.msg-us[data-kind="message"] .msg-bubble');
  assert.ok(theirs.x + theirs.width > ours.x + ours.width && theirs.x > ours.x, `their bubble (${theirs.x}) right of ours (${ours.x})`);
  // the offer card's and the queue item's accent on the right
  // nothing wider than its box: the page and every column
  const overflow = await page.evaluate(() => {
    const wide = (el) => el.scrollWidth - el.clientWidth;
    const out = { page: wide(document.documentElement) };
    for (const sel of ['.topbar', '.col-queue', '.col-conv', '.col-context', '#queue', '#messages', '.composer']) {
      const el = document.querySelector(sel);
      if (el) out[sel] = wide(el);
    }
    return out;
  });
  for (const [where, px] of Object.entries(overflow)) assert.ok(px <= 0, `${where} overflows by ${px} px: ${JSON.stringify(overflow)}`);
  // Arabic words and plurals
  assert.equal(await text(byTestId(page, 'send')), 'إرسال');
  assert.match(await text(byTestId(page, 'my-load')), /^(الدردشات: |دردشة واحدة)/);
  await screenshot(page, 'console-ar');

  // a phone, 360 px: one pane at a time, still right to left, nothing wider than the screen
  await page.setViewportSize({ width: 360, height: 740 });
  await byTestId(page, 'screens').waitFor({ state: 'visible' });
  assert.equal(await text(byTestId(page, 'screen-queue').locator('.screens-label')), 'الانتظار');
  await byTestId(page, 'topbar-more').click();
  await byTestId(page, 'language').waitFor({ state: 'visible' });
  await eventually(async () => {
    const wide = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(wide[0] <= wide[1], `the page is ${wide[0]} px wide in ${wide[1]} px`);
  }, { what: 'no sideways scrolling at 360 px' });
  await screenshot(page, 'console-ar-360');
  assertNoPageErrors(page);
});
