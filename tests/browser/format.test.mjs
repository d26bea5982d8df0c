// Markdown in agents' messages, as both apps show it (web/lib/markdown.js):
// bold, italic, code, lists, code blocks and links become elements, and
// message-text reads as the visible text; a code block keeps its spaces and
// scrolls inside itself; a 300-character link wraps with no horizontal
// overflow; a customer's Markdown stays as typed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  useBrowserStack, token, uid, customer, agent, visible,
  openConversation, send, claim, openConsole, waitText, waitMessages, assertNoPageErrors, ARTIFACTS,
} from './lib.mjs';

const env = useBrowserStack();

// The message-text element showing text (a substring of its textContent).
const textEl = (page, text) => visible(page.getByTestId('message-text').filter({ hasText: text })).first();

// What the element holds: its elements' tags, and the layout facts the test
// checks.
function shape(loc) {
  return loc.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const pre = el.querySelector('pre');
    const a = el.querySelector('a');
    const log = el.closest('[data-testid="messages"]');
    return {
      tags: [...el.querySelectorAll('*')].map((e) => e.localName),
      text: el.textContent,
      height: box.height,
      width: box.width,
      pre: pre && { text: pre.textContent, whiteSpace: getComputedStyle(pre).whiteSpace, scrollWidth: pre.scrollWidth, clientWidth: pre.clientWidth, overflowX: getComputedStyle(pre).overflowX, right: pre.getBoundingClientRect().right },
      a: a && { width: a.getBoundingClientRect().width, right: Math.max(...[...a.getClientRects()].map((r) => r.right)), href: a.getAttribute('href'), rel: a.getAttribute('rel'), target: a.getAttribute('target') },
      right: box.right,
      log: log && { scrollWidth: log.scrollWidth, clientWidth: log.clientWidth, right: log.getBoundingClientRect().right },
      page: { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth },
    };
  });
}

test('agents format with Markdown; code blocks keep spaces and scroll inside; long links wrap; customers stay plain', { timeout: 180000 }, async () => {
  const tag = uid('md');
  const ag = agent(uid('agent'), { name: `Bo ${tag}` });
  const cu = customer(uid('cust'), { name: `Ann ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await env.b.page('widget');
  env.shots.push([wid, 'widget-markdown'], [con, 'console-markdown']);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  const summary = `Formatting ${tag}`;
  await openConversation(wid, { summary });
  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);

  const rich = [
    `Please **stop** the *cron* job with \`wp cron event list\` ${tag}-rich:`,
    '1. open **Site settings**',
    '2. then run:',
    '```bash',
    '  terminus  env:clear-cache   site.live',
    '    # four spaces',
    '```',
    'See [the docs](https://docs.example.com/cache) or https://status.example.com/ now.',
  ].join('\n');
  const richShown = [
    `Please stop the cron job with wp cron event list ${tag}-rich:`,
    'open Site settings',
    'then run:',
    '  terminus  env:clear-cache   site.live',
    '    # four spaces',
    'See the docs or https://status.example.com/ now.',
  ].join('\n');
  const plain = `line one ${tag}-plain\nline two\n\nafter a blank line`;
  const listed = `before ${tag}-list\n- a\n- b\nafter`;
  const lines = `before ${tag}-lines\na\nb\nafter`;
  const longUrl = `https://example.com/${'a1b2c3d4e5'.repeat(28)}`;
  const long = `${tag}-long ${longUrl}`;
  const wideCode = `${tag}-wide\n\`\`\`\n${'x'.repeat(300)}\n\`\`\``;
  const fromCustomer = `**not bold** _nor this_ \`nor code\` ${tag}-cust`;

  for (const t of [rich, plain, listed, lines, long, wideCode]) await send(con, t);
  await send(wid, fromCustomer);
  const shown = [richShown, plain, `before ${tag}-list\na\nb\nafter`, lines, long, `${tag}-wide\n${'x'.repeat(300)}`, fromCustomer];
  await waitMessages(wid, shown);
  await waitMessages(con, shown);

  for (const [app, page] of [['widget', wid], ['console', con]]) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await textEl(page, `${tag}-rich`).screenshot({ path: join(ARTIFACTS, `${app}-markdown-message.png`) });
    const r = await shape(textEl(page, `${tag}-rich`));
    assert.equal(r.text, richShown, `${app}: textContent is the visible text`);
    assert.deepEqual(r.tags, ['strong', 'em', 'code', 'ol', 'li', 'strong', 'li', 'pre', 'code', 'a', 'a'], `${app}: the elements`);
    assert.equal(r.pre.whiteSpace, 'pre', `${app}: the code block keeps its spaces`);
    assert.equal(r.pre.text, '  terminus  env:clear-cache   site.live\n    # four spaces\n');
    assert.deepEqual([r.a.href, r.a.rel, r.a.target], ['https://docs.example.com/cache', 'noopener noreferrer', '_blank']);
    const preText = await textEl(page, `${tag}-rich`).locator('pre').innerText();
    assert.ok(preText.includes('  terminus  env:clear-cache   site.live\n    # four spaces'), `${app}: the code block shows its spaces: ${JSON.stringify(preText)}`);

    // no Markdown: as typed, no elements
    const p = await shape(textEl(page, `${tag}-plain`));
    assert.deepEqual([p.text, p.tags], [plain, []], `${app}: plain text`);

    // a list's line breaks take no more room than the same lines unformatted
    const l = await shape(textEl(page, `${tag}-list`));
    const n = await shape(textEl(page, `${tag}-lines`));
    assert.deepEqual(l.tags, ['ul', 'li', 'li']);
    assert.ok(Math.abs(l.height - n.height) < 6, `${app}: a list of two between two lines is ${l.height}px high, four plain lines ${n.height}px`);

    // the long link wraps inside its bubble; nothing scrolls sideways
    const g = await shape(textEl(page, `${tag}-long`));
    assert.equal(g.a.href, longUrl);
    assert.ok(g.a.right <= g.right + 1, `${app}: the link ends at ${g.a.right}, its bubble at ${g.right}`);
    assert.ok(g.log.scrollWidth <= g.log.clientWidth, `${app}: the messages scroll sideways (${g.log.scrollWidth} > ${g.log.clientWidth})`);
    assert.ok(g.page.scrollWidth <= g.page.innerWidth, `${app}: the page scrolls sideways (${g.page.scrollWidth} > ${g.page.innerWidth})`);

    // a wide code block scrolls inside itself only
    const w = await shape(textEl(page, `${tag}-wide`));
    assert.ok(w.pre.scrollWidth > w.pre.clientWidth, `${app}: the wide code block is cut (${w.pre.scrollWidth} <= ${w.pre.clientWidth})`);
    assert.equal(w.pre.overflowX, 'auto');
    assert.ok(w.pre.right <= w.log.right, `${app}: the code block ends at ${w.pre.right}, past the messages at ${w.log.right}`);
    assert.ok(w.log.scrollWidth <= w.log.clientWidth, `${app}: the messages scroll sideways (${w.log.scrollWidth} > ${w.log.clientWidth})`);
    assert.ok(w.page.scrollWidth <= w.page.innerWidth, `${app}: the page scrolls sideways`);

    // the customer's Markdown is shown as typed
    const c = await shape(textEl(page, `${tag}-cust`));
    assert.deepEqual([c.text, c.tags], [fromCustomer, []], `${app}: the customer's text`);
  }
  await visible(con.locator('#composer-format')).waitFor({ state: 'visible' });
  assertNoPageErrors(wid, con);
});
