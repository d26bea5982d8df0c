// Support packages in the browser, against a real chatd (with a policy file
// of its own) and Redis: a Silver customer outside chat hours leaves a
// message for the next opening; waiting customers see their place in line;
// an agent sets their presence, gets an offer and accepts it; a transfer
// from one agent to another is seen by the customer. Every wait is on a
// condition with a timeout.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, visible, eventually,
  openWidget, openConsole, waitText, waitMessages, assertNoPageErrors, screenshot,
} from './lib.mjs';

const SUPPORT_TZ = 'America/New_York';
const DAY = 86400000;

// YYYY-MM-DD of t in the support time zone.
const supportDate = (t) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: SUPPORT_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));

// The shipped policy, except that Silver's chat (24x5) is closed for the
// whole run: yesterday, today and tomorrow (support time zone) are holidays
// (Gold and better chat 24x7, holidays or not); and offers run out after
// 8 s, not 30.
function policy() {
  const now = Date.now();
  return {
    version: 1,
    support_timezone: SUPPORT_TZ,
    holidays: [now - DAY, now, now + DAY].map(supportDate),
    routing: { aging_bound_s: 600, offer_timeout_s: 8, dedicated_delay_s: 120, presence_grace_s: 60, service_window_s: 900 },
    classes: [
      { key: 'top_priority', label: 'Top Priority' },
      { key: 'priority', label: 'Priority' },
      { key: 'normal', label: 'Normal' },
    ],
    scopes: [
      { key: 'platform', label: 'Platform', covers: 'Dashboard, Dev/Test/Live Workflow, Git/SFTP Mode, Docs' },
      { key: 'technical', label: 'Technical', covers: 'Drupal & WordPress, Modules & Plugins, Application/Site, DNS, Multidev, Basic CDN, Basic Terminus' },
      { key: 'performance', label: 'Performance', covers: 'New Relic, Caching, Cloud Integrations, Custom Upstreams, Advanced workflows, Advanced CDN, Advanced Terminus' },
      { key: 'dedicated', label: 'Dedicated', covers: 'Bespoke site debugging' },
    ],
    tiers: {
      silver: { chat: { hours: '24x5', class: 'normal' }, tickets: null, emergency: null, scope: 'platform', professional_services: 'none' },
      gold: { chat: { hours: '24x7', class: 'normal' }, tickets: { hours: '24x5', first_response_s: 28800 }, emergency: null, scope: 'technical', professional_services: 'available for purchase' },
      platinum: { chat: { hours: '24x7', class: 'priority' }, tickets: { hours: '24x7', first_response_s: 7200 }, emergency: { hours: '24x7', response_s: 3600 }, scope: 'performance', professional_services: 'available for purchase' },
      diamond: { chat: { hours: '24x7', class: 'top_priority' }, tickets: { hours: '24x7', first_response_s: 3600 }, emergency: { hours: '24x7', response_s: 900 }, scope: 'dedicated', professional_services: 'bundle included' },
    },
    topics: [
      { key: 'dashboard', label: 'Dashboard and workflow', scope: 'platform', skill: 'platform' },
      { key: 'git', label: 'Git, SFTP and deploys', scope: 'platform', skill: 'platform' },
      { key: 'wordpress', label: 'WordPress', scope: 'technical', skill: 'wordpress' },
      { key: 'drupal', label: 'Drupal', scope: 'technical', skill: 'drupal' },
      { key: 'dns', label: 'Domains, DNS and HTTPS', scope: 'technical', skill: 'dns' },
      { key: 'performance', label: 'Performance and caching', scope: 'performance', skill: 'performance' },
      { key: 'debugging', label: 'Site debugging', scope: 'dedicated', skill: 'debugging' },
    ],
    dedicated: { 'org-diamond': ['agent-ded-1', 'agent-ded-2'] },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'chatd-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = useBrowserStack({
  args: () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(policy(), null, 2));
    return ['--policy', file];
  },
});

