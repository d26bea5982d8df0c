// Markdown in agents' messages: a small, safe subset. parse() turns text
// into a plain tree (no DOM, so it is tested in Node); render() turns the
// tree into DOM nodes with createElement and text nodes only.
//
// What is formatted: **bold** and __bold__, *italic* and _italic_ (an
// underscore inside a word, as in snake_case, stays literal), `code`,
// fenced code blocks (``` with an optional language word, which is
// ignored), bulleted (- * +) and numbered (1. or 1)) lists with one nested
// level, line breaks and blank lines as typed, [text](https://…) links and
// bare http(s) URLs (lib/text.js). Backslash escapes ASCII punctuation.
// Nothing else: raw HTML, images, headings and tables stay visible text; a
// link to anything but http(s) stays text; so does a marker left open.
//
// The work is bounded: at most MAX_INPUT characters are parsed (more is
// shown as plain text with links), and every step is linear in the input
// (code spans are found through a table of backtick runs, emphasis with
// the "openers bottom" of the CommonMark algorithm, link destinations and
// bare URLs are capped in length).
//
// Rendered, the element's textContent is the visible text: markers are
// gone, line breaks are "\n" text nodes shown by white-space: pre-wrap (set
// on the element), so a message without Markdown reads exactly as typed.

import { linkify, safeHref } from './text.js';

export const MAX_INPUT = 16384; // the server's message limit, in bytes
const MAX_DEST = 4096; // longest link destination or bare URL looked at
const MAX_PARENS = 32; // nesting of parentheses in a link destination
const MAX_DEPTH = 8; // nesting of bold, italic and links

/* ---------------- blocks ---------------- */

const BLANK = /^[ \t]*$/;
const FENCE_OPEN = /^( {0,3})(`{3,})([^`]*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,})[ \t]*$/;
const ITEM = /^( *)([-+*]|(\d{1,9})([.)]))[ \t]+(\S.*)$/;

function item(line) {
  const m = ITEM.exec(line);
  if (!m) return null;
  return { indent: m[1].length, kind: m[3] ? m[4] : m[2], ordered: !!m[3], start: m[3] ? Number(m[3]) : 1, text: m[5] };
}

// Whether text is formatted: agents' (and admins') chat messages and notes
// are; a customer's message, or anything that came by email, is not.
export function isFormatted(from, channel) {
  return !!from && !!from.role && from.role !== 'customer' && channel !== 'email';
}

// text -> {type: 'doc', children: blocks}. Blocks: para {children},
// blank {text} (a whitespace-only line), code {lang, text},
// list {ordered, start, items: [{type: 'item', children, list?}]}.
// Inlines: text {value}, br, code {value}, strong/em {children},
// link {href, children}.
export function parse(src) {
  const text = String(src ?? '').replace(/\r\n?/g, '\n');
  if (text.length > MAX_INPUT) return { type: 'doc', children: [{ type: 'para', children: plain(text) }] };
  const lines = text.split('\n');
  // closing fences, in order, for the opening fences to look up
  const closers = [];
  lines.forEach((l, i) => {
    const m = FENCE_CLOSE.exec(l);
    if (m) closers.push({ i, len: m[1].length });
  });
  let ci = 0;
  const blocks = [];
  let para = null; // lines of the paragraph being read
  const endPara = () => {
    if (para) blocks.push({ type: 'para', children: inline(para.join('\n')) });
    para = null;
  };
  for (let i = 0; i < lines.length; ) {
    const line = lines[i];
    if (BLANK.test(line)) {
      endPara();
      blocks.push({ type: 'blank', text: line });
      i++;
      continue;
    }
    const f = FENCE_OPEN.exec(line);
    if (f) {
      while (ci < closers.length && closers[ci].i <= i) ci++;
      let k = ci;
      while (k < closers.length && closers[k].len < f[2].length) k++;
      if (k < closers.length) {
        endPara();
        const strip = new RegExp(`^ {0,${f[1].length}}`);
        const body = lines.slice(i + 1, closers[k].i).map((l) => l.replace(strip, ''));
        blocks.push({ type: 'code', lang: f[3].trim().split(/\s+/)[0] || '', text: body.join('\n') });
        i = closers[k].i + 1;
        continue;
      }
    }
    const it = item(line);
    if (it && it.indent < 4 && (!para || !it.ordered || it.start === 1)) {
      endPara();
      i = list(lines, i, it, blocks);
      continue;
    }
    (para ||= []).push(line);
    i++;
  }
  endPara();
  return { type: 'doc', children: blocks };
}

