// Markdown in agents' messages (web/lib/markdown.js), checked in Node: the
// parser's tree for each construct, markers left open staying literal,
// escapes, snake_case, links (parentheses, schemes other than http(s)), the
// work on pathological input bounded; and the renderer, on a small stand-in
// for the DOM: only the allowed elements, textContent the visible text.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parse, render, isFormatted, MAX_INPUT } from '../../web/lib/markdown.js';

const t = (value) => ({ type: 'text', value });
const para = (...children) => ({ type: 'para', children });
const inl = (s) => {
  const doc = parse(s);
  assert.equal(doc.children.length, 1, `${JSON.stringify(s)} is one block: ${JSON.stringify(doc.children)}`);
  assert.equal(doc.children[0].type, 'para');
  return doc.children[0].children;
};

// A stand-in for document: enough for render() and for reading back what
// it made.
class El {
  constructor(tag) {
    this.tag = tag;
    this.childNodes = [];
    this.attrs = {};
  }
  append(...c) {
    this.childNodes.push(...c);
  }
  setAttribute(k, v) {
    this.attrs[k] = v;
  }
  get textContent() {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  tags() {
    return this.childNodes.flatMap((c) => (c instanceof El ? [c.tag, ...c.tags()] : []));
  }
  find(tag) {
    return this.childNodes.flatMap((c) => (c instanceof El ? [...(c.tag === tag ? [c] : []), ...c.find(tag)] : []));
  }
}
const fakeDoc = {
  createElement: (tag) => new El(tag),
  createTextNode: (s) => ({ textContent: s }),
  createDocumentFragment: () => new El('#fragment'),
};
const shown = (s) => render(parse(s), fakeDoc);

test('bold, italic, code, both spellings', () => {
  assert.deepEqual(inl('**b** and __b__'), [{ type: 'strong', children: [t('b')] }, t(' and '), { type: 'strong', children: [t('b')] }]);
  assert.deepEqual(inl('*i* and _i_'), [{ type: 'em', children: [t('i')] }, t(' and '), { type: 'em', children: [t('i')] }]);
  assert.deepEqual(inl('run `npm ci` now'), [t('run '), { type: 'code', value: 'npm ci' }, t(' now')]);
  assert.deepEqual(inl('``a ` b``'), [{ type: 'code', value: 'a ` b' }], 'a longer fence holds a backtick');
  assert.deepEqual(inl('`**not bold** <b>`'), [{ type: 'code', value: '**not bold** <b>' }], 'nothing inside code');
  assert.deepEqual(inl('***both***'), [{ type: 'em', children: [{ type: 'strong', children: [t('both')] }] }]);
  assert.deepEqual(inl('*a **b** c*'), [{ type: 'em', children: [t('a '), { type: 'strong', children: [t('b')] }, t(' c')] }]);
});

test('snake_case and other inner underscores stay literal; * works inside words', () => {
  assert.deepEqual(inl('set max_upload_size and snake_case_names'), [t('set max_upload_size and snake_case_names')]);
  assert.deepEqual(inl('un*frigging*believable'), [t('un'), { type: 'em', children: [t('frigging')] }, t('believable')]);
  assert.deepEqual(inl('2 * 3 * 4'), [t('2 * 3 * 4')], 'a * between blanks is no emphasis');
});

test('markers left open stay literal', () => {
  for (const s of ['**unclosed', '*half', 'a ** b', '`tick', '``two`', '[text', '[text](https://x.example', '[text] (https://x.example)', '_x', '__x', '~~strike~~', '# Heading', '| a | b |', '> quote']) {
    const f = shown(s);
    assert.equal(f.textContent, s, JSON.stringify(s));
    assert.deepEqual(f.tags().filter((x) => x !== 'a'), [], `${JSON.stringify(s)} is not formatted`);
  }
  assert.deepEqual(inl('**a*'), [t('*'), { type: 'em', children: [t('a')] }]);
  const doc = parse('```\nnever closed\n**b**');
  assert.deepEqual(doc.children.map((b) => b.type), ['para'], 'an unclosed fence is text');
  assert.equal(shown('```\nnever closed\n**b**').textContent, '```\nnever closed\nb');
});

test('backslash escapes', () => {
  assert.deepEqual(inl('\\*not\\* \\_x\\_ \\`c\\` \\[a\\](x.example) \\\\'), [t('*not* _x_ `c` [a](x.example) \\')]);
  assert.deepEqual(inl('C:\\Users\\bo'), [t('C:\\Users\\bo')], 'a backslash before a letter stays');
  assert.deepEqual(inl('`a\\`b`'), [{ type: 'code', value: 'a\\' }, t('b`')], 'no escapes in code');
});

test('paragraphs and line breaks, as typed', () => {
  assert.deepEqual(parse('a\nb\n\n  \nc').children, [para(t('a'), { type: 'br' }, t('b')), { type: 'blank', text: '' }, { type: 'blank', text: '  ' }, para(t('c'))]);
  for (const s of ['plain text', 'line one\nline two', 'a\n\nb', '  indented\n\ttab', 'stack trace:\n    at f (x.js:1)\n    at g']) {
    assert.equal(shown(s).textContent, s, `plain ${JSON.stringify(s)} reads as typed`);
    assert.deepEqual(shown(s).tags(), []);
  }
  assert.equal(parse('').children.length, 1);
});

test('fenced code blocks keep every space; the language is not shown', () => {
  const doc = parse('Try:\n```bash\n  ls  -la\n\n**x** <b>\n```\ndone');
  assert.deepEqual(doc.children, [para(t('Try:')), { type: 'code', lang: 'bash', text: '  ls  -la\n\n**x** <b>' }, para(t('done'))]);
  const f = shown('Try:\n```bash\n  ls  -la\n```\ndone');
  assert.deepEqual(f.tags(), ['pre', 'code']);
  assert.equal(f.textContent, 'Try:\n  ls  -la\ndone');
  assert.deepEqual(parse('````\n```\n````').children, [{ type: 'code', lang: '', text: '```' }], 'a shorter fence inside');
});

test('bulleted and numbered lists, nested one level, bold in a list', () => {
  const doc = parse('Steps:\n- **stop** the site\n* b\n+ c');
  assert.equal(doc.children.length, 4, 'each bullet character makes its own list');
  const [, first] = doc.children;
  assert.deepEqual(first, { type: 'list', ordered: false, start: 1, items: [{ type: 'item', children: [{ type: 'strong', children: [t('stop')] }, t(' the site')] }] });
  const nested = parse('1. one\n   - x\n   - *y*\n2) two\n3) three\n  more of three');
  assert.deepEqual(nested.children.map((b) => [b.type, b.ordered, b.start]), [['list', true, 1], ['list', true, 2]]);
  const one = nested.children[0].items[0];
  assert.deepEqual(one.list.items.map((i) => i.children), [[t('x')], [{ type: 'em', children: [t('y')] }]]);
  const f = shown('Steps:\n1. **stop** it\n   - x\n2. start\n\nafter');
  assert.deepEqual(f.tags(), ['ol', 'li', 'strong', 'ul', 'li', 'li']);
  assert.equal(f.textContent, 'Steps:\nstop it\nx\nstart\n\nafter');
  assert.equal(shown('3. third\n4. fourth').find('ol')[0].attrs.start, '3');
  assert.deepEqual(inl('I said\n2. no list mid-paragraph unless it starts at 1'), [t('I said'), { type: 'br' }, t('2. no list mid-paragraph unless it starts at 1')]);
  assert.deepEqual(inl('-1 degrees, *not a list'), [t('-1 degrees, *not a list')]);
});

test('links: [text](https://…) and bare URLs; other schemes stay text', () => {
  const link = (href, ...children) => ({ type: 'link', href, children });
  assert.deepEqual(inl('see [the docs](https://docs.example/a?b=1&c=2)'), [t('see '), link('https://docs.example/a?b=1&c=2', t('the docs'))]);
  assert.deepEqual(inl('[wiki](https://en.wikipedia.org/wiki/Foo_(bar))'), [link('https://en.wikipedia.org/wiki/Foo_(bar)', t('wiki'))], 'parentheses in the URL');
  assert.deepEqual(inl('([wiki](https://x.example/a))'), [t('('), link('https://x.example/a', t('wiki')), t(')')]);
  assert.deepEqual(inl('[**bold** link](http://x.example/)'), [link('http://x.example/', { type: 'strong', children: [t('bold')] }, t(' link'))]);
  assert.deepEqual(inl('[https://a.example](https://b.example/)'), [link('https://b.example/', t('https://a.example'))], 'no link in a link');
  assert.deepEqual(inl('[[x](https://a.example/)](https://b.example/)'), [t('['), link('https://a.example/', t('x')), t(']('), link('https://b.example/', t('https://b.example/')), t(')')], 'the inner link wins');
  assert.deepEqual(inl('go to https://x.example/a_b_c, **https://y.example/**'), [t('go to '), link('https://x.example/a_b_c', t('https://x.example/a_b_c')), t(', '), { type: 'strong', children: [link('https://y.example/', t('https://y.example/'))] }]);
  for (const s of ['[x](javascript:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](data:text/html,<script>alert(1)</script>)', '[x](vbscript:msgbox)', '[x](/relative)', '[x](example.com)', '[x](&#106;avascript:alert(1))', '[x](java\nscript:alert(1))', '[x](mailto:a@b.example)', '[x]()']) {
    const f = shown(s);
    assert.deepEqual(f.find('a'), [], `${JSON.stringify(s)} makes no link`);
    assert.equal(f.textContent, s, `${JSON.stringify(s)} reads as typed`);
  }
  const img = shown('![img](https://x.example/a.png)');
  assert.deepEqual(img.find('a').map((a) => a.href), ['https://x.example/a.png'], 'an image is no image: its URL is a plain link');
  assert.equal(img.textContent, '![img](https://x.example/a.png)');
  const a = shown('[x](https://x.example)').find('a')[0];
  assert.deepEqual([a.href, a.target, a.rel], ['https://x.example/', '_blank', 'noopener noreferrer']);
});

test('raw HTML is text; only the allowed elements are made', () => {
  const s = '**<img src=x onerror=alert(1)>** `<script>` - <b>\n- <i>x</i> *<svg onload=alert(1)>*\n[<img src=x>](https://x.example)';
  const f = shown(s);
  const allowed = new Set(['strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'a']);
  for (const tag of f.tags()) assert.ok(allowed.has(tag), `made <${tag}>`);
  assert.ok(f.textContent.includes('<img src=x onerror=alert(1)>') && f.textContent.includes('<script>') && f.textContent.includes('<svg onload=alert(1)>'));
});

test('who gets formatting', () => {
  assert.equal(isFormatted({ role: 'agent' }, 'chat'), true);
  assert.equal(isFormatted({ role: 'admin' }), true);
  assert.equal(isFormatted({ role: 'customer' }, 'chat'), false);
  assert.equal(isFormatted({ role: 'agent' }, 'email'), false);
  assert.equal(isFormatted(undefined, 'chat'), false);
});

// Each input of about MAX_INPUT characters is parsed and rendered well
// within the bound (the fastest of a few runs, since other work shares the
// machine): linear work takes milliseconds, quadratic work on 16,000
// characters (a quarter billion steps) takes seconds, and catastrophic
// backtracking would not finish.
test('pathological input is parsed in bounded time', () => {
  const rep = (s) => (n) => s.repeat(Math.floor(n / s.length));
  const ticks = (n) => {
    const out = [];
    for (let k = 1; out.join('a').length + k < n; k++) out.push('`'.repeat(k));
    return out;
  };
  const cases = {
    stars: rep('*'),
    brackets: rep('['),
    nestedBackticks: (n) => ticks(n).join('a'),
    nestedBackticksDown: (n) => ticks(n).reverse().join('a'),
    starA: rep('*a'),
    alternating: rep('*_'),
    underscores: rep('_a '),
    openLinks: rep('[a]('),
    closeTricks: rep(']('),
    parens: (n) => `[a](https://x.example/${'('.repeat(n - 30)}`,
    links: rep('[a](https://x.example/) '),
    nestedLinks: (n) => `${'['.repeat(n / 2)}a${'](https://x.example/)'.repeat(n / 44)}`,
    badUrls: rep('http://['),
    fences: rep('````x\n```\n'),
    lists: rep('- a\n  - b\n'),
    backslashes: rep('\\'),
    html: rep('<b>'),
    deepEmphasis: (n) => `${'*'.repeat(n / 2 - 1)}a${'*'.repeat(n / 2 - 1)}`,
    deepMixed: (n) => `${'*_'.repeat(n / 4 - 1)}a${'_*'.repeat(n / 4 - 1)}`,
  };
  const fastest = (s) => {
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      shown(s);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const depth = (el) => Math.max(0, ...el.childNodes.map((c) => (c instanceof El ? 1 + depth(c) : 0)));
  for (const [name, make] of Object.entries(cases)) {
    const big = make(MAX_INPUT - 16);
    assert.ok(big.length <= MAX_INPUT && big.length > MAX_INPUT * 0.9, `${name} is ${big.length} characters`);
    const ms = fastest(big);
    assert.ok(ms < 1000, `${name} (${big.length} chars) took ${ms.toFixed(0)} ms`);
    const f = shown(big);
    assert.ok(f.textContent.length > 0);
    assert.ok(depth(f) <= 10, `${name}: elements nested ${depth(f)} deep`);
  }
  // more than the limit: plain text with links, not parsed
  const big = `**x** ${'a'.repeat(MAX_INPUT)}`;
  assert.deepEqual(shown(big).tags(), []);
});
