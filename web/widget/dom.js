// Small DOM and formatting helpers for the widget. h() builds elements from
// attributes and children; strings always become text nodes (no innerHTML
// anywhere in the widget).

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'testid') el.dataset.testid = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
const PATHS = {
  chat: 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.6.5-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z',
  close: 'M6 6l12 12M18 6L6 18',
  back: 'M15 5l-7 7 7 7',
  send: 'M4 12l16-8-6 16-2.5-6.5z',
  plus: 'M12 5v14M5 12h14',
};

// A decorative line icon (aria-hidden); the button around it carries the label.
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'i');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', PATHS[name]);
  svg.append(p);
  return svg;
}

// Subscribes to several EventTarget events; returns one function undoing all.
export function listen(target, handlers) {
  const list = Object.entries(handlers);
  for (const [t, f] of list) target.addEventListener(t, f);
  return () => list.forEach(([t, f]) => target.removeEventListener(t, f));
}

const sameDay = (a, b) => new Date(a).toDateString() === new Date(b).toDateString();

// "14:05" today, "Nov 24, 14:05" before.
export function clock(ts, now) {
  const time = { hour: 'numeric', minute: '2-digit' };
  const opts = sameDay(ts, now) ? time : { month: 'short', day: 'numeric', ...time };
  return new Date(ts).toLocaleString(undefined, opts);
}

export function fullDate(ts) {
  return new Date(ts).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// "just now", "5 min ago", "3 h ago", "yesterday", else a date.
export function ago(ts, now) {
  const s = Math.max(0, (now - ts) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400 && sameDay(ts, now)) return `${Math.floor(s / 3600)} h ago`;
  if (sameDay(ts, now - 86400000)) return 'yesterday';
  return new Date(ts).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
}

export const bytes = (s) => new TextEncoder().encode(s).length;
