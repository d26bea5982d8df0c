// Hostile text stays text: script, event-handler and javascript: payloads
// sent as message text, summary, details and display names (the token's
// name claim) are shown literally and run nothing in the widget or the
// console; http(s) links are clickable and open with rel=noopener. The same
// through the Markdown agents may write (web/lib/markdown.js): links to
// other schemes stay text, markup inside bold, code, lists and link text is
// text, and only the formatting elements are made.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowserStack, token, uid, customer, agent, visible,
  openConversation, send, claim, openConsole, waitText, waitMessages,
  chatMessages, assertNoPageErrors,
} from './lib.mjs';

const P = {
  script: '<script>window.__xss=1</script>',
  img: '<img src=x onerror="window.__xss=1">',
  svg: '<svg onload="window.__xss=1">',
  js: 'javascript:window.__xss=1',
  attr: '"><b>xss-bold</b>',
};

const env = useBrowserStack();

// What a payload would leave behind had it been parsed as HTML, anywhere in
// the document or its (open) shadow roots.
function inspect(page) {
  return page.evaluate(() => {
    const found = [];
    const links = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        const tag = el.localName;
        for (const a of el.attributes) {
          if (/^on/i.test(a.name) && a.value.includes('__xss')) found.push(`<${tag} ${a.name}="${a.value}">`);
        }
        if (tag === 'script' && el.textContent.includes('__xss')) found.push(`<script>${el.textContent}</script>`);
        if (tag === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
        if (tag === 'b' && el.textContent.includes('xss-bold')) found.push('<b>xss-bold</b>');
        if (tag === 'a' && el.hasAttribute('href')) {
          const href = el.getAttribute('href');
          links.push({ href, rel: el.getAttribute('rel') || '', text: el.textContent });
          // eslint-disable-next-line no-control-regex
          if (/^javascript:/i.test(href.replace(/[\u0000-\u0020]/g, ''))) found.push(`<a href="${href}">`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return { xss: window.__xss, found, links };
  });
}

test('script, handler and javascript: payloads stay inert text in both apps; http(s) links open with noopener', { timeout: 180000 }, async () => {
  const tag = uid('xss');
  const agentName = `${P.script}${P.svg} Bo`;
  const customerName = `${P.img}${P.attr} Ann`;
  const ag = agent(uid('agent'), { name: agentName });
  const cu = customer(uid('cust'), { name: customerName });

  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await env.b.page('widget');
  env.shots.push([wid, 'widget-xss'], [con, 'console-xss']);
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);

  const summary = `${P.img} ${P.svg} ${P.attr} ${P.script} ${tag}`;
  const steps = `${P.script}\n${P.js}\n${P.attr}`;
  const errors = `${P.img} ${P.svg} ${P.js}`;
  await openConversation(wid, { summary, steps, errors });
  await claim(con, summary);

  // Names and details are shown, as text.
  await waitText(wid, 'agent-name', agentName);
  await waitText(con, 'me', agentName);
  await visible(con.getByText(customerName)).first().waitFor({ state: 'visible' });
  await waitText(con, 'context', errors);

  // Every payload as a message from each side, and links.
  const fromCustomer = Object.entries(P).map(([k, v]) => `${v} c-${k}`);
  const fromAgent = Object.entries(P).map(([k, v]) => `${v} a-${k}`);
  const jsAlone = P.js;
  const links = `docs: https://example.com/kb/502?a=1&b=2 and http://example.org/status now ${tag}`;
  for (const t of [...fromCustomer, jsAlone]) await send(wid, t);
  await waitMessages(con, [...fromCustomer, jsAlone]);
  for (const t of [...fromAgent, links]) await send(con, t);
  const all = [...fromCustomer, jsAlone, ...fromAgent, links];
  await waitMessages(wid, all);
  await waitMessages(con, all);

  for (const [app, page] of [['widget', wid], ['console', con]]) {
    // The texts are exactly what was sent (waitMessages compares whole texts).
    const msgs = await chatMessages(page);
    for (const t of all) assert.equal(msgs.filter((m) => m.text === t).length, 1, `${app} shows ${JSON.stringify(t)} once`);

    // No element from any payload, and no javascript: link.
    const r = await inspect(page);
    assert.equal(r.xss, undefined, `${app}: window.__xss was set`);
    assert.deepEqual(r.found, [], `${app}: elements created from payloads`);

    // Only the http(s) URLs became links, each with rel noopener.
    const linkMsg = visible(page.getByTestId('message-text').filter({ hasText: 'https://example.com/kb/502' }));
    const anchors = await linkMsg.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel') || '', text: a.textContent })));
    assert.deepEqual(anchors.map((a) => a.href).sort(), ['http://example.org/status', 'https://example.com/kb/502?a=1&b=2'],
      `${app}: the links in ${JSON.stringify(links)}: ${JSON.stringify(anchors)}`);
    for (const a of anchors) {
      assert.ok(a.rel.split(/\s+/).includes('noopener'), `${app}: link ${a.href} has rel ${JSON.stringify(a.rel)}, want noopener`);
      assert.equal(a.text, a.href, `${app}: a link shows its URL`);
    }
    for (const a of r.links) {
      if (/^https?:/i.test(a.href)) assert.ok(a.rel.split(/\s+/).includes('noopener'), `${app}: link ${a.href} has rel ${JSON.stringify(a.rel)}, want noopener`);
    }

    // The javascript: text is not a link, and clicking it runs nothing.
    const jsMsg = visible(page.getByTestId('message-text').filter({ hasText: /^javascript:window\.__xss=1$/ }));
    assert.equal(await jsMsg.locator('a').count(), 0, `${app}: javascript: text became a link`);
    await jsMsg.click();
    assert.equal(await page.evaluate(() => window.__xss), undefined, `${app}: window.__xss was set by a click`);
  }

  // A last round trip, so that anything a payload scheduled has had its turn.
  const last = `last ${tag}`;
  await send(con, last);
  await waitMessages(wid, [last]);
  for (const [app, page] of [['widget', wid], ['console', con]]) {
    const r = await inspect(page);
    assert.equal(r.xss, undefined, `${app}: window.__xss was set`);
    assert.deepEqual(r.found, [], `${app}: elements created from payloads`);
  }
  assertNoPageErrors(wid, con);
});

// Markdown from an agent, as sent and as it must read (textContent: the
// markers gone, the raw markup all there).
const MD = [
  ['[x](javascript:window.__xss=1)', '[x](javascript:window.__xss=1)'],
  ['[x](JaVaScRiPt:window.__xss=1)', '[x](JaVaScRiPt:window.__xss=1)'],
  ['[x](  javascript:window.__xss=1  )', '[x](  javascript:window.__xss=1  )'],
  ['[x](java\tscript:window.__xss=1)', '[x](java\tscript:window.__xss=1)'],
  ['[x](&#106;avascript:window.__xss=1)', '[x](&#106;avascript:window.__xss=1)'],
  ['[x](&#x6A;&#x61;vascript&colon;window.__xss=1)', '[x](&#x6A;&#x61;vascript&colon;window.__xss=1)'],
  ['[x](\\javascript:window.__xss=1)', '[x](\\javascript:window.__xss=1)'],
  ['[x](\\:javascript:window.__xss=1)', '[x](:javascript:window.__xss=1)'],
  ['[x](%6Aavascript:window.__xss=1)', '[x](%6Aavascript:window.__xss=1)'],
  ['[x](data:text/html,<script>window.__xss=1</script>)', '[x](data:text/html,<script>window.__xss=1</script>)'],
  ['[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)', '[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)'],
  ['[x](vbscript:msgbox(1))', '[x](vbscript:msgbox(1))'],
  [`**${P.img}**`, P.img],
  [`*${P.svg}*`, P.svg],
  [`\`${P.script}\``, P.script],
  [`\`\`\`html\n${P.script}\n${P.img}\n\`\`\``, `${P.script}\n${P.img}`],
  [`- ${P.img}\n- **${P.svg}**`, `${P.img}\n${P.svg}`],
  [`[${P.img}](https://example.com/md-img)`, P.img],
  [`[**${P.attr}**](https://example.com/md-attr)`, '"><b>xss-bold</b>'],
  ['[a](https://example.com/md-quote"onmouseover="window.__xss=1)', 'a'],
  ['](javascript:window.__xss=1) [a](javascript:window.__xss=1)](https://example.com/md-trick)', '](javascript:window.__xss=1) [a](javascript:window.__xss=1)](https://example.com/md-trick)'],
  ['[a](https://example.com/md-nest [b](javascript:window.__xss=1))', '[a](https://example.com/md-nest [b](javascript:window.__xss=1))'],
  ['[[x](javascript:window.__xss=1)](https://example.com/md-outer)', '[x](javascript:window.__xss=1)'],
  ['![x](https://example.com/md.png) <img src=x onerror="window.__xss=1">', '![x](https://example.com/md.png) <img src=x onerror="window.__xss=1">'],
];
const ALLOWED = ['strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'p', 'br', 'a'];

test('Markdown from an agent: links to other schemes, markup in bold, code, lists and link text stay inert text in both apps', { timeout: 180000 }, async () => {
  const tag = uid('xss-md');
  const ag = agent(uid('agent'), { name: `Bo ${tag}` });
  const cu = customer(uid('cust'), { name: `Ann ${tag}` });
  const con = await openConsole(env.b, env.stack.http, ag);
  const wid = await env.b.page('widget');
  env.shots.push([wid, 'widget-xss-markdown'], [con, 'console-xss-markdown']);
  const dialogs = [];
  for (const page of [wid, con]) page.on('dialog', (d) => (dialogs.push(`${page.appName}: ${d.message()}`), d.dismiss().catch(() => {})));
  await wid.goto(`${env.stack.http}/demo/#token=${token(cu)}`);
  const summary = `Markdown ${tag}`;
  await openConversation(wid, { summary });
  await claim(con, summary);
  await waitText(wid, 'agent-name', ag.name);

  // each message ends with its own mark, on a line of its own
  const sent = MD.map(([md], k) => `${md}\nmd-${k} ${tag}`);
  const expect = MD.map(([, text], k) => `${text}\nmd-${k} ${tag}`);
  for (const t of sent) await send(con, t);
  // the same from the customer: as typed, nothing formatted
  const fromCustomer = sent.slice(0, 3).map((t) => `${t} from-customer`);
  for (const t of fromCustomer) await send(wid, t);
  await waitMessages(wid, [...expect, ...fromCustomer]);
  await waitMessages(con, [...expect, ...fromCustomer]);

  for (const [app, page] of [['widget', wid], ['console', con]]) {
    const r = await inspect(page);
    assert.equal(r.xss, undefined, `${app}: window.__xss was set`);
    assert.deepEqual(r.found, [], `${app}: elements created from payloads`);

    const shown = await page.getByTestId('message-text').evaluateAll((els) => els.map((el) => ({
      text: el.textContent,
      els: [...el.querySelectorAll('*')].map((e) => ({ tag: e.localName, attrs: [...e.attributes].map((a) => `${a.name}=${a.value}`), href: e.getAttribute('href') })),
    })));
    for (const [k, want] of expect.entries()) {
      const m = shown.filter((s) => s.text.trim() === want);
      assert.equal(m.length, 1, `${app} shows ${JSON.stringify(want)} once`);
      for (const e of m[0].els) {
        assert.ok(ALLOWED.includes(e.tag), `${app}: <${e.tag}> in ${JSON.stringify(sent[k])}`);
        for (const a of e.attrs) assert.ok(/^(href|target|rel|start)=/.test(a), `${app}: attribute ${a} on <${e.tag}> in ${JSON.stringify(sent[k])}`);
        if (e.tag === 'a') assert.match(e.href, /^https:\/\/example\.com\//, `${app}: a link in ${JSON.stringify(sent[k])}`);
      }
    }
    for (const want of fromCustomer) {
      const m = shown.filter((s) => s.text.trim() === want);
      assert.equal(m.length, 1, `${app} shows the customer's ${JSON.stringify(want)} once, as typed`);
      assert.deepEqual(m[0].els, [], `${app}: the customer's text is not formatted`);
    }

    // clicking every link and javascript: text runs nothing; links open in a new tab
    for (const a of await visible(page.getByTestId('message-text').filter({ hasText: tag })).locator('a').all()) {
      assert.equal(await a.getAttribute('target'), '_blank');
      assert.equal(await a.getAttribute('rel'), 'noopener noreferrer');
    }
    for (const k of [0, 1, 2, 4]) {
      await visible(page.getByTestId('message-text').filter({ hasText: `md-${k} ${tag}` })).first().click();
    }
    assert.equal(await page.evaluate(() => window.__xss), undefined, `${app}: window.__xss was set by a click`);
  }

  // a last round trip, so that anything a payload scheduled has had its turn
  const last = `last ${tag}`;
  await send(con, last);
  await waitMessages(wid, [last]);
  for (const [app, page] of [['widget', wid], ['console', con]]) {
    const r = await inspect(page);
    assert.equal(r.xss, undefined, `${app}: window.__xss was set`);
    assert.deepEqual(r.found, [], `${app}: elements created from payloads`);
  }
  assert.deepEqual(dialogs, [], 'a dialog opened');
  assertNoPageErrors(wid, con);
});
