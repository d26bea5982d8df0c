// Every screen size, from a 360 px phone to a 1440 px desktop: the console
// and the widget never scroll sideways, their fields are 16 px or more (no
// zoom on focus on phones), a narrow console shows the queue, the
// conversation and the customer panel one at a time with a tab bar to
// switch, and full-page screenshots at 390, 1024 and 1440 px match the
// baselines in tests/browser/screens/ (UPDATE_SCREENSHOTS=1 writes them).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  openConversation, send, claim, waitText, waitMessages, waitConnection,
  hostPage, screenshot, assertNoPageErrors,
} from './lib.mjs';
import { matchScreenshot } from './pixels.mjs';

const env = useBrowserStack({ hostSite: true });

const SIZES = { 360: 780, 390: 800, 1024: 900, 1440: 900 };
const NARROW = [360, 390];
// pages as a person in one place sees them: same clock format, no motion
const PAGE_OPTIONS = { locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' };

const LONG_LINK = 'https://status.example.com/incidents/2026/checkout-gateway-timeout-after-the-deploy-of-release-candidate-number-forty-two?from=console&trace=0123456789abcdef0123456789abcdef';
const LONG_WORD = 'Supercalifragilisticexpialidocious'.repeat(4);

async function consolePage(claims, width) {
  const page = await env.b.page('console', { ...PAGE_OPTIONS, viewport: { width, height: SIZES[width] } });
  await page.goto(`${env.stack.http}/console/#token=${token(claims)}`);
  // (on a narrow screen the name is behind "More")
  await eventually(async () => assert.match(await page.locator('#me').textContent(), new RegExp(claims.name)), { what: 'the console to sign in' });
  await waitConnection(page, (s) => s === 'online', 'online');
  return page;
}

// The widget's form, from wherever the widget is (on a phone the open
// panel covers the launcher).
async function showForm(page) {
  const summary = visible(page.locator('[name="summary"]'));
  const start = byTestId(page, 'new-conversation');
  if (await summary.count()) return;
  if (!(await start.count())) await byTestId(page, 'launcher').click();
  await start.click();
  await summary.waitFor({ state: 'visible' });
}

async function widgetPage(claims, width) {
  const page = await env.b.page('widget', { ...PAGE_OPTIONS, viewport: { width, height: SIZES[width] } });
  const wsUrl = `${env.stack.http.replace('http', 'ws')}/ws`;
  await page.goto(env.site.url(`/screens-${claims.sub}.html`, hostPage({ server: wsUrl, tok: token(claims) })));
  return page;
}

async function resize(page, width) {
  await page.setViewportSize({ width, height: SIZES[width] });
}

// The page scrolls sideways (or something sticks out of the viewport)?
// Returns what is wrong, or [] when nothing is.
async function overflow(page) {
  return page.evaluate(() => {
    const problems = [];
    const se = document.scrollingElement;
    if (se.scrollWidth > window.innerWidth) problems.push(`the page is ${se.scrollWidth} px wide in a ${window.innerWidth} px viewport`);
    const seen = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (!seen(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        // clipped by an ancestor that scrolls or hides overflow: fine as
        // long as that ancestor fits (it is checked itself)
        let clip = el.parentElement;
        let clipped = false;
        while (clip) {
          const o = getComputedStyle(clip).overflowX;
          if (o !== 'visible') { clipped = true; break; }
          clip = clip.parentElement;
        }
        // a pane that scrolls up and down must not scroll sideways (a tab
        // list may: it is one row by design)
        const cs = getComputedStyle(el);
        if ((cs.overflowY === 'auto' || cs.overflowY === 'scroll') && el.getAttribute('role') !== 'tablist' && el.scrollWidth > el.clientWidth + 1) {
          problems.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).replace(/\s+/g, '.')} scrolls sideways: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        if (clipped) {
          // text that cannot wrap is cut off or scrolls in its box
          if ((el.matches('.msg-bubble, .bubble, .ctx-text, [data-testid=message-text]')) && el.scrollWidth > el.clientWidth + 1) {
            problems.push(`${el.tagName.toLowerCase()}.${el.className} does not wrap: ${el.scrollWidth} > ${el.clientWidth}`);
          }
          continue;
        }
        if (r.right > window.innerWidth + 1 || r.left < -1) {
          problems.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).replace(/\s+/g, '.')} spans ${Math.round(r.left)}..${Math.round(r.right)} in ${window.innerWidth} px`);
        }
      }
    };
    walk(document);
    return problems.slice(0, 10);
  });
}

async function assertNoOverflow(page, what) {
  assert.deepEqual(await overflow(page), [], `${what}: nothing spills sideways`);
}

// Every field (also in the widget's shadow root, also the hidden ones) with
// a computed font-size under 16 px.
async function smallFields(page) {
  return page.evaluate(() => {
    const small = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        if (!el.matches('input, select, textarea')) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (!(size >= 16)) small.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}[name=${el.name || ''}] ${size}px`);
      }
    };
    walk(document);
    return small;
  });
}

