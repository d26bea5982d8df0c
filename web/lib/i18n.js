// Message catalogues, plural rules and locale formatting, shared by the
// widget and the console. A catalogue is a plain object: key -> string, or
// key -> {zero?, one?, two?, few?, many?, other} for a count. Strings take
// named values in braces: t('queue.place', { n: 3 }) with
// 'queue.place': { one: 'You are next', other: 'You are number {n} in line' }.
// The plural form is chosen by Intl.PluralRules of the catalogue's language
// on the value `n` (or `count`). A key missing in a catalogue falls back to
// English, so a half-done translation never shows a key to a user.
//
// Each app keeps its catalogues in its own i18n/ folder: en.js is imported
// statically (it is the fallback), the others are loaded on demand
// (loaders: { fr: () => import('./i18n/fr.js'), ... }) so that a customer
// downloads only the language they read.

const RTL = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'yi', 'dv', 'ckb']);

// The primary subtag, lowercased: 'fr-CA' -> 'fr'.
export const baseOf = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

export const dirOf = (lang) => (RTL.has(baseOf(lang)) ? 'rtl' : 'ltr');

// The first of `wanted` (a tag or a list of tags, most wanted first) that
// one of `available` serves, matched on the primary subtag; else 'en'.
export function negotiate(wanted, available) {
  const list = (Array.isArray(wanted) ? wanted : [wanted]).filter(Boolean);
  for (const w of list) {
    const b = baseOf(w);
    if (available.includes(b)) return b;
  }
  return 'en';
}

// The browser's languages, most wanted first (navigator.languages).
export function browserLanguages() {
  if (typeof navigator === 'undefined') return ['en'];
  return navigator.languages?.length ? [...navigator.languages] : [navigator.language || 'en'];
}

function fill(s, vars) {
  return s.replace(/\{(\w+)\}/g, (m, k) => (vars && vars[k] != null ? String(vars[k]) : m));
}

export class I18n {
  // lang: the catalogue's language; locale: the tag used to format dates and
  // numbers (the user's own, e.g. 'fr-CA'); timeZone: an IANA zone or
  // undefined for the browser's.
  constructor({ lang = 'en', locale, messages = {}, fallback = {}, timeZone } = {}) {
    this.lang = lang;
    this.locale = locale || lang;
    this.dir = dirOf(lang);
    this.timeZone = timeZone;
    this.messages = messages;
    this.fallback = fallback;
    this.plurals = new Intl.PluralRules(this.locale);
    this.numbers = new Intl.NumberFormat(this.locale);
  }

  has(key) {
    return key in this.messages || key in this.fallback;
  }

  // The text of key with vars filled in. An unknown key returns the key
  // itself (a bug to see, never a crash).
  t(key, vars) {
    let m = this.messages[key];
    let rules = this.plurals;
    if (m == null) {
      m = this.fallback[key];
      rules = new Intl.PluralRules('en');
    }
    if (m == null) return key;
    if (typeof m === 'object') {
      const n = vars?.n ?? vars?.count ?? 0;
      const exact = m[`=${n}`];
      m = exact ?? m[rules.select(n)] ?? m.other;
      const shown = typeof n === 'number' ? this.numbers.format(n) : n;
      return fill(m, { ...vars, n: shown });
    }
    return fill(m, vars);
  }

  // Dates and times in the user's locale and time zone.
  format(ts, opts) {
    const o = this.timeZone ? { timeZone: this.timeZone, ...opts } : opts;
    try {
      return new Intl.DateTimeFormat(this.locale, o).format(new Date(ts));
    } catch {
      return new Intl.DateTimeFormat(this.locale, opts).format(new Date(ts));
    }
  }

  number(n, opts) {
    return opts ? new Intl.NumberFormat(this.locale, opts).format(n) : this.numbers.format(n);
  }

  // "5 minutes ago", "in 2 hours", "yesterday", in the user's language.
  relative(value, unit) {
    return new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' }).format(value, unit);
  }

  // "a, b and c" in the user's language.
  list(items, type = 'conjunction') {
    return new Intl.ListFormat(this.locale, { style: 'long', type }).format(items);
  }
}

// An I18n for the first of `wanted` that `loaders` serves ({lang: () =>
// import(...)} each resolving to a module whose default export is the
// catalogue), with `en` as the fallback. A catalogue that fails to load
// leaves English.
export async function loadI18n({ wanted = browserLanguages(), en, loaders = {}, timeZone } = {}) {
  const list = Array.isArray(wanted) ? wanted : [wanted];
  const lang = negotiate(list, ['en', ...Object.keys(loaders)]);
  const locale = list.find((w) => baseOf(w) === lang) || lang;
  let messages = en;
  if (lang !== 'en') {
    try {
      messages = (await loaders[lang]()).default;
    } catch {
      return new I18n({ lang: 'en', locale: 'en', messages: en, fallback: en, timeZone });
    }
  }
  return new I18n({ lang, locale, messages, fallback: en, timeZone });
}
