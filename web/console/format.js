// Support tiers, times and names, shared by the views.

// DESIGN.md §2: diamond is the top-priority class, platinum priority, gold
// and silver the normal class.
export const TIERS = {
  diamond: { rank: 0, label: 'Diamond', klass: 'Top priority' },
  platinum: { rank: 1, label: 'Platinum', klass: 'Priority' },
  gold: { rank: 2, label: 'Gold', klass: 'Normal' },
  silver: { rank: 2, label: 'Silver', klass: 'Normal' },
};

export function tierInfo(tier) {
  return TIERS[tier] || { rank: 3, label: tier ? cap(tier) : 'No tier', klass: 'Normal' };
}

// The queue classes of the support policy, best first.
const CLASSES = { top_priority: 'Top Priority', priority: 'Priority', normal: 'Normal' };
const CLASS_RANK = { top_priority: 0, priority: 1, normal: 2 };

export function classLabel(key) {
  return CLASSES[key] || (key ? cap(String(key).replace(/_/g, ' ')) : '');
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

/** "just now", "3 min", "1 h 5 min", "2 d 4 h" */
export function duration(ms) {
  const min = Math.floor(Math.max(0, ms) / 60000);
  if (min < 1) return '<1 min';
  if (min < 60) return `${min} min`;
  const hrs = Math.floor(min / 60);
  if (hrs < 24) return min % 60 ? `${hrs} h ${min % 60} min` : `${hrs} h`;
  const days = Math.floor(hrs / 24);
  return hrs % 24 ? `${days} d ${hrs % 24} h` : `${days} d`;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function clock(ts) {
  return ts ? timeFmt.format(new Date(ts)) : '';
}

export function when(ts, now = Date.now()) {
  if (!ts) return '';
  const d = new Date(ts);
  const today = new Date(now);
  return d.toDateString() === today.toDateString() ? timeFmt.format(d) : `${dateFmt.format(d)}, ${timeFmt.format(d)}`;
}

export function fullDate(ts) {
  return ts ? fullFmt.format(new Date(ts)) : '';
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