// The frames a page sends and receives on its WebSockets, parsed, in order.
function recordFrames(page) {
  page.sent = [];
  page.received = [];
  const keep = (list) => ({ payload }) => {
    try { list.push(JSON.parse(payload)); } catch { /* not JSON */ }
  };
  page.on('websocket', (ws) => {
    ws.on('framesent', keep(page.sent));
    ws.on('framereceived', keep(page.received));
  });
}

async function widgetPage(cu, options) {
  const wid = await env.b.page(`widget ${cu.name}`, options);
  recordFrames(wid);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  return wid;
}

// Opens a conversation from the widget's form; returns its conv id.
async function openChat(wid, summary, { topic } = {}) {
  await openWidget(wid);
  await visible(wid.locator('[name="summary"]')).fill(summary);
  if (topic) await visible(wid.locator('[name="topic"]')).selectOption(topic);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  return convOf(wid, summary);
}

// The open frame the widget sent for summary, and the conv its ack names.
async function convOf(wid, summary) {
  return eventually(() => {
    const opens = wid.sent.filter((x) => x.type === 'open' && x.details?.summary === summary);
    const ids = new Set(opens.map((x) => x.id));
    const ack = wid.received.find((x) => x.type === 'ack' && ids.has(x.id) && x.conv);
    assert.ok(ack, `no ack of the open frame yet (sent ${opens.length})`);
    return { open: opens.at(-1), conv: ack.conv };
  }, { what: `the conv of ${JSON.stringify(summary)}` });
}

// Sets the agent's presence in the console and waits for its own entry in
// the agents panel to show it.
async function setPresence(con, me, status) {
  await byTestId(con, 'presence').selectOption(status);
  await eventually(async () => {
    const s = await con.locator(`[data-testid="agent-item"][data-agent="${me}"]`).getAttribute('data-status', { timeout: 1000 });
    assert.equal(s, status);
  }, { what: `${me} to show as ${status}` });
}

// Ends the widget's conversation (End chat, then confirm).
async function endChat(wid) {
  await byTestId(wid, 'close-conversation').click();
  await byTestId(wid, 'close-conversation').click();
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
}

// The offer card for conv on the page, once shown.
function offerCard(con, conv) {
  return con.locator(`[data-testid="offer"][data-conv="${conv}"][data-state="offered"]`);
}

