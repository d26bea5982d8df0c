// What the customer's support package offers right now (the `availability`
// frame): the words for the queue class, chat hours and agents online, and
// the customer's place in line (`queue` frames). A server that does not know
// these frames (unknown_type) leaves every notice out: the widget then works
// as before.

import { h } from './dom.js';

const AVAIL_RETRY = 60000; // ask again after a failure (not unknown_type) this long
const AVAIL_FRESH = 10000; // an answer this young is good enough for another view

// "Top Priority support: you are first in line", "Priority support: you
// move ahead in line", or the normal class's "We usually reply within a few
// minutes".
export function expectation(a) {
  if (!a || !a.class || a.class === 'normal') return 'We usually reply within a few minutes';
  const label = a.class_label || 'Priority';
  if (a.class === 'top_priority') return `${label} support: you are first in line`;
  return `${label} support: you move ahead in line`;
}

const dayKey = (d) => `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;

// When chat opens, in the customer's locale and time zone: "today at 9:00 AM
// EST", "tomorrow at 9:00 AM EST", "Monday, December 7 at 9:00 AM EST".
export function opensText(ts, now = Date.now()) {
  const at = new Date(ts);
  const time = at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
  const today = new Date(now);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (dayKey(at) === dayKey(today)) return `today at ${time}`;
  if (dayKey(at) === dayKey(tomorrow)) return `tomorrow at ${time}`;
  const day = at.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
  return `${day} at ${time}`;
}

// "about 4 min", "less than a minute", "about 1 h 20 min"; null: "estimating the wait".
export function waitText(eta) {
  if (eta == null || !Number.isFinite(eta)) return 'estimating the wait';
  if (eta < 60000) return 'less than a minute';
  const min = Math.ceil(eta / 60000);
  if (min < 60) return `about ${min} min`;
  const hrs = Math.floor(min / 60);
  return `about ${hrs} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

// "You are number 3 in line · about 4 min"; "You are next · ..." at 1.
export function positionText(q) {
  const where = q.position === 1 ? 'You are next in line' : `You are number ${q.position} in line`;
  return `${where} · ${waitText(q.eta_ms)}`;
}

export const isClosed = (a) => !!a && a.open === false;
export const noAgents = (a) => !!a && a.open !== false && a.agents_online === 0;

// The tier as a word: "Silver".
export const tierName = (a) => (a?.tier ? a.tier.charAt(0).toUpperCase() + a.tier.slice(1) : 'support');

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
      const when = a.opens_at ? `Chat opens ${opensText(a.opens_at, app.client.now())}.` : 'Chat is closed for now.';
      el.replaceChildren(
        h('strong', null, 'Chat is closed right now'),
        h('span', { testid: 'opens-at', 'data-opens-at': a.opens_at || '' }, when),
        h('span', null, form ? 'Leave your message and we will answer when we are back.' : 'You can leave a message and we will answer then.'),
      );
    } else if (noAgents(a)) {
      el.replaceChildren(
        h('strong', null, 'No agent is online right now'),
        h('span', null, 'Leave your question and we will answer as soon as someone is back.'),
      );
    } else {
      el.replaceChildren(h('span', { testid: 'expectation' }, expectation(a)));
    }
  }

  const on = () => render();
  app.bus.addEventListener('avail', on);
  render();
  return { el, render, destroy: () => app.bus.removeEventListener('avail', on) };
}