async function assertFields(page, what) {
  assert.deepEqual(await smallFields(page), [], `${what}: every field is 16 px or more`);
}

// What the page should not have in a screenshot: hover, focus ring.
async function settle(page) {
  await page.mouse.move(0, 0);
  await page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (a && a !== document.body) a.blur();
  });
}

const pane = (page) => page.locator('#app').getAttribute('data-pane');

async function showPane(page, name) {
  await byTestId(page, `screen-${name}`).click();
  await eventually(async () => assert.equal(await pane(page), name), { what: `pane ${name}` });
}

// the controls the narrow layout adds: WCAG 2.2 target size (minimum)
async function assertTargets(page) {
  for (const p of ['queue', 'conv', 'ctx']) {
    const box = await byTestId(page, `screen-${p}`).boundingBox();
    assert.ok(box && box.width >= 24 && box.height >= 24, `the ${p} tab is at least 24x24 px: ${JSON.stringify(box)}`);
  }
}

test('baselines: screenshots at 390, 1024 and 1440 px match tests/browser/screens/', { timeout: 240000 }, async () => {
  // fixed names and texts; ids are fixed too (the stack is this file's own)
  const ag = agent('agent-screens-dana', { name: 'Dana Reyes' });
  const ann = customer('cust-screens-ann', { name: 'Ann Example' });
  const ben = customer('cust-screens-ben', { name: 'Ben Sample', tier: 'silver' });
  const con = await consolePage(ag, 1440);
  const wid = await widgetPage(ann, 1440);
  await openConversation(wid, {
    summary: 'Checkout returns 502 after the deploy',
    steps: '1. Deploy to Live\n2. Open /checkout',
    errors: '502 Bad Gateway',
  });
  await claim(con, 'Checkout returns 502 after the deploy');
  // Ben waits: his chat is offered to Dana, who declines (so no countdown
  // runs in the pictures, and it is not offered to her again)
  const other = await widgetPage(ben, 1440);
  await openConversation(other, { summary: 'Password reset email never arrives' });
  const offer = byTestId(con, 'offer').filter({ hasText: 'Password reset email never arrives' });
  await offer.getByTestId('offer-decline').click();
  await byTestId(con, 'offer').first().waitFor({ state: 'detached', timeout: 20000 });
  await waitText(wid, 'agent-name', ag.name);
  const hello = 'Hello, the checkout page fails since this morning.';
  const reply = `Thanks Ann, I am looking at it. The incident: ${LONG_LINK}`;
  await send(wid, hello);
  await waitMessages(con, [hello]);
  await send(con, reply);
  await waitMessages(wid, [hello, reply]);
  // both sides have read everything: no receipt or typing still to come
  await byTestId(con, 'read-receipt').first().waitFor({ state: 'visible' });
  await byTestId(wid, 'read-receipt').first().waitFor({ state: 'visible' });
  await byTestId(con, 'typing').first().waitFor({ state: 'hidden', timeout: 20000 });
  await byTestId(wid, 'typing').first().waitFor({ state: 'hidden', timeout: 20000 });

  // what changes with the clock
  const consoleMask = () => [con.locator('time'), con.locator('.msg-time'), con.getByTestId('waited'), con.locator('.earlier-when'), con.locator('.ctx-facts dd').last(), con.getByTestId('offer-countdown')];
  const widgetMask = () => [wid.locator('time')];

  // every picture is taken and compared; the test fails after, naming each that differs
  const differ = [];
  const shoot = async (page, name, mask) => {
    await settle(page);
    await matchScreenshot(page, name, { mask }).catch((e) => differ.push(e.message));
  };
  for (const width of [390, 1024, 1440]) {
    await resize(con, width);
    await resize(wid, width);
    if (width < 1024) {
      await showPane(con, 'queue');
      await shoot(con, `console-queue-${width}`, consoleMask());
      await showPane(con, 'conv');
      await shoot(con, `console-conv-${width}`, consoleMask());
    } else {
      await shoot(con, `console-${width}`, consoleMask());
    }
    await shoot(wid, `widget-conv-${width}`, widgetMask());
  }
  assert.deepEqual(differ, [], 'every screenshot matches its baseline');
  assertNoPageErrors(con, wid, other);
});