test('outside chat hours a Silver customer sees when chat opens and leaves a message for then', { timeout: 120000 }, async () => {
  const tag = uid('hours');
  const cu = customer(uid('cust'), { name: `Sam Silver ${tag}`, tier: 'silver' });
  // the customer's own time zone and locale, far from the support one
  const wid = await widgetPage(cu, { timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
  env.shots.push([wid, 'widget-leave-message']);
  await byTestId(wid, 'launcher').click();

  // before the form: chat is closed, and when it opens, in Tokyo time
  const notice = byTestId(wid, 'availability').first();
  await eventually(async () => assert.equal(await notice.getAttribute('data-open', { timeout: 1000 }), 'false'), { what: 'availability to say closed' });
  const opensAt = Number(await byTestId(wid, 'opens-at').first().getAttribute('data-opens-at'));
  assert.ok(opensAt > Date.now(), `opens_at ${opensAt} is in the future`);
  assert.ok(opensAt > Date.now() + 0.5 * DAY - 60000, 'chat stays closed at least through the holidays');
  const hm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: 'numeric', minute: '2-digit' }).format(new Date(opensAt));
  await waitText(wid, 'opens-at', hm);
  await waitText(wid, 'new-conversation', 'Leave a message');

  // the form: a topic outside Silver's scope says so, and the form leaves a message
  await openWidget(wid);
  const topic = visible(wid.locator('[name="topic"]'));
  await topic.waitFor({ state: 'visible' });
  const wp = topic.locator('option[value="wordpress"]');
  assert.match(await wp.textContent(), /may be outside your Silver package's scope/);
  assert.equal(await topic.locator('option[value="dashboard"]').getAttribute('data-in-scope'), 'true');
  await topic.selectOption('wordpress');
  await waitText(wid, 'scope-note', 'outside your Silver package');
  const summary = `Deploys fail on Live ${tag}`;
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await visible(wid.locator('[name="steps"]')).fill('1. Deploy\n2. It fails');
  // going back to the home view and again to the form keeps what was typed
  await byTestId(wid, 'back').click();
  await byTestId(wid, 'new-conversation').click();
  assert.equal(await visible(wid.locator('[name="summary"]')).inputValue(), summary);
  assert.equal(await visible(wid.locator('[name="topic"]')).inputValue(), 'wordpress');
  await waitText(wid, 'open-submit', 'Leave a message');
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });

  const open = wid.sent.find((f) => f.type === 'open' && f.details?.summary === summary);
  assert.ok(open, 'an open frame was sent');
  assert.equal(open.leave_message, true, 'the open leaves a message');
  assert.equal(open.topic, 'wordpress');
  assert.equal(open.tz, 'Asia/Tokyo', "the customer's time zone goes with open");
  assert.equal(open.details.steps, '1. Deploy\n2. It fails');

  // the conversation waits for the next opening (the opened event's held_until)
  const held = byTestId(wid, 'held').first();
  await held.waitFor({ state: 'visible' });
  const heldUntil = Number(await held.getAttribute('data-held-until'));
  assert.equal(heldUntil, opensAt, 'held until the next opening');
  await waitText(wid, 'held', hm);
  await visible(wid.locator('[data-testid="message"][data-kind="opened"]').filter({ hasText: summary })).waitFor({ state: 'visible' });
  assert.equal(await byTestId(wid, 'queue-position').count(), 0, 'no place in line while held');

  // an agent sees it among the messages left outside chat hours, not in line
  const ag = agent(uid('agent'), { name: `Hal Agent ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });
  assert.equal(await item.getAttribute('data-held'), String(heldUntil));
  assert.equal(await item.getAttribute('data-position'), '');
  assert.equal(await item.getAttribute('data-out-of-scope'), 'true');
  await item.getByTestId('out-of-scope').waitFor({ state: 'visible' });
  await setPresence(con, ag.sub, 'offline');
  assertNoPageErrors(wid, con);
  await con.context().close();
});

test('waiting customers see their place in line; an agent comes online, accepts an offer and goes away', { timeout: 180000 }, async () => {
  const tag = uid('line');
  const pages = [];
  const chats = [];
  for (let i = 1; i <= 3; i++) {
    const cu = customer(uid('cust'), { name: `Gil Gold ${i} ${tag}`, tier: 'gold' });
    const wid = await widgetPage(cu);
    pages.push(wid);
    if (i === 1) {
      // no agent online: said before the form, and opening still works
      await openWidget(wid);
      await waitText(wid, 'availability', 'No agent is online right now');
      assert.equal(await byTestId(wid, 'availability').first().getAttribute('data-agents'), '0');
    }
    const summary = `Line test ${i} ${tag}`;
    const { conv } = await openChat(wid, summary);
    chats.push({ cu, wid, summary, conv });
  }

  // the place in line and the wait, one after the other
  for (const [i, { wid }] of chats.entries()) {
    const pos = byTestId(wid, 'queue-position').first();
    await eventually(async () => assert.equal(await pos.getAttribute('data-position', { timeout: 1000 }), String(i + 1)),
      { what: `customer ${i + 1} to be number ${i + 1} in line`, timeout: 20000 });
    const text = await pos.textContent();
    assert.match(text, i === 0 ? /^You are next in line · / : new RegExp(`^You are number ${i + 1} in line · `));
    assert.match(text, / · (estimating the wait|less than a minute|about \d+( h)?( \d+)? min)$/);
  }
  await screenshot(chats[1].wid, 'widget-queue-position');

  // an agent signs in: online, and the head of the line is offered to them
  const ag = agent(uid('agent'), { name: `Olga Agent ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  await eventually(async () => assert.equal(await byTestId(con, 'presence').inputValue(), 'online'), { what: 'presence online' });
  await waitText(con, 'my-load', '0/3');
  const first = chats[0];
  const card = offerCard(con, first.conv);
  await card.waitFor({ state: 'visible', timeout: 20000 });
  assert.match(await card.getByTestId('offer-countdown').textContent(), /^\d+ s$|expiring/);
  await screenshot(con, 'console-offer');
  await card.getByTestId('offer-accept').click();
  await card.waitFor({ state: 'detached' });
  await con.locator(`[data-testid="conv-tab"][data-conv="${first.conv}"]`).waitFor({ state: 'visible' });
  await waitText(first.wid, 'agent-name', ag.name);
  await byTestId(first.wid, 'queue-position').first().waitFor({ state: 'detached' });
  await waitText(con, 'my-load', '1/3');

  // the others move up; with a chat of their class served, the wait is estimated
  for (const [i, { wid }] of chats.slice(1).entries()) {
    await eventually(async () => assert.equal(await byTestId(wid, 'queue-position').first().getAttribute('data-position', { timeout: 1000 }), String(i + 1)),
      { what: `customer ${i + 2} to move up to ${i + 1}`, timeout: 20000 });
  }
  await eventually(async () => {
    const pos = byTestId(chats[1].wid, 'queue-position').first();
    const eta = Number(await pos.getAttribute('data-eta', { timeout: 1000 }) || NaN);
    assert.ok(eta > 0, `an estimate (data-eta ${eta})`);
    const min = Math.ceil(eta / 60000);
    const words = min < 60 ? `about ${min} min` : `about ${Math.floor(min / 60)} h`;
    assert.match(await pos.textContent(), new RegExp(`^You are next in line · ${words}`));
  }, { what: 'an estimated wait once a chat of the class was served', timeout: 20000 });

  // the next offer is declined; then the agent goes away
  const second = offerCard(con, chats[1].conv);
  await second.waitFor({ state: 'visible', timeout: 20000 });
  await second.getByTestId('offer-decline').click();
  await second.waitFor({ state: 'detached' });
  await setPresence(con, ag.sub, 'away');
  for (const c of await visible(con.locator('[data-testid="offer"][data-state="offered"]')).all()) {
    await c.getByTestId('offer-decline').click().catch(() => {}); // offered before the agent went away
  }
  await waitText(con, 'my-load', '1/3');
  await waitText(chats[1].wid, 'queue-position', 'in line');

  // clean up: nobody left waiting or assigned for the next test
  await endChat(chats[1].wid);
  await endChat(chats[2].wid);
  await con.locator(`[data-testid="conv-tab"][data-conv="${first.conv}"]`).click();
  await byTestId(con, 'close-conversation').click();
  await first.wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await setPresence(con, ag.sub, 'offline');
  assertNoPageErrors(con, ...pages);
  await con.context().close();
});

test('a transfer from one agent to another is seen by the customer', { timeout: 180000 }, async () => {
  const tag = uid('transfer');
  const bo = agent(uid('agent'), { name: `Bo Agent ${tag}` });
  const cy = agent(uid('agent'), { name: `Cy Agent ${tag}` });
  const consoles = { [bo.sub]: await openConsole(env.b, env.stack.http, bo), [cy.sub]: await openConsole(env.b, env.stack.http, cy) };
  const cu = customer(uid('cust'), { name: `Tia Gold ${tag}`, tier: 'gold' });
  const wid = await widgetPage(cu);
  const summary = `Transfer test ${tag}`;
  const { conv } = await openChat(wid, summary);

  // whoever is offered the chat accepts it
  const holder = await eventually(async () => {
    for (const [id, con] of Object.entries(consoles)) if (await offerCard(con, conv).count()) return id;
    throw new Error('no offer yet');
  }, { what: 'the chat to be offered to an agent', timeout: 20000 });
  const [from, to] = holder === bo.sub ? [bo, cy] : [cy, bo];
  const a = consoles[from.sub];
  const b = consoles[to.sub];
  await offerCard(a, conv).getByTestId('offer-accept').click();
  await waitText(wid, 'agent-name', from.name);

  // the other agent is online with room, in the agents panel and the dialog
  await eventually(async () => {
    const item = a.locator(`[data-testid="agent-item"][data-agent="${to.sub}"]`);
    assert.equal(await item.getAttribute('data-status', { timeout: 1000 }), 'online');
  }, { what: `${to.name} online in ${from.name}'s agents panel` });
  await a.locator(`[data-testid="conv-tab"][data-conv="${conv}"]`).click();
  await byTestId(a, 'transfer').click();
  const dialog = byTestId(a, 'transfer-dialog');
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(`[data-testid="transfer-option"][data-agent="${to.sub}"]`).check();
  await byTestId(a, 'transfer-note').fill(`Customer on Live, over to you ${tag}`);
  await byTestId(a, 'transfer-submit').click();
  await dialog.waitFor({ state: 'hidden' });

  // the customer sees who is with them now
  await waitText(wid, 'agent-name', to.name);
  await waitMessages(wid, [`${from.name} transferred you to ${to.name}`, `${to.name} joined the conversation`]);
  // the new agent has it, with the note
  await b.locator(`[data-testid="conv-tab"][data-conv="${conv}"]`).waitFor({ state: 'visible', timeout: 20000 });
  await b.locator(`[data-testid="conv-tab"][data-conv="${conv}"]`).click();
  await waitMessages(b, [`Customer on Live, over to you ${tag}`, `${from.name} transferred the conversation to you`]);
  await eventually(async () => {
    const load = await b.locator(`[data-testid="agent-item"][data-agent="${to.sub}"] [data-testid="agent-load"]`).textContent({ timeout: 1000 });
    assert.match(load, /^1\//);
  }, { what: `${to.name}'s load to show 1` });
  // and can answer
  const reply = `Hi, ${to.name} here ${tag}`;
  await byTestId(b, 'composer').fill(reply);
  await byTestId(b, 'send').click();
  await waitMessages(wid, [reply]);
  await screenshot(wid, 'widget-transfer');
  await screenshot(b, 'console-after-transfer');
  assertNoPageErrors(wid, a, b);

  // clean up: nobody assigned or online for the next test
  await endChat(wid);
  await setPresence(a, from.sub, 'offline');
  await setPresence(b, to.sub, 'offline');
  await a.context().close();
  await b.context().close();
});

// The offer cards the console shows, as "conv:state:reason", each change once.
async function recordOfferCards(con) {
  await con.evaluate(() => {
    window.__offerStates = [];
    const seen = () => {
      for (const el of document.querySelectorAll('[data-testid="offer"]')) {
        const s = `${el.dataset.conv}:${el.dataset.state}:${el.dataset.reason || ''}`;
        if (!window.__offerStates.includes(s)) window.__offerStates.push(s);
      }
    };
    new MutationObserver(seen).observe(document.getElementById('offers'), { subtree: true, childList: true, attributes: true });
  });
}

test('an offer left to run out says so and comes back; an admin takes the chat over', { timeout: 180000 }, async () => {
  const tag = uid('takeover');
  const ed = agent(uid('agent'), { name: `Ed Agent ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ed);
  await recordOfferCards(con);
  const cu = customer(uid('cust'), { name: `Una Gold ${tag}`, tier: 'gold' });
  const wid = await widgetPage(cu);
  const { conv } = await openChat(wid, `Takeover test ${tag}`);

  // offered, left alone: it runs out (the card says so), and, with nobody
  // else online, is offered again
  await offerCard(con, conv).waitFor({ state: 'visible', timeout: 20000 });
  await eventually(async () => {
    const states = await con.evaluate(() => window.__offerStates);
    assert.ok(states.includes(`${conv}:withdrawn:expired`), `cards seen: ${JSON.stringify(states)}`);
  }, { what: 'the offer to run out', timeout: 30000, interval: 200 });
  await offerCard(con, conv).waitFor({ state: 'visible', timeout: 30000 });
  await offerCard(con, conv).getByTestId('offer-accept').click();
  await waitText(wid, 'agent-name', ed.name);

  // an admin opens it from the queue and takes it over, with a note
  const ada = agent(uid('admin'), { name: `Ada Admin ${tag}`, role: 'admin' });
  const adm = await openConsole(env.b, env.stack.http, ada);
  await setPresence(adm, ada.sub, 'away');
  const item = adm.locator(`[data-testid="queue-item"][data-conv="${conv}"]`);
  await item.waitFor({ state: 'visible' });
  assert.equal(await item.getAttribute('data-status'), 'assigned');
  await item.locator('.qi-open').click();
  assert.equal(await byTestId(adm, 'transfer').count(), 1, 'an admin may transfer it too');
  await byTestId(adm, 'takeover').click();
  await byTestId(adm, 'transfer-dialog').waitFor({ state: 'visible' });
  assert.equal(await adm.locator('#transfer-to').isHidden(), true, 'no target to pick for a takeover');
  await byTestId(adm, 'transfer-note').fill(`Taking this one ${tag}`);
  await byTestId(adm, 'transfer-submit').click();
  await byTestId(adm, 'transfer-dialog').waitFor({ state: 'hidden' });

  await waitText(wid, 'agent-name', ada.name);
  await waitMessages(wid, [`${ada.name} took over from ${ed.name}`]);
  await waitMessages(con, [`You left: taken over by ${ada.name}`]);
  await waitMessages(adm, [`Taking this one ${tag}`]);
  // Ed may no longer reply; Ada may
  await eventually(async () => assert.equal(await byTestId(con, 'send').isDisabled(), true), { what: "Ed's Send to be disabled" });
  const reply = `Ada here ${tag}`;
  await byTestId(adm, 'composer').fill(reply);
  await byTestId(adm, 'send').click();
  await waitMessages(wid, [reply]);
  await screenshot(wid, 'widget-takeover');
  await screenshot(adm, 'console-takeover');
  assertNoPageErrors(wid, con, adm);

  await endChat(wid);
  await setPresence(con, ed.sub, 'offline');
  await setPresence(adm, ada.sub, 'offline');
});

test('chat closing while the form is filled: what was typed stays, and goes as a message left for the opening', { timeout: 120000 }, async () => {
  const tag = uid('closing');
  const cu = customer(uid('cust'), { name: `Sid Silver ${tag}`, tier: 'silver' });
  const wid = await env.b.page(`widget ${cu.name}`);
  // the availability answer says open (as it would a moment before chat
  // closes); everything else passes through to chatd unchanged
  const sent = [];
  await wid.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      try { sent.push(JSON.parse(m)); } catch { /* not JSON */ }
      server.send(m);
    });
    server.onMessage((m) => {
      try {
        const f = JSON.parse(m);
        if (f.type === 'availability') m = JSON.stringify({ ...f, open: true, opens_at: null });
      } catch { /* not JSON */ }
      ws.send(m);
    });
  });
  env.shots.push([wid, 'widget-closed-meanwhile']);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  await openWidget(wid);
  await waitText(wid, 'open-submit', 'Start conversation');
  const summary = `Site is down ${tag}`;
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await visible(wid.locator('[name="errors"]')).fill('502 Bad Gateway');
  await byTestId(wid, 'open-submit').click();

  // refused outside_hours: the form stays as typed and offers to leave it
  await waitText(wid, 'open-submit', 'Leave a message');
  await wid.getByRole('alert').filter({ hasText: 'Chat has just closed' }).waitFor({ state: 'visible' });
  assert.equal(await visible(wid.locator('[name="summary"]')).inputValue(), summary);
  assert.equal(await visible(wid.locator('[name="errors"]')).inputValue(), '502 Bad Gateway');
  await byTestId(wid, 'opens-at').first().waitFor({ state: 'visible' });
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'held').first().waitFor({ state: 'visible' });

  const opens = sent.filter((f) => f.type === 'open');
  assert.equal(opens.length, 2, `two opens: ${JSON.stringify(opens)}`);
  assert.equal(opens[0].leave_message, undefined);
  assert.equal(opens[1].leave_message, true);
  assert.deepEqual(opens[1].details, opens[0].details);
  assert.notEqual(opens[1].client_id, opens[0].client_id, 'a new open, not a retry of the refused one');
  assertNoPageErrors(wid);
});

// What an older server does with the frames support packages added: it
// answers them unknown_type and sends none of its own.
const NEW_REQUESTS = new Set(['availability', 'presence', 'agents', 'accept', 'decline', 'transfer', 'takeover']);
const NEW_PUSHES = new Set(['queue', 'offer', 'agent']);
function asOlderServer(page) {
  return page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => {
      let f;
      try { f = JSON.parse(m); } catch { return server.send(m); }
      if (NEW_REQUESTS.has(f.type)) {
        ws.send(JSON.stringify({ type: 'error', id: f.id, code: 'unknown_type', message: `unknown type ${f.type}`, retryable: false }));
        return;
      }
      server.send(m);
    });
    server.onMessage((m) => {
      try { if (NEW_PUSHES.has(JSON.parse(m).type)) return; } catch { /* not JSON */ }
      ws.send(m);
    });
  });
}

test('against an older server (unknown_type) both apps work as before, without routing', { timeout: 120000 }, async () => {
  const tag = uid('older');
  const ag = agent(uid('agent'), { name: `Oda Agent ${tag}` });
  const con = await env.b.page('console (older server)');
  await asOlderServer(con);
  env.shots.push([con, 'console-older-server']);
  await con.goto(`${env.stack.http}/console/#token=${token(ag)}`);
  await waitText(con, 'me', ag.name);
  const cu = customer(uid('cust'), { name: `Ola Gold ${tag}`, tier: 'gold' });
  const wid = await env.b.page('widget (older server)');
  await asOlderServer(wid);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);

  await openWidget(wid);
  await waitText(wid, 'open-submit', 'Start conversation');
  assert.equal(await byTestId(wid, 'availability').count(), 0, 'no availability notice');
  assert.equal(await visible(wid.locator('[name="topic"]')).count(), 0, 'no topic picker');
  const summary = `Older server ${tag}`;
  await visible(wid.locator('[name="summary"]')).fill(summary);
  await byTestId(wid, 'open-submit').click();
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });

  // the console: no presence, agents or offers; claiming works
  const item = visible(con.getByTestId('queue-item').filter({ hasText: summary }));
  await item.waitFor({ state: 'visible' });
  assert.equal(await byTestId(con, 'presence').count(), 0, 'no presence selector');
  assert.equal(await byTestId(con, 'agents').count(), 0, 'no agents panel');
  assert.equal(await byTestId(con, 'offers').count(), 0, 'no offers');
  await item.getByTestId('claim').click();
  await con.locator('[data-testid="conv-tab"]').filter({ hasText: cu.name }).click();
  await waitText(wid, 'agent-name', ag.name);
  assert.equal(await byTestId(con, 'transfer').count(), 0, 'no transfer');
  assert.equal(await byTestId(wid, 'queue-position').count(), 0, 'no place in line');
  const reply = `Hello from an older server ${tag}`;
  await byTestId(con, 'composer').fill(reply);
  await byTestId(con, 'send').click();
  await waitMessages(wid, [reply]);
  assertNoPageErrors(wid, con);
  await endChat(wid);
});
