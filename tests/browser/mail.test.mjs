// Email in the browser, against a real chatd that mails through a real SMTP
// server (aiosmtpd, tests/integration/smtpsink.mjs) and a real Redis: the
// customer asks for the transcript in the widget and it arrives, once; a
// customer without an address is told so; agents have no such button.
// A reply to the transcript mail, through chatd mail-ingest, reopens the
// conversation and shows in both apps as a message that came by email.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Sink } from '../integration/smtpsink.mjs';
import { runIngest, replyTo } from '../integration/mailtools.mjs';
import {
  useBrowserStack, token, uid, customer, agent, byTestId, eventually,
  openConversation, send, claim, openConsole, waitText, waitMessages, readMessages,
  waitConnection, assertNoPageErrors,
} from './lib.mjs';

const DOMAIN = 'reply.chat.test';
const REPLY_KEYS = `1:${randomBytes(32).toString('hex')}`;
const sink = new Sink();
after(() => sink.proc && sink.stop());

// chatd mails through the sink, started first; notifications of unread
// replies wait longer than any test here, so only transcripts are mailed.
const env = useBrowserStack({
  args: async () => {
    await sink.start();
    return ['--smtp-url', `smtp://127.0.0.1:${sink.port}`, '--reply-domain', DOMAIN,
      '--reply-keys', REPLY_KEYS, '--mail-from', `chat@${DOMAIN}`,
      '--notify-delay-s', '3600', '--outbox-scan-ms', '100'];
  },
});

// The mails to addr, their quoted-printable parts decoded enough to find
// ASCII text in them.
const unqp = (s) => s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, x) => String.fromCharCode(parseInt(x, 16)));
const mailsTo = (addr) => sink.lines.filter((l) => l.rcpts.includes(addr))
  .map((l) => ({ ...l, text: unqp(Buffer.from(l.data, 'base64').toString('utf8')) }));

// Nothing waits in the server's mail queue, nothing is taken and unsent.
function queueEmpty() {
  const r = env.stack.redis;
  return r.cli('XLEN', '{m}:q') === '0' && /^0\b/.test(r.cli('XPENDING', '{m}:q', 'mailer'));
}

const lastSeq = async (page) => Math.max(...(await readMessages(page)).map((m) => m.seq || 0));

async function customerPage(cu) {
  const wid = await env.b.page('widget');
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  return wid;
}

// The transcript row's height and the messages' box, to see nothing moved.
const layout = (page) => page.evaluate(() => {
  const root = document.querySelector('chatd-widget').shadowRoot;
  const box = (sel) => root.querySelector(sel).getBoundingClientRect();
  return { row: box('.mailrow').height, list: box('[data-testid="messages"]').height };
});

