// The console's language: which catalogue the agent reads, the I18n every
// view takes its texts from (`t`, `i18n()`), the texts of index.html
// (marked data-i18n), the language picker, and <html lang dir>.
//
// Which language: `?lang=xx` in the address (links), else the one picked
// in the console (localStorage), else the browser's languages; English when
// none of these is served. English is imported statically (the fallback);
// the others load on demand, so an agent downloads only their own.
//
// Without a DOM (Node tests) only `t`, `i18n` and `setI18n` are of use; the
// default is English.

import { I18n, loadI18n, negotiate, browserLanguages, baseOf } from '../lib/i18n.js';
import en from './i18n/en.js';

export const loaders = {
  fr: () => import('./i18n/fr.js'),
  de: () => import('./i18n/de.js'),
  ar: () => import('./i18n/ar.js'),
};

// The languages the console speaks, each named in itself (the picker).
export const LANGUAGES = { en: 'English', fr: 'Français', de: 'Deutsch', ar: 'العربية' };

const STORE = 'chatd.console.lang';

let current = new I18n({ lang: 'en', messages: en, fallback: en });
const listeners = new Set();

export const i18n = () => current;
export const t = (key, vars) => current.t(key, vars);

/** Sets the I18n the console speaks (tests, or after a switch). */
export function setI18n(next) {
  current = next;
}

/** An I18n for lang from a catalogue at hand (tests). */
export function makeI18n(lang, messages, { locale, timeZone } = {}) {
  return new I18n({ lang, locale, messages, fallback: en, timeZone });
}

/** Called with the I18n after every change of language. */
export function onLanguage(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function urlLanguage() {
  try {
    return new URLSearchParams(location.search).get('lang') || '';
  } catch {
    return '';
  }
}

export function savedLanguage() {
  try {
    return localStorage.getItem(STORE) || '';
  } catch {
    return '';
  }
}

function saveLanguage(lang) {
  try {
    localStorage.setItem(STORE, lang);
  } catch {
    /* not remembered, still applied */
  }
}

// The tags to negotiate, most wanted first. The browser's own tags of the
// chosen language go first, so that dates follow its region (en-GB, fr-CA).
function wanted(pick) {
  const browser = browserLanguages();
  const first = pick ? [pick] : [urlLanguage(), savedLanguage()];
  const lang = negotiate([...first, ...browser], ['en', ...Object.keys(loaders)]);
  return [...browser.filter((b) => baseOf(b) === lang), lang, ...browser];
}

let loads = 0;
async function load(tags) {
  const mine = ++loads;
  const next = await loadI18n({ wanted: tags, en, loaders });
  if (mine !== loads) return current; // a later choice won
  current = next;
  apply();
  for (const fn of listeners) fn(next);
  return next;
}

/**
 * Loads the agent's language and fills the page's texts. Resolves when the
 * catalogue is in, or after `timeout` ms (the console then starts in
 * English and switches when the catalogue arrives): the page stays hidden
 * until then, and not for long.
 */
export function startLanguage({ timeout = 1500 } = {}) {
  const tags = wanted();
  if (baseOf(tags[0]) === 'en' || !(baseOf(tags[0]) in loaders)) {
    current = new I18n({ lang: 'en', locale: tags[0], messages: en, fallback: en });
    apply();
    return Promise.resolve(current);
  }
  const loading = load(tags);
  return Promise.race([loading, new Promise((resolve) => setTimeout(() => resolve(current), timeout))]);
}

/** The agent picked lang: remember it, follow it in the address, apply it. */
export async function chooseLanguage(lang) {
  saveLanguage(lang);
  try {
    const url = new URL(location.href);
    if (url.searchParams.has('lang')) {
      url.searchParams.set('lang', lang);
      history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    }
  } catch {
    /* no address to follow */
  }
  return load(wanted(lang));
}

// Texts of the page. data-i18n="key": the element's text; data-i18n-attr=
// "placeholder:key aria-label:key": attributes; data-i18n-rich="key": a
// text with {0}, {1}… standing for the element's own child elements, in
// their order (<kbd>, <code>), which are kept.
const rich = new WeakMap();

export function apply(root = typeof document === 'undefined' ? null : document) {
  if (!root) return;
  if (root === document) {
    document.documentElement.lang = current.locale;
    document.documentElement.dir = current.dir;
    document.title = t('page.title');
  }
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.trim().split(/\s+/)) {
      const i = pair.indexOf(':');
      if (i > 0) el.setAttribute(pair.slice(0, i), t(pair.slice(i + 1)));
    }
  }
  for (const el of root.querySelectorAll('[data-i18n-rich]')) {
    if (!rich.has(el)) rich.set(el, [...el.children]);
    const kids = rich.get(el);
    const parts = t(el.dataset.i18nRich).split(/\{(\d+)\}/);
    el.replaceChildren(...parts.map((p, i) => (i % 2 ? kids[Number(p)] || '' : p)));
  }
  for (const sel of root.querySelectorAll('select.lang-picker')) {
    if (!sel.options.length) {
      for (const [code, name] of Object.entries(LANGUAGES)) {
        const o = document.createElement('option');
        o.value = code;
        o.lang = code;
        o.textContent = name;
        sel.append(o);
      }
    }
    sel.value = current.lang;
  }
}

/** Wires the pickers (select.lang-picker) of the page. */
export function setupPickers(root = document) {
  for (const sel of root.querySelectorAll('select.lang-picker')) {
    sel.addEventListener('change', () => {
      if (sel.value !== current.lang) chooseLanguage(sel.value);
    });
  }
  apply(root);
}