test('nothing spills sideways and every field is 16 px or more, from 360 to 1440 px', { timeout: 300000 }, async () => {
  const tag = uid('wide');
  const ag = agent(uid('agent'), { name: `Eve Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Fay Customer ${tag}` });
  const con = await consolePage(ag, 1440);
  const wid = await widgetPage(cu, 1440);
  const summary = `The site is slow ${LONG_WORD} ${tag}`;
  await openConversation(wid, { summary, errors: LONG_LINK, steps: LONG_WORD });
  await claim(con, summary);
  const long = `See ${LONG_LINK} and ${LONG_WORD} ${tag}`;
  await send(wid, long);
  await send(con, long.replace('See', 'Seen'));
  await waitMessages(con, [long, long.replace('See', 'Seen')]);
  await waitMessages(wid, [long, long.replace('See', 'Seen')]);

  // a second widget stays on its home view and form
  const other = await widgetPage(customer(uid('cust'), { name: `Gil Customer ${tag}` }), 1440);
  await byTestId(other, 'launcher').click();

  for (const width of Object.keys(SIZES).map(Number)) {
    for (const p of [con, wid, other]) await resize(p, width);
    const at = `${width} px`;
    if (width <= 900) {
      await showPane(con, 'queue');
      await assertNoOverflow(con, `console queue at ${at}`);
      await showPane(con, 'conv');
      await assertNoOverflow(con, `console conversation at ${at}`);
      await showPane(con, 'ctx');
      await waitText(con, 'context', cu.name);
      await assertNoOverflow(con, `console customer panel at ${at}`);
      await screenshot(con, `screens-customer-${width}`);
      await showPane(con, 'conv');
    } else {
      await byTestId(con, 'context').first().waitFor({ state: 'visible' });
      await byTestId(con, 'composer').waitFor({ state: 'visible' });
      await assertNoOverflow(con, `console at ${at}`);
      // labels moved out of sight still name their controls
      assert.equal(await con.getByRole('combobox', { name: 'Status' }).count(), 1, `the presence select is named at ${at}`);
      assert.equal(await con.getByRole('button', { name: /^(Sound on|Muted)$/ }).count(), 1, `the mute button is named at ${at}`);
    }
    await assertFields(con, `console at ${at}`);

    // the dialogs fit too
    const narrow = width <= 900;
    if (narrow) await byTestId(con, 'topbar-more').click();
    await con.locator('#open-canned').click();
    await byTestId(con, 'canned-manager').waitFor({ state: 'visible' });
    await assertNoOverflow(con, `canned responses at ${at}`);
    await screenshot(con, `screens-canned-${width}`);
    await con.keyboard.press('Escape');
    await byTestId(con, 'canned-manager').waitFor({ state: 'hidden' });
    if (narrow) await byTestId(con, 'topbar-more').click();
    await byTestId(con, 'transfer').click();
    await byTestId(con, 'transfer-dialog').waitFor({ state: 'visible' });
    await assertNoOverflow(con, `transfer at ${at}`);
    await screenshot(con, `screens-transfer-${width}`);
    await con.keyboard.press('Escape');
    await byTestId(con, 'transfer-dialog').waitFor({ state: 'hidden' });

    await byTestId(other, 'new-conversation').or(visible(other.locator('[name="summary"]'))).first().waitFor({ state: 'visible' });
    if (await byTestId(other, 'new-conversation').count()) {
      await assertNoOverflow(other, `widget home at ${at}`);
    }
    await showForm(other);
    await assertNoOverflow(other, `widget form at ${at}`);
    await screenshot(other, `screens-widget-form-${width}`);
    await assertFields(other, `widget form at ${at}`);
    await assertNoOverflow(wid, `widget conversation at ${at}`);
    await assertFields(wid, `widget conversation at ${at}`);

    // on a phone the open widget is the whole screen
    if (width <= 480) {
      const box = await wid.evaluate(() => {
        const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot);
        const r = host.shadowRoot.querySelector('.panel').getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, vw: innerWidth, vh: innerHeight };
      });
      assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, box.vw, box.vh], `the open widget fills the screen at ${at}: ${JSON.stringify(box)}`);
    }
    // back to the home view for the next width
    const back = byTestId(other, 'back');
    if (await back.count()) await back.click();
  }
  assertNoPageErrors(con, wid, other);
});

