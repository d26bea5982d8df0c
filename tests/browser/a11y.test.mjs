// Accessibility (WCAG 2.2 AA) of both apps in Chromium, against a real
// chatd and Redis: axe-core on every view of the widget (in its Shadow DOM)
// and of the console; the focus ring's contrast, and its outline in forced
// colors; and the keyboard alone through a whole chat on both sides.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  openWidget, openConsole, claim, waitText, waitMessages, hostPage, assertNoPageErrors, readMessages,
} from './lib.mjs';
import { axeViolations, formatViolations, WIDGET, AXE_VERSION, TAGS } from './axe.mjs';
import { focused, focusProblem, press, tabTo, sweep, fromTop } from './focus.mjs';

const readMine = readMessages;

const env = useBrowserStack({ hostSite: true });

// Runs axe on each view named; every violation is kept and reported at the
// end, so one run shows them all.
function auditor(what) {
  const found = [];
  const views = [];
  return {
    async check(page, view, context) {
      const v = await axeViolations(page, { context });
      views.push(view);
      if (v.length) found.push(formatViolations(`${what} · ${view}`, v));
    },
    done() {
      console.log(`axe-core ${AXE_VERSION} (${TAGS.join(', ')}) on ${what}: ${views.join('; ')}`);
      assert.equal(found.length, 0, `\n${found.join('\n')}`);
    },
  };
}

async function setPresence(con, me, status) {
  await byTestId(con, 'presence').selectOption(status);
  await eventually(async () => {
    const s = await con.locator(`[data-testid="agent-item"][data-agent="${me}"]`).getAttribute('data-status', { timeout: 1000 });
    assert.equal(s, status);
  }, { what: `${me} to show as ${status}` });
}

test('axe: every view of the console', { timeout: 180000 }, async () => {
  const a = auditor('console');
  const tag = uid('axecon');
  const ag = agent(uid('agent'), { name: `Ava Agent ${tag}` });

  // the sign-in screen, with a problem shown
  const signin = await env.b.page('console sign-in');
  await signin.goto(`${env.stack.http}/console/#token=not-a-token`);
  await signin.locator('#signin-problem').waitFor({ state: 'visible' });
  await a.check(signin, 'sign-in with a problem');
  await signin.context().close();

  const con = await openConsole(env.b, env.stack.http, ag);
  await byTestId(con, 'agents').waitFor({ state: 'visible' });
  await setPresence(con, ag.sub, 'away');
  await con.locator('.empty-queue').waitFor({ state: 'visible' });
  await a.check(con, 'empty queue, agents panel');

  // a waiting customer: the queue item; online: the offer card
  const cu = customer(uid('cust'), { name: `Cal Customer ${tag}`, tier: 'gold' });
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  await openWidget(wid);
  const summary = `Axe console ${tag}`;
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });
  await a.check(con, 'queue with a waiting conversation');
  await item.locator('.qi-open').click();
  await con.locator('#composer-blocked').waitFor({ state: 'visible' });
  await a.check(con, 'a waiting conversation opened before claiming');
  await setPresence(con, ag.sub, 'online');
  const card = con.locator('[data-testid="offer"][data-state="offered"]');
  await card.waitFor({ state: 'visible', timeout: 20000 });
  await a.check(con, 'an offer card');

  // the conversation: messages, a note, the composer, the customer panel
  await card.getByTestId('offer-accept').click();
  const conv = await item.getAttribute('data-conv');
  const tab = con.locator(`[data-testid="conv-tab"][data-conv="${conv}"]`);
  await tab.waitFor({ state: 'visible' });
  await tab.click();
  await byTestId(con, 'composer').waitFor({ state: 'visible' });
  const hello = `Hello from the customer ${tag}`;
  await byTestId(wid, 'composer').fill(hello);
  await byTestId(wid, 'send').click();
  await byTestId(con, 'composer').fill(`Hi Cal ${tag}`);
  await byTestId(con, 'send').click();
  await byTestId(con, 'composer').fill(`A note ${tag}`);
  await byTestId(con, 'send-note').click();
  await waitMessages(con, [hello, `Hi Cal ${tag}`, `A note ${tag}`]);
  await byTestId(con, 'context').locator('.ctx-avatar, h2, h3').first().waitFor({ state: 'visible' });
  await a.check(con, 'a conversation (messages, note, composer, customer panel), queue with an assigned item');

  // the canned responses manager (empty, then with one), its popup in the
  // composer, the transfer dialog
  await con.locator('#open-canned').click();
  await byTestId(con, 'canned-manager').waitFor({ state: 'visible' });
  await a.check(con, 'canned responses manager, none yet');
  await con.locator('#canned-key').fill('thanks');
  await con.locator('#canned-title-input').fill('Thanks');
  await con.locator('#canned-text').fill('Thanks for your patience!');
  await con.locator('#canned-save').click();
  await con.locator('.canned-item[data-key="thanks"]').waitFor({ state: 'visible' });
  await a.check(con, 'canned responses manager with a response');
  await con.keyboard.press('Escape');
  await byTestId(con, 'canned-manager').waitFor({ state: 'hidden' });
  await byTestId(con, 'composer').fill('');
  await byTestId(con, 'composer').pressSequentially('/tha');
  await con.locator('#canned-popup').waitFor({ state: 'visible' });
  await a.check(con, 'canned response popup in the composer');
  await con.keyboard.press('Escape');
  await byTestId(con, 'composer').fill('');
  await byTestId(con, 'transfer').click();
  await byTestId(con, 'transfer-dialog').waitFor({ state: 'visible' });
  await a.check(con, 'transfer dialog');
  await con.keyboard.press('Escape');
  await byTestId(con, 'transfer-dialog').waitFor({ state: 'hidden' });

  await byTestId(con, 'composer').fill('');
  await byTestId(con, 'close-conversation').click();
  await con.locator('#toast').waitFor({ state: 'visible' });
  await a.check(con, 'a closed conversation and a toast');
  await setPresence(con, ag.sub, 'offline');
  assertNoPageErrors(con, wid);
  await con.context().close();
  await wid.context().close();
  a.done();
});

