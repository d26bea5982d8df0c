// Accessibility (WCAG 2.2 AA) of both apps in Chromium, against a real
// chatd and Redis: axe-core on every view of the widget (in its Shadow DOM)
// and of the console; the focus ring's contrast, and its outline in forced
// colors; and the keyboard alone through a whole chat on both sides.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  openWidget, openConsole, claim, waitText, waitMessages, hostPage, assertNoPageErrors,
} from './lib.mjs';
import { axeViolations, formatViolations, WIDGET, AXE_VERSION, TAGS } from './axe.mjs';

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

  // a toast (alerts), the canned responses manager, the transfer dialog
  await byTestId(con, 'composer').fill('/');
  await con.locator('#open-canned').click();
  await byTestId(con, 'canned-manager').waitFor({ state: 'visible' });
  await a.check(con, 'canned responses manager');
  await con.keyboard.press('Escape');
  await byTestId(con, 'canned-manager').waitFor({ state: 'hidden' });
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
