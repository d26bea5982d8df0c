// What the customer's support package offers right now (the `availability`
// frame): the words for the queue class, chat hours and agents online, and
// the customer's place in line (`queue` frames). A server that does not know
// these frames (unknown_type) leaves every notice out: the widget then works
// as before.

import { h, dayKey, EN } from './dom.js';

const AVAIL_RETRY = 60000; // ask again after a failure (not unknown_type) this long
const AVAIL_FRESH = 10000; // an answer this young is good enough for another view

// Every text here comes from the catalogue of `i18n` (an I18n of
// lib/i18n.js; English when none is given).

// The class's name: the server's class_label in English, the catalogue's
// for a known class in another language ("Priorité").
export function classLabel(a, i18n = EN) {
  const key = `class.${a.class}`;
  if (i18n.lang !== 'en' && key in i18n.messages) return i18n.t(key);
  return a.class_label || i18n.t(i18n.has(key) ? key : 'class.priority');
}

// "Top Priority support: you are first in line", "Priority support: you
// move ahead in line", or the normal class's "We usually reply within a few
// minutes".
export function expectation(a, i18n = EN) {
  if (!a || !a.class || a.class === 'normal') return i18n.t('avail.normal');
  const label = classLabel(a, i18n);
  return i18n.t(a.class === 'top_priority' ? 'avail.top' : 'avail.priority', { label });
}

// When chat opens, in the customer's locale and time zone (the I18n's, else
// the browser's): "today at 9:00 AM EST", "tomorrow at 9:00 AM EST",
// "Monday, December 7 at 9:00 AM EST".
export function opensText(ts, now = Date.now(), i18n = EN) {
  const time = i18n.format(ts, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  const day = dayKey(ts, i18n);
  if (day === dayKey(now, i18n)) return i18n.t('opens.today', { time });
  if (day === dayKey(now, i18n, 1)) return i18n.t('opens.tomorrow', { time });
  return i18n.t('opens.day', { day: i18n.format(ts, { weekday: 'long', month: 'long', day: 'numeric' }), time });
}

// "about 4 min", "less than a minute", "about 1 h 20 min"; null: "estimating the wait".
export function waitText(eta, i18n = EN) {
  if (eta == null || !Number.isFinite(eta)) return i18n.t('wait.estimating');
  if (eta < 60000) return i18n.t('wait.lessThanMinute');
  const min = Math.ceil(eta / 60000);
  if (min < 60) return i18n.t('wait.minutes', { n: min });
  const hrs = Math.floor(min / 60);
  if (!(min % 60)) return i18n.t('wait.hours', { n: hrs });
  return i18n.t('wait.hoursMinutes', { h: i18n.number(hrs), m: i18n.number(min % 60) });
}

// "You are number 3 in line · about 4 min"; "You are next · ..." at 1.
export function positionText(q, i18n = EN) {
  const where = q.position === 1 ? i18n.t('queue.next') : i18n.t('queue.place', { n: i18n.number(q.position) });
  return i18n.t('queue.line', { where, wait: waitText(q.eta_ms, i18n) });
}

export const isClosed = (a) => !!a && a.open === false;
export const noAgents = (a) => !!a && a.open !== false && a.agents_online === 0;

// The tier as a word: "Silver" (a name, the same in every language).
export const tierName = (a, i18n = EN) => (a?.tier ? a.tier.charAt(0).toUpperCase() + a.tier.slice(1) : i18n.t('tier.none'));

// Asks the server what the customer's package offers; keeps the answer in
// app.avail and says 'avail' on app.bus. A server without the frame:
// app.avail stays null for good (app.availKnown false).
export function trackAvailability(app) {
  const { client } = app;
  let timer = 0;
  let asking = null;
  let at = 0; // when the last answer came

  function set(a) {
    at = Date.now();
    app.avail = a;
    app.bus.dispatchEvent(new Event('avail'));
    clearTimeout(timer);
    // closed: ask again once it opens (and every so often, for agents coming online)
    const wait = a?.open === false && a.opens_at ? a.opens_at - client.now() + 1000 : 5 * 60000;
    timer = setTimeout(() => ask({ fresh: true }), Math.min(Math.max(wait, 1000), 2 ** 31 - 1));
  }

  // fresh: also when the last answer is young (every hello asks anew)
  function ask({ fresh = false } = {}) {
    if (app.availUnsupported || client.state !== 'online') return asking;
    if (!fresh && app.avail && Date.now() - at < AVAIL_FRESH) return asking;
    if (asking) return asking;
    asking = client
      .request({ type: 'availability' })
      .then(set, (f) => {
        if (f.code === 'unknown_type') {
          app.availUnsupported = true;
          app.bus.dispatchEvent(new Event('avail'));
          return;
        }
        clearTimeout(timer);
        timer = setTimeout(() => ask({ fresh: true }), AVAIL_RETRY);
      })
      .finally(() => (asking = null));
    return asking;
  }

  // `open` refused outside_hours: chat closed meanwhile
  function closedUntil(opensAt) {
    set({ ...(app.avail || {}), open: false, opens_at: opensAt || null });
  }

  return { ask, closedUntil, stop: () => clearTimeout(timer) };
}

// The notice at the top of the home view and the form: the class's
// expectation, or chat closed until ..., or no agent online. Re-renders on
// 'avail'. Returns {el, destroy}.
export function availNotice(app, { form = false } = {}) {
  const { i18n } = app;
  const t = (k, v) => i18n.t(k, v);
  const el = h('div', { class: 'avail', testid: 'availability', role: 'status', 'aria-live': 'polite', hidden: true });

  function render() {
    const a = app.avail;
    el.hidden = !a;
    if (!a) return;
    el.dataset.open = String(a.open !== false);
    el.dataset.agents = String(a.agents_online ?? '');
    el.dataset.class = a.class || '';
    el.className = `avail${isClosed(a) ? ' closed' : noAgents(a) ? ' quiet' : a.class && a.class !== 'normal' ? ' prio' : ''}`;
    if (isClosed(a)) {
      const when = a.opens_at ? t('avail.opensAt', { when: opensText(a.opens_at, app.client.now(), i18n) }) : t('avail.closedForNow');
      el.replaceChildren(
        h('strong', null, t('avail.closed')),
        h('span', { testid: 'opens-at', 'data-opens-at': a.opens_at || '' }, when),
        h('span', null, form ? t('avail.leaveForm') : t('avail.leaveHome')),
      );
    } else if (noAgents(a)) {
      el.replaceChildren(
        h('strong', null, t('avail.noAgent')),
        h('span', null, t('avail.noAgentMore')),
      );
    } else {
      el.replaceChildren(h('span', { testid: 'expectation' }, expectation(a, i18n)));
    }
  }

  const on = () => render();
  app.bus.addEventListener('avail', on);
  render();
  return { el, render, destroy: () => app.bus.removeEventListener('avail', on) };
}
