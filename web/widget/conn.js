// The widget's connection status: the word in the header (`connection`)
// and the notice under it (`banner`). It tells a network that is down from
// a chat service that is (the client's `outage.reason`), says when the
// client tries again (a countdown from its backoff, once a second) and
// offers "Retry now". A token the server keeps refusing, or a host that
// cannot sign the customer in ('failed'), retries nothing: the notice says
// what will help instead.

import { h, EN } from './dom.js';
import { secondsLeft } from '../lib/chat-client.js';

const GRACE = 4000; // a drop shorter than this only says "Reconnecting…"

// Every text from the catalogue of i18n (English when none is given).

// The notice for an outage of reason 'network' or 'server'.
export function outageText(reason, i18n = EN) {
  return i18n.t(reason === 'network' ? 'banner.network' : 'banner.server');
}

// "Retrying in 8 s", or (an attempt under way, or due) "Retrying now…".
export function retryText(retryAt, now = Date.now(), i18n = EN) {
  const s = secondsLeft(retryAt, now);
  return s > 0 ? i18n.t('retry.in', { n: s }) : i18n.t('retry.now');
}

// The header's word for the client's state.
export function connWord(state, reason, { settled, wasOnline }, i18n = EN) {
  if (state === 'online') return i18n.t('conn.online');
  if (state === 'failed') return i18n.t('conn.signedOut');
  if (state === 'stopped' || (settled && reason === 'network')) return i18n.t('conn.offline');
  if (settled) return i18n.t('conn.cantConnect');
  return i18n.t(wasOnline ? 'conn.reconnecting' : 'conn.connecting');
}

// Keeps conn (with its label) and banner up to date with client; focusOut()
// is called when the banner hides with focus on its button. Returns a
// function that stops it.
export function trackConnection({ client, conn, connLabel, banner, focusOut, i18n = EN }) {
  const msg = h('span', { class: 'banner-text' });
  const countdown = h('span', { class: 'retry-in', testid: 'retry-countdown' });
  const retry = h('button', { type: 'button', class: 'retry-now', testid: 'retry-now', onclick: () => client.retryNow() }, i18n.t('retry.button'));
  const retryLine = h('span', { class: 'retry' }, countdown, retry);
  let mode = '';
  let downSince = 0;
  let wasOnline = false;
  let ticker = 0;
  let graceTimer = 0;

  function setMode(m) {
    if (m === mode) return;
    mode = m;
    if (m === 'failed') banner.replaceChildren(msg);
    else banner.replaceChildren(msg, ' ', retryLine);
  }

  function update() {
    const state = client.state;
    const o = client.outage;
    const reason = navigator.onLine === false ? 'network' : o?.reason || '';
    conn.dataset.state = state;
    const failed = state === 'failed';
    banner.classList.toggle('error', failed);
    if (failed) banner.setAttribute('role', 'alert');
    else banner.removeAttribute('role');
    if (state === 'online' || failed) {
      downSince = 0;
      if (state === 'online') wasOnline = true;
    } else if (!downSince) {
      downSince = Date.now();
      clearTimeout(graceTimer);
      graceTimer = setTimeout(update, GRACE + 50);
    }
    // the reason is said at once for a browser that knows it is offline,
    // else after the grace time (a server restart is over by then)
    const settled = state !== 'online' && !failed && !!o && (reason === 'network' || Date.now() - downSince > GRACE);
    conn.dataset.reason = settled ? reason : '';
    connLabel.textContent = connWord(state, reason, { settled, wasOnline }, i18n);
    const hadFocus = banner.contains(banner.getRootNode().activeElement);
    if (failed) {
      setMode('failed');
      msg.textContent = i18n.t('banner.signIn');
      banner.hidden = false;
    } else if (settled) {
      setMode('outage');
      msg.textContent = outageText(reason, i18n);
      retryLine.hidden = false;
      tick();
      banner.hidden = false;
    } else {
      setMode('outage');
      msg.textContent = i18n.t('banner.reconnecting');
      retryLine.hidden = true;
      banner.hidden = state === 'online' || state === 'stopped' || !wasOnline;
    }
    clearInterval(ticker);
    ticker = settled ? setInterval(tick, 1000) : 0;
    if (hadFocus && banner.hidden) focusOut?.();
  }

  function tick() {
    const o = client.outage;
    const at = client.state === 'offline' && o ? o.retryAt : 0;
    countdown.dataset.retryAt = String(at || '');
    countdown.textContent = retryText(at, Date.now(), i18n);
  }

  const on = () => update();
  client.addEventListener('state', on);
  client.addEventListener('outage', on);
  window.addEventListener('online', on);
  window.addEventListener('offline', on);
  update();
  return () => {
    clearInterval(ticker);
    clearTimeout(graceTimer);
    client.removeEventListener('state', on);
    client.removeEventListener('outage', on);
    window.removeEventListener('online', on);
    window.removeEventListener('offline', on);
  };
}