test('axe: every view of the widget', { timeout: 180000 }, async () => {
  const a = auditor('widget');
  const tag = uid('axewid');
  const cu = customer(uid('cust'), { name: `Wes Customer ${tag}`, tier: 'gold' });
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  await byTestId(wid, 'launcher').waitFor({ state: 'visible' });
  await a.check(wid, 'launcher, closed', WIDGET);

  await byTestId(wid, 'launcher').click();
  await byTestId(wid, 'new-conversation').waitFor({ state: 'visible' });
  await wid.getByText('No conversations yet').waitFor({ state: 'visible' });
  await a.check(wid, 'home, no conversations', WIDGET);

  await byTestId(wid, 'new-conversation').click();
  await visible(wid.locator('[name="summary"]')).waitFor({ state: 'visible' });
  await a.check(wid, 'new-conversation form', WIDGET);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'field-error').first().waitFor({ state: 'visible' });
  await a.check(wid, 'form with a validation error', WIDGET);

  const summary = `Axe widget ${tag}`;
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  await byTestId(wid, 'queue-position').first().waitFor({ state: 'visible', timeout: 20000 });
  await a.check(wid, 'conversation waiting, with its place in line', WIDGET);

  const ag = agent(uid('agent'), { name: `Ida Agent ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);
  const hello = `Hello ${tag}`;
  await byTestId(wid, 'composer').fill(hello);
  await byTestId(wid, 'send').click();
  await waitMessages(con, [hello]);
  await byTestId(con, 'composer').fill(`Hi Wes ${tag}`);
  await byTestId(con, 'send').click();
  await waitMessages(wid, [hello, `Hi Wes ${tag}`]);
  await byTestId(wid, 'read-receipt').first().waitFor({ state: 'visible' });
  await a.check(wid, 'conversation with an agent', WIDGET);

  await byTestId(wid, 'close-conversation').click();
  await a.check(wid, 'asking to end the chat', WIDGET);
  await byTestId(wid, 'close-conversation').click();
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await byTestId(wid, 'transcript').waitFor({ state: 'visible' });
  await a.check(wid, 'closed conversation with the transcript button', WIDGET);
  await byTestId(wid, 'transcript').click();
  await eventually(async () => assert.notEqual(await byTestId(wid, 'transcript-status').getAttribute('data-outcome'), 'asking'));
  await a.check(wid, 'transcript answered', WIDGET);

  await byTestId(wid, 'back').click();
  await byTestId(wid, 'history-item').first().waitFor({ state: 'visible' });
  await a.check(wid, 'home with a conversation', WIDGET);
  await setPresence(con, ag.sub, 'offline');
  assertNoPageErrors(wid, con);
  await con.context().close();
  await wid.context().close();

  // the sign-in error: getToken() gives tokens the server refuses
  const bad = await env.b.page('widget sign-in error');
  await bad.goto(env.site.url('/a11y-refused.html', hostPage({ server: `${env.stack.http.replace('http', 'ws')}/ws`, tok: 'not-a-token' })));
  await byTestId(bad, 'launcher').click();
  await bad.locator('[data-testid="connection"][data-state="failed"]').waitFor({ state: 'attached' });
  await byTestId(bad, 'banner').waitFor({ state: 'visible' });
  await a.check(bad, 'sign-in error', WIDGET);
  await bad.context().close();
  a.done();
});

// A conversation opened in the widget (by mouse: the setup, not what is
// tested) and claimed in the console; returns both pages.
async function chatPair(tag) {
  const ag = agent(uid('agent'), { name: `Kit Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Kai Customer ${tag}`, tier: 'gold' });
  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  const summary = `Focus ${tag}`;
  await openWidget(wid);
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  const conv = await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);
  return { ag, cu, con, wid, conv, summary };
}


test('focus ring: an outline of 3:1 or more against its background on every Tab stop of both apps', { timeout: 180000 }, async () => {
  const tag = uid('ring');
  const { ag, con, wid } = await chatPair(tag);
  const problems = [];
  const report = [];
  const run = async (page, what, opts) => {
    const r = await sweep(page, what, opts);
    problems.push(...r.problems);
    report.push(`${what}: ${r.stops.length} stops, lowest ${Math.min(...r.stops.map((f) => f.contrast)).toFixed(2)}:1`);
    assert.ok(r.stops.length > 0, `${what}: no Tab stop reached`);
    return r;
  };

  // the console with a conversation open: top bar, queue, tab, header,
  // messages, composer, customer panel
  await con.locator('[data-testid="queue-item"]').first().waitFor({ state: 'visible' });
  await fromTop(con);
  const all = await run(con, 'console, a conversation open');
  for (const id of ['presence', 'composer', 'send', 'context']) {
    assert.ok(all.stops.some((f) => f.id === id || f.testid === id), `the Tab order reaches ${id}: ${all.stops.map((f) => f.desc).join(', ')}`);
  }
  // the dialogs
  await byTestId(con, 'transfer').focus();
  await con.keyboard.press('Enter');
  await byTestId(con, 'transfer-dialog').waitFor({ state: 'visible' });
  await run(con, 'console, transfer dialog', { max: 20, only: (f) => f.chain.includes('transfer-dialog') });
  await con.keyboard.press('Escape');
  await con.locator('#open-canned').focus();
  await con.keyboard.press('Enter');
  await byTestId(con, 'canned-manager').waitFor({ state: 'visible' });
  await run(con, 'console, canned responses', { max: 30, only: (f) => f.chain.includes('canned-manager') });
  await con.keyboard.press('Escape');

  // the widget: launcher, conversation, home, form (its stops only, not the host page's)
  const inWidget = (f) => f.inShadow;
  await fromTop(wid);
  await run(wid, 'widget, a conversation', { only: inWidget });
  await byTestId(wid, 'back').click();
  await byTestId(wid, 'new-conversation').waitFor({ state: 'visible' });
  await fromTop(wid);
  await run(wid, 'widget, home', { only: inWidget });
  await byTestId(wid, 'new-conversation').click();
  await byTestId(wid, 'open-submit').click(); // empty: the field errors show too
  await byTestId(wid, 'field-error').first().waitFor({ state: 'visible' });
  await fromTop(wid);
  await run(wid, 'widget, form with an error', { only: inWidget });
  console.log(report.join('\n'));
  assert.deepEqual(problems, []);

  // nobody left waiting or assigned for the next test
  await byTestId(wid, 'back').click();
  await byTestId(wid, 'history-item').first().click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  await byTestId(wid, 'close-conversation').click();
  await byTestId(wid, 'close-conversation').click();
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await byTestId(con, 'presence').selectOption('offline');
  assertNoPageErrors(con, wid);
  await con.context().close();
  await wid.context().close();
  void ag;
});

test('focus ring in forced colours (high contrast): focused controls of both apps have an outline', { timeout: 120000 }, async () => {
  const tag = uid('forced');
  const ag = agent(uid('agent'), { name: `Fay Agent ${tag}` });
  const cu = customer(uid('cust'), { name: `Flo Customer ${tag}`, tier: 'gold' });
  const outlined = async (page, what) => {
    const f = await focused(page);
    assert.ok(f && f.shown, `${what}: something shown has focus (${f && f.desc})`);
    assert.notEqual(f.outline.style, 'none', `${what}: ${f.desc} has an outline in forced colours`);
    assert.ok(f.outline.width >= 2, `${what}: ${f.desc}'s outline is ${f.outline.width}px`);
    return f;
  };

  const con = await env.b.page('console, forced colours', { forcedColors: 'active' });
  await con.goto(`${env.stack.http}/console/#token=${token(ag)}`);
  await waitText(con, 'me', ag.name);
  assert.equal(await con.evaluate(() => matchMedia('(forced-colors: active)').matches), true, 'forced colours are on');
  await fromTop(con);
  const first = await tabTo(con, (f) => f.desc.startsWith('button'), 'a button').catch(async () => focused(con));
  await outlined(con, `console, ${first && first.desc}`);
  await tabTo(con, (f) => f.id === 'presence', 'the presence select');
  await outlined(con, 'console, the presence select');
  await byTestId(con, 'composer').count();

  const wid = await env.b.page('widget, forced colours', { forcedColors: 'active' });
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  await byTestId(wid, 'launcher').waitFor({ state: 'visible' });
  await fromTop(wid);
  await tabTo(wid, (f) => f.testid === 'launcher', 'the launcher', { only: (f) => f.inShadow });
  await outlined(wid, 'widget launcher');
  await wid.keyboard.press('Enter');
  await eventually(async () => assert.equal((await focused(wid))?.testid, 'new-conversation'), { what: 'focus on New conversation' });
  await outlined(wid, 'widget, New conversation');
  await wid.keyboard.press('Enter');
  await eventually(async () => assert.equal(await wid.evaluate(() => document.querySelector('chatd-widget').shadowRoot.activeElement?.name), 'summary'), { what: 'focus on the summary field' });
  await outlined(wid, 'widget, the summary field');
  await con.context().close();
  await wid.context().close();
});