// Reads the list starting at lines[i] (its first item it) into blocks;
// returns the index of the first line after it. An item line indented two
// or more spaces past the list's own starts (or continues) a nested list in
// the last item; another indented line continues the last item's text.
function list(lines, i, first, blocks) {
  const top = { type: 'list', ordered: first.ordered, start: first.start, items: [] };
  const raw = []; // per top item: {text, sub: {list, raw: [text]} | null}
  const base = first.indent;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (BLANK.test(line)) break;
    const it = item(line);
    const last = raw.at(-1);
    if (it && it.indent < base + 2) {
      if (it.kind !== first.kind) break;
      top.items.push({ type: 'item', children: [] });
      raw.push({ text: it.text, sub: null });
    } else if (it && last) {
      if (!last.sub) last.sub = { list: { type: 'list', ordered: it.ordered, start: it.start, items: [] }, raw: [] };
      last.sub.raw.push(it.text);
    } else if (last && /^ {2,}\S/.test(line)) {
      const t = line.trimStart();
      if (last.sub) last.sub.raw.push(`${last.sub.raw.pop()}\n${t}`);
      else last.text += `\n${t}`;
    } else break;
  }
  top.items.forEach((node, k) => {
    node.children = inline(raw[k].text);
    const sub = raw[k].sub;
    if (sub) {
      sub.list.items = sub.raw.map((t) => ({ type: 'item', children: inline(t) }));
      node.list = sub.list;
    }
  });
  blocks.push(top);
  return i;
}

/* ---------------- inlines ---------------- */

const PUNCT = /[\p{P}\p{S}]/u;
const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const SPACE = /\s/u;
const ALNUM = /[A-Za-z0-9]/; // a bare URL starts a word (_ may mark italics)
const SPECIAL = new Set(['\\', '\n', '`', '*', '_', '[', ']', 'h', 'H']); // where inline() looks closer
const isSpace = (ch) => (ch < '\x80' ? ch === ' ' || (ch >= '\t' && ch <= '\r') : SPACE.test(ch));
const isPunct = (ch) => (ch < '\x80' ? ASCII_PUNCT.test(ch) : PUNCT.test(ch));
const URL_START = /https?:\/\//iy;
const URL_RUN = new RegExp(`https?:\\/\\/[^\\s<>"'\`\\\\]{1,${MAX_DEST}}`, 'iy');

// Text with its bare links only (what lib/text.js shows), as inlines.
function plain(text) {
  return linkify(text).map((p) => (p.href ? { type: 'link', href: p.href, children: [{ type: 'text', value: p.text }] } : { type: 'text', value: p.text }));
}

