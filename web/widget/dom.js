// Small DOM and formatting helpers for the widget. h() builds elements from
// attributes and children; strings always become text nodes (no innerHTML
// anywhere in the widget).

import { I18n } from '../lib/i18n.js';
import en from './i18n/en.js';

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

// A decorative line icon (aria-hidden); the button around it carries the
// label. Class i-<name>: direction icons (back, send) mirror in RTL.
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `i i-${name}`);
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

// The English texts, for callers that give no I18n (tests in Node, say).
export const EN = new I18n({ lang: 'en', messages: en, fallback: en });

// The calendar day of ts in the I18n's time zone (the browser's when it has
// none), as 'YYYY-MM-DD'; `shift` days later (DST-proof: counted on dates).
const dayFormats = new Map();
export function dayKey(ts, i18n = EN, shift = 0) {
  const tz = i18n.timeZone;
  let f = dayFormats.get(tz);
  if (!f) {
    const o = { year: 'numeric', month: '2-digit', day: '2-digit' };
    try {
      f = new Intl.DateTimeFormat('en-CA', { ...o, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat('en-CA', o);
    }
    dayFormats.set(tz, f);
  }
  const key = f.format(new Date(ts));
  if (!shift) return key;
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + shift)).toISOString().slice(0, 10);
}

const sameDay = (a, b, i18n) => dayKey(a, i18n) === dayKey(b, i18n);

// "14:05" today, "Nov 24, 14:05" before, in the customer's locale and zone.
export function clock(ts, now, i18n = EN) {
  const time = { hour: 'numeric', minute: '2-digit' };
  return i18n.format(ts, sameDay(ts, now, i18n) ? time : { month: 'short', day: 'numeric', ...time });
}

export function fullDate(ts, i18n = EN) {
  return i18n.format(ts, { dateStyle: 'medium', timeStyle: 'short' });
}

// "just now", "5 minutes ago", "3 hours ago", "yesterday", else a date.
export function ago(ts, now, i18n = EN) {
  const s = Math.max(0, (now - ts) / 1000);
  if (s < 60) return i18n.t('time.justNow');
  if (s < 3600) return i18n.relative(-Math.floor(s / 60), 'minute');
  if (s < 86400 && sameDay(ts, now, i18n)) return i18n.relative(-Math.floor(s / 3600), 'hour');
  if (dayKey(ts, i18n) === dayKey(now, i18n, -1)) return i18n.relative(-1, 'day');
  return i18n.format(ts, { month: 'short', day: 'numeric', year: 'numeric' });
}

export const bytes = (s) => new TextEncoder().encode(s).length;
