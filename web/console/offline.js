// The console while it is not connected: the top bar says why (the network
// or the chat server, from the client's `outage`), when it tries again (a
// countdown from the client's backoff) and offers "Retry now"; the queue
// column (queue, offers, agents) is marked out of date, for the eye and for
// screen readers, until a fresh list came after the reconnect; and the
// actions that need the server now are disabled (aria-disabled, so they
// keep their place in the tab order), until the connection is back:
// claim, accept and decline an offer, transfer, take over, close, and the
// presence select. Writing stays: the client's outbox keeps a message or
// note and sends it exactly once (same client_id) when the connection is
// back.

import { $, h } from './dom.js';
import { secondsLeft } from '../lib/chat-client.js';

const GRACE = 4000; // a drop shorter than this only says "Reconnecting…"

// What needs the server now (see the header).
const ACTIONS = [
  '[data-testid="claim"]',
  '[data-testid="offer-accept"]',
  '[data-testid="offer-decline"]',
  '[data-testid="transfer"]',
  '[data-testid="takeover"]',
  '[data-testid="transfer-submit"]',
  '[data-testid="close-conversation"]',
  '.composer-blocked button',
].join(',');
const FORMS = new Set(['conv-close', 'transfer-form']);

// The top bar's words: [label, title] for a state and, once settled (the
// reason is known and the drop is not a blip), the outage's reason.
export function connectionWords(state, reason, { settled = false, wasOnline = false } = {}) {
  if (state === 'online') return ['Online', 'Connected to the chat server'];
  if (state === 'failed') return ['Signed out · token refused', 'Your session token was refused; sign in again.'];
  if (state === 'stopped') return ['Signed out', ''];
  const kept = /* i18n */ 'Messages you write are kept and sent when the connection is back.';
  if (settled && reason === 'network') return [/* i18n */ "You're offline", /* i18n */ `Check your internet connection. ${kept}`];
  if (settled) return [/* i18n */ "Can't reach the chat server", kept];
  return [wasOnline ? /* i18n */ 'Reconnecting…' : 'Connecting…', kept];
}

export function createOffline(app) {
  const connEl = document.querySelector('[data-testid=connection]');
  const label = connEl.querySelector('.connection-label');
  const countdown = h('span', { class: 'retry-in', testid: 'retry-countdown' });
  const retry = h('button', { type: 'button', class: 'btn btn-ghost btn-small retry-now', testid: 'retry-now', onclick: () => app.client?.retryNow() }, /* i18n */ 'Retry now');
  const box = h('div', { class: 'retry', hidden: true }, countdown, retry);
  connEl.after(box);

  const col = document.querySelector('.col-queue');
  const note = h('p', { class: 'stale-note', id: 'stale-note', testid: 'stale', hidden: true }, /* i18n */ 'Not up to date – reconnecting');
  col.querySelector('.col-head').after(note); // over offers, queue and agents
  const busyEls = [$('queue'), $('offers'), $('agents')];

  let wasOnline = false;
  let downSince = 0;
  let ticker = 0;
  let graceTimer = 0;
  app.offline = false; // actions that need the server are off
  app.stale = false; // what the queue column shows may be out of date

  function update() {
    const c = app.client;
    const state = c ? c.state : 'connecting';
    const o = c && c.outage;
    const reason = navigator.onLine === false ? 'network' : (o && o.reason) || '';
    if (state === 'online' || state === 'failed' || state === 'stopped') downSince = 0;
    else if (!downSince) {
      downSince = Date.now();
      clearTimeout(graceTimer);
      graceTimer = setTimeout(update, GRACE + 50);
    }
    const down = state === 'offline' || state === 'connecting';
    const settled = down && !!o && (reason === 'network' || Date.now() - downSince > GRACE);
    const s = state === 'online' || state === 'connecting' || state === 'failed' ? state : 'offline';
    connEl.dataset.state = s;
    connEl.dataset.reason = settled ? reason : '';
    const [text, title] = connectionWords(state, reason, { settled, wasOnline });
    label.textContent = text;
    connEl.title = title;
    box.hidden = !settled;
    clearInterval(ticker);
    ticker = 0;
    if (settled) {
      tick();
      ticker = setInterval(tick, 1000);
    }
    if (state === 'online') wasOnline = true;
    const off = wasOnline && state !== 'online';
    if (off !== app.offline) {
      app.offline = off;
      if (off) app.stale = true;
      app.render('queue', 'routing', 'conv');
    }
    apply();
  }

  function tick() {
    const o = app.client && app.client.outage;
    const at = app.client && app.client.state === 'offline' && o ? o.retryAt : 0;
    const s = secondsLeft(at);
    countdown.dataset.retryAt = String(at || '');
    countdown.textContent = s > 0 ? /* i18n */ `Retrying in ${s} s` : /* i18n */ 'Retrying now…';
  }

  // Marks what the last render drew: called after every render pass.
  function apply() {
    note.hidden = !app.stale;
    col.classList.toggle('is-stale', app.stale);
    for (const el of busyEls) {
      if (!el) continue;
      if (app.stale) {
        el.setAttribute('aria-busy', 'true');
        el.setAttribute('aria-describedby', 'stale-note');
      } else {
        if (el.dataset.testid !== 'queue') el.removeAttribute('aria-busy'); // the queue's own render sets its
        el.removeAttribute('aria-describedby');
      }
    }
    for (const el of document.querySelectorAll(ACTIONS)) {
      if (app.offline) {
        el.setAttribute('aria-disabled', 'true');
        el.dataset.offline = '';
      } else if ('offline' in el.dataset) {
        el.removeAttribute('aria-disabled');
        delete el.dataset.offline;
      }
    }
  }

  // aria-disabled leaves a button clickable: stop clicks (and the Enter
  // that submits a form) before the views' handlers see them
  const block = (e) => {
    if (!app.offline) return;
    const t = e.target instanceof Element ? e.target : null;
    const hit = e.type === 'submit' ? t && FORMS.has(t.id) : t && t.closest('[data-offline]');
    if (!hit) return;
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  document.addEventListener('click', block, true);
  document.addEventListener('submit', block, true);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);

  return {
    // the client was created (or replaced): follow it
    follow(c) {
      c.addEventListener('state', update);
      c.addEventListener('outage', update);
      update();
    },
    // a list after the reconnect came: the queue column is current again
    fresh() {
      if (!app.stale || app.offline) return;
      app.stale = false;
      app.render('queue', 'routing');
      apply();
    },
    apply,
    update,
  };
}