// One paragraph's (or list item's) text -> inlines. The CommonMark inline
// algorithm, cut down: nodes in a linked list, a stack of * and _ runs and a
// stack of [ openers; links and emphasis are made when they close.
function inline(src) {
  const seq = { first: null, last: null };
  const append = (n) => {
    n.prev = seq.last;
    n.next = null;
    if (seq.last) seq.last.next = n;
    else seq.first = n;
    seq.last = n;
    return n;
  };
  let buf = '';
  const flush = () => {
    if (buf) append({ type: 'text', value: buf });
    buf = '';
  };
  let delims = null; // top of the * and _ stack (linked by .below/.above)
  let brackets = null; // top of the [ stack

  // backtick runs by length, to find a code span's end in linear time
  const runs = new Map();
  const at = new Map();
  for (const m of src.matchAll(/`+/g)) {
    const len = m[0].length;
    if (!runs.has(len)) runs.set(len, []), at.set(len, 0);
    runs.get(len).push(m.index);
  }
  const closingRun = (len, from) => {
    const list = runs.get(len);
    if (!list) return -1;
    let k = at.get(len);
    while (k < list.length && list[k] < from) k++;
    at.set(len, k);
    return k < list.length ? list[k] : -1;
  };

  const n = src.length;
  for (let i = 0; i < n; ) {
    const c = src[i];
    if (c === '\\' && i + 1 < n && ASCII_PUNCT.test(src[i + 1])) {
      buf += src[i + 1];
      i += 2;
    } else if (c === '\n') {
      flush();
      append({ type: 'br' });
      i++;
    } else if (c === '`') {
      let j = i;
      while (j < n && src[j] === '`') j++;
      const len = j - i;
      const end = closingRun(len, j);
      if (end < 0) {
        buf += src.slice(i, j);
        i = j;
        continue;
      }
      let value = src.slice(j, end).replace(/\n/g, ' ');
      if (value.length > 2 && value[0] === ' ' && value.at(-1) === ' ' && value.trim()) value = value.slice(1, -1);
      flush();
      append({ type: 'code', value });
      i = end + len;
    } else if (c === '*' || c === '_') {
      let j = i;
      while (j < n && src[j] === c) j++;
      const before = i > 0 ? src[i - 1] : ' ';
      const after = j < n ? src[j] : ' ';
      const wsB = isSpace(before);
      const wsA = isSpace(after);
      const pB = isPunct(before);
      const pA = isPunct(after);
      const left = !wsA && (!pA || wsB || pB);
      const right = !wsB && (!pB || wsA || pA);
      const canOpen = c === '*' ? left : left && (!right || pB);
      const canClose = c === '*' ? right : right && (!left || pA);
      flush();
      const node = append({ type: 'text', value: src.slice(i, j) });
      if (canOpen || canClose) {
        const d = { node, ch: c, len: j - i, orig: j - i, canOpen, canClose, below: delims, above: null };
        if (delims) delims.above = d;
        delims = d;
      }
      i = j;
    } else if (c === '[' && !(i > 0 && src[i - 1] === '!' && (i < 2 || src[i - 2] !== '\\'))) {
      flush();
      brackets = { node: append({ type: 'text', value: '[' }), delims, active: true, below: brackets };
      i++;
    } else if (c === ']' && brackets) {
      flush();
      const open = brackets;
      brackets = open.below;
      const dest = open.active && src[i + 1] === '(' ? destination(src, i + 2) : null;
      const href = dest && open.node.next && safeHref(dest.url);
      if (!href) {
        buf += ']';
        i++;
        continue;
      }
      emphasis(open.delims);
      delims = open.delims;
      if (delims) delims.above = null;
      const link = { type: 'link', href, first: open.node.next, last: seq.last };
      link.first.prev = null;
      seq.last = open.node;
      open.node.next = null;
      unlink(open.node);
      append(link);
      // no link inside a link: the openers below go inactive (those below
      // an inactive one already are)
      for (let b = brackets; b && b.active; b = b.below) b.active = false;
      i = dest.end;
    } else if ((c === 'h' || c === 'H') && !(i > 0 && ALNUM.test(src[i - 1])) && ((URL_START.lastIndex = i), URL_START.test(src))) {
      URL_RUN.lastIndex = i;
      let run = URL_RUN.exec(src)?.[0];
      // inside [link text], a bare URL ends at the ]
      if (run && brackets && run.includes(']')) run = run.slice(0, run.indexOf(']'));
      const part = run ? linkify(run)[0] : null;
      if (part?.href) {
        flush();
        const t = { type: 'text', value: part.text, prev: null, next: null };
        append({ type: 'link', href: part.href, first: t, last: t });
        i += part.text.length;
      } else {
        // not a link: all of it is text, as lib/text.js shows it
        const skip = run ? run.length : 1;
        buf += src.slice(i, i + skip);
        i += skip;
      }
    } else {
      let j = i + 1;
      while (j < n && !SPECIAL.has(src[j])) j++;
      buf += src.slice(i, j);
      i = j;
    }
  }
  flush();
  emphasis(null);
  return tree(seq.first);

  function unlink(node) {
    if (node.prev) node.prev.next = node.next;
    else seq.first = node.next;
    if (node.next) node.next.prev = node.prev;
    else seq.last = node.prev;
  }

  function dropDelim(d) {
    if (d.below) d.below.above = d.above;
    if (d.above) d.above.below = d.below;
    else delims = d.below;
  }

  // CommonMark's "process emphasis" over the delimiters above bottom.
  function emphasis(bottom) {
    let cur = delims;
    if (!cur || cur === bottom) return;
    while (cur.below && cur.below !== bottom) cur = cur.below;
    const openersBottom = new Map();
    while (cur) {
      if (!cur.canClose) {
        cur = cur.above;
        continue;
      }
      const key = `${cur.ch}${cur.canOpen ? 1 : 0}${cur.orig % 3}`;
      const floor = openersBottom.has(key) ? openersBottom.get(key) : bottom;
      let op = cur.below;
      while (op && op !== bottom && op !== floor) {
        if (op.ch === cur.ch && op.canOpen) {
          const odd = (op.canClose || cur.canOpen) && (op.orig + cur.orig) % 3 === 0 && !(op.orig % 3 === 0 && cur.orig % 3 === 0);
          if (!odd) break;
        }
        op = op.below;
      }
      if (!op || op === bottom || op === floor) {
        openersBottom.set(key, cur.below);
        const next = cur.above;
        if (!cur.canOpen) dropDelim(cur);
        cur = next;
        continue;
      }
      const use = op.len >= 2 && cur.len >= 2 ? 2 : 1;
      op.len -= use;
      cur.len -= use;
      op.node.value = op.node.value.slice(use);
      cur.node.value = cur.node.value.slice(use);
      const inner = op.node.next === cur.node ? null : op.node.next;
      const wrap = { type: use === 2 ? 'strong' : 'em', first: inner, last: inner ? cur.node.prev : null, prev: op.node, next: cur.node };
      if (inner) {
        wrap.first.prev = null;
        wrap.last.next = null;
      }
      op.node.next = wrap;
      cur.node.prev = wrap;
      // delimiters in between are now inside: plain text
      op.above = cur;
      cur.below = op;
      if (!op.len) unlink(op.node), dropDelim(op);
      if (!cur.len) {
        const next = cur.above;
        unlink(cur.node);
        dropDelim(cur);
        cur = next;
      }
    }
    // what is left above bottom is text
    while (delims && delims !== bottom) dropDelim(delims);
  }
}