test('keyboard only: an agent goes online, claims, replies, adds a note, opens the dialogs and closes the chat', { timeout: 180000 }, async () => {
  const tag = uid('kbd');
  const ag = agent(uid('agent'), { name: `Kim Agent ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  await byTestId(con, 'presence').waitFor({ state: 'visible' });
  const presence = async (status) => eventually(async () => {
    assert.equal(await byTestId(con, 'presence').inputValue(), status);
    assert.equal(await con.locator(`[data-testid="agent-item"][data-agent="${ag.sub}"]`).getAttribute('data-status', { timeout: 1000 }), status);
  }, { what: `presence ${status}` });

  // away, then online again, with the arrow keys on the status select
  await fromTop(con);
  await tabTo(con, (f) => f.id === 'presence', 'the presence select');
  await press(con, 'ArrowDown');
  await presence('away');
  await eventually(async () => assert.equal((await focused(con))?.id, 'presence'), { what: 'focus back on the select' });
  await press(con, 'ArrowUp');
  await presence('online');

  // a customer opens a chat (by mouse, in the widget)
  const cu = customer(uid('cust'), { name: `Kay Customer ${tag}`, tier: 'gold' });
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  const summary = `Keyboard ${tag}`;
  await openWidget(wid);
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });

  // the queue: its Claim (Accept, as it is offered) button; the composer gets focus
  const conv = await item.getAttribute('data-conv');
  await tabTo(con, (f) => (f.testid === 'claim' || f.testid === 'offer-accept') && f.conv === conv, 'Claim or Accept');
  await press(con, 'Enter');
  await eventually(async () => assert.equal((await focused(con))?.id, 'composer'), { what: 'focus on the composer after claiming' });
  await waitText(wid, 'agent-name', ag.name);

  // a reply (Enter), a note (Ctrl+Enter)
  const reply = `Keyboard reply ${tag}`;
  await con.keyboard.type(reply);
  await press(con, 'Enter');
  await waitMessages(wid, [reply]);
  const note = `Keyboard note ${tag}`;
  await con.keyboard.type(note);
  await press(con, 'Control+Enter');
  await waitMessages(con, [reply, note]);
  assert.equal(await visible(con.getByTestId('message').filter({ hasText: note })).first().getAttribute('data-kind'), 'note');

  // the customer panel
  await tabTo(con, (f) => f.id === 'context', 'the customer panel');

  // the transfer dialog: focus moves in, stays in, Escape closes it and
  // focus goes back to Transfer
  await tabTo(con, (f) => f.testid === 'transfer', 'Transfer', { back: true });
  await press(con, 'Enter');
  await byTestId(con, 'transfer-dialog').waitFor({ state: 'visible' });
  for (let i = 0; i < 8; i++) {
    const f = await press(con, i % 3 === 2 ? 'Shift+Tab' : 'Tab', `Tab ${i + 1} in the transfer dialog`);
    assert.ok(f.chain.includes('transfer-dialog'), `focus stays in the dialog; it is on ${f.desc}`);
  }
  await press(con, 'Escape');
  await byTestId(con, 'transfer-dialog').waitFor({ state: 'hidden' });
  assert.equal((await focused(con))?.testid, 'transfer', 'focus is back on Transfer');

  // canned responses, likewise
  await tabTo(con, (f) => f.id === 'open-canned', 'Canned responses', { back: true });
  await press(con, 'Enter');
  await byTestId(con, 'canned-manager').waitFor({ state: 'visible' });
  for (let i = 0; i < 10; i++) {
    const f = await press(con, 'Tab', `Tab ${i + 1} in canned responses`);
    assert.ok(f.chain.includes('canned-manager'), `focus stays in the dialog; it is on ${f.desc}`);
  }
  await press(con, 'Escape');
  await byTestId(con, 'canned-manager').waitFor({ state: 'hidden' });
  assert.equal((await focused(con))?.id, 'open-canned', 'focus is back on Canned responses');

  // closing, with a reason: focus stays on something shown
  await tabTo(con, (f) => f.id === 'close-reason', 'the close reason');
  await con.keyboard.type('resolved');
  await press(con, 'Enter');
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await eventually(async () => assert.equal(await focusProblem(con, 'after closing'), ''), { what: 'focus on a shown element after closing' });

  // its tab hidden from the keyboard: focus goes on, not lost with the tab
  await tabTo(con, (f) => f.desc.includes('tab-x'), "the tab's hide button", { back: true });
  await press(con, 'Enter');
  await con.locator('[data-testid="conv-tab"]').first().waitFor({ state: 'detached' });
  assert.equal(await focusProblem(con, 'after hiding the tab'), '');

  await byTestId(con, 'presence').selectOption('offline');
  assertNoPageErrors(con, wid);
  await con.context().close();
  await wid.context().close();
});

test('keyboard only: a customer opens the widget, starts a conversation, sends and closes the panel', { timeout: 120000 }, async () => {
  const tag = uid('kbdw');
  const cu = customer(uid('cust'), { name: `Kes Customer ${tag}`, tier: 'gold' });
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  await byTestId(wid, 'launcher').waitFor({ state: 'visible' });
  await fromTop(wid);
  await tabTo(wid, (f) => f.testid === 'launcher', 'the launcher', { only: (f) => f.inShadow });
  await press(wid, 'Enter');
  await eventually(async () => assert.equal((await focused(wid))?.testid, 'new-conversation'), { what: 'focus on New conversation' });
  await press(wid, 'Enter');
  await eventually(async () => assert.ok((await focused(wid))?.desc.includes('summary')), { what: 'focus on the summary field' });
  const summary = `Keyboard widget ${tag}`;
  await wid.keyboard.type(summary);
  await tabTo(wid, (f) => f.testid === 'open-submit', 'Start conversation');
  await press(wid, 'Enter');
  await eventually(async () => assert.equal((await focused(wid))?.testid, 'composer'), { what: 'focus on the composer' });
  const hello = `Hello by keyboard ${tag}`;
  await wid.keyboard.type(hello);
  await press(wid, 'Enter');
  await eventually(async () => {
    const m = (await readMine(wid)).find((x) => x.text === hello);
    assert.ok(m && m.seq > 0, `sent and stored: ${JSON.stringify(m)}`);
  }, { what: 'the message stored' });
  await wid.keyboard.press('Escape');
  await byTestId(wid, 'new-conversation').or(byTestId(wid, 'composer')).first().waitFor({ state: 'hidden' });
  assert.equal((await focused(wid))?.testid, 'launcher', 'focus is back on the launcher');
  assert.equal(await focusProblem(wid, 'after Escape'), '');
  assertNoPageErrors(wid);
  await wid.context().close();
});