test('the customer emails themselves the transcript: it arrives once; asked again, it is on its way', { timeout: 120000 }, async () => {
  const tag = uid('mail');
  const email = `${uid('ann')}@customer.test`;
  const cu = customer(uid('cust'), { name: `Ann ${tag}`, email });
  const ag = agent(uid('agent'), { name: `Bo ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await customerPage(cu);
  env.shots.push([wid, 'widget-transcript']);
  const summary = `Checkout returns 502 ${tag}`;
  await openConversation(wid, { summary });
  await claim(con, summary);
  const hello = `The checkout page shows a 502 ${tag}`;
  const reply = `Looking at it now ${tag}`;
  await send(wid, hello);
  await send(con, reply);
  await waitMessages(wid, [hello, reply]);

  const btn = byTestId(wid, 'transcript');
  assert.equal(await btn.evaluate((el) => el.tagName), 'BUTTON');
  assert.equal(await btn.textContent(), 'Email me the transcript');
  assert.equal(await wid.getByTestId('transcript-status').getAttribute('aria-live'), 'polite');
  assert.equal(await con.getByTestId('transcript').count(), 0, 'agents have no transcript button');
  const before = await layout(wid);
  await btn.click();
  await waitText(wid, 'transcript-status', "We've sent the transcript to your email address.");
  assert.deepEqual(await layout(wid), before, 'the status line appears without moving anything');

  await eventually(() => assert.equal(mailsTo(email).length, 1), { what: 'the transcript mail' });
  const [mail] = mailsTo(email);
  assert.ok(mail.text.includes(hello), 'the customer\'s message is in the mail');
  assert.ok(mail.text.includes(reply), 'the agent\'s reply is in the mail');

  // Again from the keyboard, nothing new since: on its way, no second mail.
  await btn.focus();
  await wid.keyboard.press('Enter');
  await waitText(wid, 'transcript-status', 'The transcript is already on its way.');
  await eventually(() => assert.ok(queueEmpty(), 'the mail queue is empty'), { what: 'the mail queue to drain' });
  assert.equal(mailsTo(email).length, 1, 'asked again with nothing new, nothing more is sent');

  // Closed, the action stays (the close mails a transcript of its own).
  await byTestId(wid, 'close-conversation').click();
  await byTestId(wid, 'close-conversation').click();
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await btn.click();
  await waitText(wid, 'transcript-status', "We've sent the transcript to your email address.");
  await eventually(() => assert.equal(mailsTo(email).length, 3), { what: 'the mail on close and the one asked for' });

  // Loaded again, the closed conversation is read from history: the action
  // is there, and with nothing new since, nothing more is sent.
  await wid.reload();
  await byTestId(wid, 'launcher').click();
  await byTestId(wid, 'history-item').first().click();
  await byTestId(wid, 'transcript').click();
  await waitText(wid, 'transcript-status', 'The transcript is already on its way.');
  await eventually(() => assert.ok(queueEmpty(), 'the mail queue is empty'), { what: 'the mail queue to drain' });
  assert.equal(mailsTo(email).length, 3);
  assertNoPageErrors(wid, con);
  await con.context().close();
});

test('a customer with no email address is told so, and the action is disabled', { timeout: 60000 }, async () => {
  const tag = uid('nomail');
  const wid = await customerPage(customer(uid('cust'), { name: `Cy ${tag}` }));
  env.shots.push([wid, 'widget-no-email']);
  await openConversation(wid, { summary: `No address ${tag}` });
  const btn = byTestId(wid, 'transcript');
  await btn.click();
  await waitText(wid, 'transcript-status', "We can't email this conversation: we have no email address for it.");
  assert.equal(await btn.getAttribute('aria-disabled'), 'true');
  assert.equal(await byTestId(wid, 'transcript-status').getAttribute('data-outcome'), 'no_email');
  // still focusable (aria-disabled, not disabled), and it asks nothing more
  await btn.focus();
  assert.equal(await btn.evaluate((el) => el.getRootNode().activeElement === el), true);
  await wid.keyboard.press('Enter');
  assert.equal(await byTestId(wid, 'transcript-status').getAttribute('data-outcome'), 'no_email');
  assertNoPageErrors(wid);
});

test('a conversation reopened by an email reply, and a message that came by email, in both apps', { timeout: 120000 }, async () => {
  const tag = uid('reopen');
  const cu = customer(uid('cust'), { name: `Di ${tag}`, email: `${uid('di')}@customer.test` });
  const ag = agent(uid('agent'), { name: `Ed ${tag}` });
  const con = await env.b.page('console');
  await con.goto(`${env.stack.http}/console/#token=${token(ag)}`);
  await waitConnection(con, (s) => s === 'online', 'online');
  const wid = await customerPage(cu);
  env.shots.push([wid, 'widget-email-reply'], [con, 'console-email-reply']);
  const summary = `Site down ${tag}`;
  await openConversation(wid, { summary });
  const conv = await claim(con, summary);
  await byTestId(wid, 'close-conversation').click();
  await byTestId(wid, 'close-conversation').click();
  await wid.getByText('This conversation is closed.').waitFor({ state: 'visible' });
  await eventually(async () => assert.equal((await readMessages(con)).at(-1).kind, 'closed'), { what: 'the console to show the close' });

  // The customer answers the transcript by email.
  const seq = await lastSeq(wid);
  assert.equal(seq, await lastSeq(con));
  await eventually(() => assert.equal(mailsTo(cu.email).length, 1), { what: 'the transcript mail' });
  const [sent] = sink.lines.filter((l) => l.rcpts.includes(cu.email)).map((l) => ({ data: Buffer.from(l.data, 'base64') }));
  const text = `Still down, replying by mail ${tag}`;
  const r = await runIngest(replyTo(sent, { from: cu.email, fromName: cu.name, text, messageId: `<${tag}@customer.test>` }),
    { redisUrl: env.stack.redis.url, replyKeys: REPLY_KEYS, domain: DOMAIN });
  assert.equal(r.code, 0, r.err);
  assert.equal(r.json.outcome, 'appended');
  assert.equal(r.json.reopened, true);

  for (const page of [wid, con]) {
    const msgs = await waitMessages(page, [text]);
    const reopened = msgs.find((m) => m.seq === seq + 1);
    assert.equal(reopened?.kind, 'reopened', `${page.appName} shows the reopening as a line: ${JSON.stringify(msgs)}`);
    assert.match(reopened.text, /^Conversation reopened by an email reply/);
    const mark = page.locator(`[data-testid="message"][data-seq="${seq + 2}"] [data-testid="via-email"]`);
    assert.equal(await mark.textContent(), 'via email', `${page.appName} marks the message as came by email`);
    assert.equal(await page.locator(`[data-testid="message"][data-seq="${seq}"] [data-testid="via-email"]`).count(), 0, 'chat messages carry no mark');
  }
  // The customer can write again: the composer is back, the chat not closed.
  await byTestId(wid, 'composer').waitFor({ state: 'visible' });
  assert.equal(await wid.getByText('This conversation is closed.').count(), 0);
  assertNoPageErrors(wid, con);
});