// A link destination at src[i..]: optional blanks, the URL (balanced
// parentheses, backslash escapes), optional blanks, ')'. -> {url, end} or null.
function destination(src, i) {
  const n = Math.min(src.length, i + MAX_DEST);
  while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
  const start = i;
  let depth = 0;
  for (; i < n; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < n && ASCII_PUNCT.test(src[i + 1])) i++;
    else if (c <= ' ' || (c >= '\x7f' && isSpace(c))) break;
    else if (c === '(') {
      if (++depth > MAX_PARENS) return null;
    } else if (c === ')') {
      if (!depth) break;
      depth--;
    }
  }
  const url = src.slice(start, i).replace(/\\([!-/:-@[-`{-~])/g, '$1');
  while (i < n && (src[i] === ' ' || src[i] === '\t')) i++;
  return url && !depth && src[i] === ')' ? { url, end: i + 1 } : null;
}

// The linked nodes from first on -> inlines appended to out (adjacent text
// merged, empty text dropped). A link inside a link becomes its text, and
// so does emphasis nested deeper than MAX_DEPTH.
function tree(first, inLink = false, depth = 0, out = []) {
  for (let n = first; n; n = n.next) {
    if (n.type === 'text') {
      if (!n.value) continue;
      const last = out.at(-1);
      if (last?.type === 'text') last.value += n.value;
      else out.push({ type: 'text', value: n.value });
    } else if (n.type === 'br') out.push({ type: 'br' });
    else if (n.type === 'code') out.push({ type: 'code', value: n.value });
    else if ((n.type === 'link' && inLink) || (n.type !== 'link' && depth >= MAX_DEPTH)) tree(n.first, inLink, depth, out);
    else if (n.type === 'link') out.push({ type: 'link', href: n.href, children: tree(n.first, true, depth + 1) });
    else out.push({ type: n.type, children: tree(n.first, inLink, depth + 1) });
  }
  return out;
}

/* ---------------- rendering ---------------- */

// The tree -> a DocumentFragment. Only strong, em, code, pre, ul, ol, li and
// a (http(s) href, target=_blank, rel="noopener noreferrer") are made;
// everything typed becomes text nodes. Each line break is a "\n" text node;
// the one that ends a list or code block goes inside it, at its end, where
// it shows nothing, so textContent keeps every line break.
export function render(doc, d = document) {
  const frag = d.createDocumentFragment();
  const text = (s) => d.createTextNode(s);
  const blocks = doc.children;
  blocks.forEach((b, k) => {
    const nl = k < blocks.length - 1;
    if (b.type === 'para') {
      inlines(frag, b.children, d);
      if (nl) frag.append(text('\n'));
    } else if (b.type === 'blank') {
      frag.append(text(b.text + (nl ? '\n' : '')));
    } else if (b.type === 'code') {
      const pre = d.createElement('pre');
      const code = d.createElement('code');
      code.append(text(b.text + (nl ? '\n' : '')));
      pre.append(code);
      frag.append(pre);
    } else if (b.type === 'list') {
      frag.append(listEl(b, nl, d));
    }
  });
  return frag;
}

function listEl(list, nl, d) {
  const el = d.createElement(list.ordered ? 'ol' : 'ul');
  if (list.ordered && list.start !== 1) el.setAttribute('start', String(list.start));
  list.items.forEach((it, k) => {
    const li = d.createElement('li');
    const more = k < list.items.length - 1 || nl;
    inlines(li, it.children, d);
    if (it.list) {
      li.append(d.createTextNode('\n'));
      li.append(listEl(it.list, more, d));
    } else if (more) li.append(d.createTextNode('\n'));
    el.append(li);
  });
  return el;
}

const TAGS = { strong: 'strong', em: 'em' };

function inlines(parent, nodes, d) {
  for (const n of nodes) {
    if (n.type === 'text') parent.append(d.createTextNode(n.value));
    else if (n.type === 'br') parent.append(d.createTextNode('\n'));
    else if (n.type === 'code') {
      const code = d.createElement('code');
      code.append(d.createTextNode(n.value));
      parent.append(code);
    } else if (n.type === 'link') {
      const href = safeHref(n.href);
      if (!href) {
        inlines(parent, n.children, d);
        continue;
      }
      const a = d.createElement('a');
      a.href = href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      inlines(a, n.children, d);
      parent.append(a);
    } else if (TAGS[n.type]) {
      const el = d.createElement(TAGS[n.type]);
      inlines(el, n.children, d);
      parent.append(el);
    }
  }
}

// Replaces el's children with the text rendered as Markdown. The class
// "md" scopes the apps' styles for it; white-space: pre-wrap is set on el
// itself, as lib/text.js does, so line breaks show without a stylesheet.
export function setMarkdown(el, text) {
  el.replaceChildren();
  el.classList.add('md');
  el.style.whiteSpace = 'pre-wrap';
  el.append(render(parse(text), el.ownerDocument));
  return el;
}