for (const width of NARROW) {
  test(`at ${width} px the queue, the conversation and the customer panel are each reachable`, { timeout: 180000 }, async () => {
    const tag = uid(`narrow${width}`);
    const ag = agent(uid('agent'), { name: `Hal Agent ${tag}` });
    const cu = customer(uid('cust'), { name: `Ida Customer ${tag}` });
    const con = await consolePage(ag, width);
    const wid = await widgetPage(cu, width);

    // one pane at a time, the queue first; the tab bar is there
    assert.equal(await pane(con), 'queue');
    await byTestId(con, 'queue').waitFor({ state: 'visible' });
    assert.equal(await byTestId(con, 'context').count(), 0, 'the customer panel is not shown with the queue');
    await assertTargets(con);
    assert.equal(await byTestId(con, 'screen-queue').getAttribute('aria-current'), 'true');

    const summary = `Cannot log in on my phone ${tag}`;
    await openConversation(wid, { summary });
    // claiming from the queue shows the conversation
    await claim(con, summary);
    assert.equal(await pane(con), 'conv');
    assert.equal(await byTestId(con, 'queue').count(), 0, 'the queue is not shown with the conversation');
    assert.equal(await byTestId(con, 'screen-conv').getAttribute('aria-current'), 'true');
    const hello = `It says wrong password ${tag}`;
    await send(wid, hello);
    await waitMessages(con, [hello]);
    const reply = `Let me reset it for you ${tag}`;
    await send(con, reply);
    await waitMessages(wid, [hello, reply]);

    // the customer panel
    await showPane(con, 'ctx');
    await waitText(con, 'context', cu.name);
    assert.equal(await byTestId(con, 'composer').count(), 0, 'the conversation is not shown with the customer panel');

    // back to the queue; opening the conversation from there shows it
    await showPane(con, 'queue');
    const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
    await item.waitFor({ state: 'visible' });
    await item.click();
    await eventually(async () => assert.equal(await pane(con), 'conv'), { what: 'the conversation pane' });
    await byTestId(con, 'composer').waitFor({ state: 'visible' });

    // Alt+ArrowDown, the keys that move between conversations, shows them
    await showPane(con, 'queue');
    await con.keyboard.press('Alt+ArrowDown');
    await eventually(async () => assert.equal(await pane(con), 'conv'), { what: 'Alt+ArrowDown to show the conversation' });
    await eventually(async () => assert.equal(await con.evaluate(() => document.activeElement?.id), 'composer'), { what: 'the composer to have focus' });

    // a message that comes while the agent looks at the queue counts as unread on the tab bar
    await showPane(con, 'queue');
    const later = `Still there? ${tag}`;
    await send(wid, later);
    await byTestId(con, 'screen-conv').locator('.screens-badge').filter({ hasText: '1' }).waitFor({ state: 'visible' });
    await showPane(con, 'conv');
    await waitMessages(con, [hello, reply, later]);
    await byTestId(con, 'screen-conv').locator('.screens-badge').waitFor({ state: 'hidden' });

    // the top bar's other controls are behind "More"
    const more = byTestId(con, 'topbar-more');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    assert.equal(await visible(con.locator('#sign-out')).count(), 0, 'sign out is behind More');
    const box = await more.boundingBox();
    assert.ok(box.width >= 24 && box.height >= 24, `More is at least 24x24 px: ${JSON.stringify(box)}`);
    await more.click();
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    await visible(con.locator('#sign-out')).waitFor({ state: 'visible' });
    await waitText(con, 'me', ag.name);
    await assertNoOverflow(con, `console with More open at ${width} px`);
    await screenshot(con, `screens-more-${width}`);
    await con.keyboard.press('Escape');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');

    await assertNoOverflow(con, `console at ${width} px`);
    assertNoPageErrors(con, wid);
  });
}

test('the sign-in screen fits 360 px', { timeout: 60000 }, async () => {
  const page = await env.b.page('signin', { ...PAGE_OPTIONS, viewport: { width: 360, height: SIZES[360] } });
  await page.goto(`${env.stack.http}/console/`);
  await page.locator('#signin-token').waitFor({ state: 'visible' });
  await assertNoOverflow(page, 'sign-in at 360 px');
  await assertFields(page, 'sign-in at 360 px');
  assertNoPageErrors(page);
});
