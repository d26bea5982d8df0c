// Support tiers, times and names, shared by the views. Words and dates come
// from the console's language (./lang.js; English unless set).

import { t, i18n } from './lang.js';

// DESIGN.md §2: diamond is the top-priority class, platinum priority, gold
// and silver the normal class.
export const TIERS = {
  diamond: { rank: 0, klass: 'top_priority' },
  platinum: { rank: 1, klass: 'priority' },
  gold: { rank: 2, klass: 'normal' },
  silver: { rank: 2, klass: 'normal' },
};

/** {rank, label, klass (the class's label), klassKey} of a tier. */
export function tierInfo(tier) {
  const k = TIERS[tier];
  if (k) return { rank: k.rank, label: t(`tier.${tier}`), klass: classLabel(k.klass), klassKey: k.klass };
  return { rank: 3, label: tier ? cap(tier) : t('tier.none'), klass: classLabel('normal'), klassKey: 'normal' };
}

// The queue classes of the support policy, best first.
const CLASS_RANK = { top_priority: 0, priority: 1, normal: 2 };

export function classLabel(key) {
  if (key in CLASS_RANK) return t(`class.${key}`);
  return key ? cap(String(key).replace(/_/g, ' ')) : '';
}

/** "normal queue", "top priority queue": the class's queue in a sentence. */
export function classQueue(key) {
  return key in CLASS_RANK ? t(`classQueue.${key}`) : t('classQueue.other', { klass: classLabel(key) });
}

// 0 = best; a conversation without a class ranks by its tier.
export function classRank(r) {
  return r.class in CLASS_RANK ? CLASS_RANK[r.class] : tierInfo(r.tier).rank;
}

export function topicLabel(app, key) {
  return (app.topics && app.topics.get(key)) || key;
}

export function cap(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
}

/** Queue order of a server that does not route (no position from it):
 * tier class first, then first come first served. */
export function queueOrder(a, b) {
  return (
    tierInfo(a.tier).rank - tierInfo(b.tier).rank ||
    (a.opened_at || 0) - (b.opened_at || 0) ||
    (a.conv < b.conv ? -1 : a.conv > b.conv ? 1 : 0)
  );
}

const unit = (n, u) => i18n().number(n, { style: 'unit', unit: u, unitDisplay: 'short' });

/** "<1 min", "3 min", "1 hr 5 min", "2 days 4 hr", in the console's language */
export function duration(ms) {
  const min = Math.floor(Math.max(0, ms) / 60000);
  if (min < 1) return t('duration.lessThanMinute');
  if (min < 60) return unit(min, 'minute');
  const hrs = Math.floor(min / 60);
  if (hrs < 24) return min % 60 ? t('duration.join', { a: unit(hrs, 'hour'), b: unit(min % 60, 'minute') }) : unit(hrs, 'hour');
  const days = Math.floor(hrs / 24);
  return hrs % 24 ? t('duration.join', { a: unit(days, 'day'), b: unit(hrs % 24, 'hour') }) : unit(days, 'day');
}

const TIME = { hour: '2-digit', minute: '2-digit' };
const DAY = { year: 'numeric', month: 'numeric', day: 'numeric' };

/** The time of day, in the agent's locale and time zone. */
export function clock(ts) {
  return ts ? i18n().format(ts, TIME) : '';
}

/** The time if ts is today (where the agent is), else the day and the time. */
export function when(ts, now = Date.now()) {
  if (!ts) return '';
  const f = i18n();
  if (f.format(ts, DAY) === f.format(now, DAY)) return f.format(ts, TIME);
  return f.format(ts, { month: 'short', day: 'numeric', ...TIME });
}

export function fullDate(ts) {
  return ts ? i18n().format(ts, { dateStyle: 'medium', timeStyle: 'short' }) : '';
}

/** "5 minutes ago", "yesterday", "in 2 hours", in the console's language. */
export function ago(ts, now = Date.now()) {
  if (!ts) return '';
  const s = (ts - now) / 1000;
  const a = Math.abs(s);
  const f = i18n();
  if (a < 60) return f.relative(Math.round(s / 10) * 10, 'second');
  if (a < 3600) return f.relative(Math.round(s / 60), 'minute');
  if (a < 86400) return f.relative(Math.round(s / 3600), 'hour');
  if (a < 30 * 86400) return f.relative(Math.round(s / 86400), 'day');
  if (a < 365 * 86400) return f.relative(Math.round(s / (30 * 86400)), 'month');
  return f.relative(Math.round(s / (365 * 86400)), 'year');
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const s = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2);
  return s.toUpperCase();
}

export const ENVIRONMENTS = { multidev: 'Multidev', dev: 'Dev', test: 'Test', live: 'Live' };

export function envLabel(env) {
  if (!env) return '';
  return ENVIRONMENTS[String(env).toLowerCase()] || env;
}

// The fields of a `conversations` item the console keeps per conversation.
export function fromItem(it) {
  return {
    status: it.status,
    summary: it.summary,
    environment: it.environment,
    tier: it.tier,
    org: it.org,
    site: it.site,
    context: it.context,
    customer: it.customer,
    agent: it.agent,
    opened_at: it.opened_at,
    closed_at: it.closed_at,
    last_seq: it.last_seq,
    // routing: members the server omits when they do not apply
    position: it.position || 0,
    held_until: it.held_until || 0,
    class: it.class,
    topic: it.topic || null,
    out_of_scope: !!it.out_of_scope,
  };
}
