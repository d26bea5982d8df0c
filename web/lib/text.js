// Safe rendering of user text. Everything a user typed becomes text nodes;
// the only element made is <a> for http(s) links (target=_blank,
// rel="noopener noreferrer"). Nothing here uses innerHTML,
// and any other scheme (javascript:, data:, vbscript:, ...) stays plain text.

const URL_RE = /\bhttps?:\/\/[^\s<>"'`\\]+/gi;
const TRAILING = '.,;:!?\'"*_~]}>'; // punctuation that ends a sentence, not a URL

// Splits text into parts: {text} or {text, href} for a link. Pure, so it
// can be tested without a DOM.
export function linkify(text) {
  const parts = [];
  let at = 0;
  for (const m of String(text).matchAll(URL_RE)) {
    let url = m[0];
    for (;;) {
      const last = url.at(-1);
      // a closing paren stays when it balances one inside the URL
      const trim = last === ')' ? count(url, '(') < count(url, ')') : TRAILING.includes(last);
      if (!trim) break;
      url = url.slice(0, -1);
    }
    const href = safeHref(url);
    if (!href) continue;
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    parts.push({ text: url, href });
    at = m.index + url.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

function count(s, ch) {
  return s.split(ch).length - 1;
}

// The normalized href of an http(s) URL with a host, or '' for anything else.
export function safeHref(s) {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname ? u.href : '';
  } catch {
    return '';
  }
}

// Fills el with the text: text nodes, and <a> for links. Line breaks and
// runs of spaces (stack traces, code) are kept with white-space: pre-wrap,
// set on el itself so it works without any stylesheet, and textContent
// stays exactly the text.
function fill(el, text) {
  const doc = el.ownerDocument;
  el.style.whiteSpace = 'pre-wrap';
  for (const part of linkify(String(text ?? '').replace(/\r\n?/g, '\n'))) {
    if (!part.href) {
      el.append(doc.createTextNode(part.text));
      continue;
    }
    const a = doc.createElement('a');
    a.href = part.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.append(doc.createTextNode(part.text));
    el.append(a);
  }
  return el;
}

// A <span> showing the text with its links and line breaks.
export function renderText(text, doc = document) {
  return fill(doc.createElement('span'), text);
}

// Replaces el's children with the rendered text.
export function setText(el, text) {
  el.replaceChildren();
  return fill(el, text);
}
