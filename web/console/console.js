// The agent console: signs in, keeps the conversations it knows in one
// place (`app`) and hands rendering to the views (queue, conversation,
// context, canned). The protocol work (reconnect, resume, outbox) is
// ../lib/chat-client.js's.

import { ChatClient } from '../lib/chat-client.js';
import { $, h } from './dom.js';
import { takeHashToken, savedToken, saveToken, claims, tokenProblem } from './token.js';
import * as alerts from './alerts.js';
import { createQueue } from './queue.js';
import { createConversation } from './conversation.js';
import { createContext } from './context.js';
import { createCanned } from './canned.js';
import { createRouting } from './routing.js';
import { createScreens } from './screens.js';
import { createOffline } from './offline.js';
import { tierInfo, cap, fromItem } from './format.js';
import { toast, errCode, errText } from './ui.js';

const WS_URL = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
const OPEN_PAGES = 25; // up to 25 pages of 200 open conversations
const TEXT_MAX = 16384;
const TOKEN_REFUSED = 'Your session token was refused; sign in again.';

/* ------------------------------------------------------------------ */
/* sign-in                                                             */

let token = null;
let tokenWaiter = null; // resolves getToken() while the sign-in screen is up

function showSignin(problem) {
  const shown = !$('signin').hidden;
  $('app').hidden = true;
  $('signin').hidden = false;
  const p = $('signin-problem');
  p.textContent = problem || '';
  p.hidden = !problem;
  // already up (a refusal, then the client asking for a token): keep what
  // the agent is pasting
  if (shown) return;
  const ta = $('signin-token');
  ta.value = '';
  ta.focus();
}

function hideSignin() {
  $('signin').hidden = true;
  $('app').hidden = false;
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('signin-token').value.trim();
  const problem = tokenProblem(t, app.skew);
  if (problem) {
    showSignin(problem);
    return;
  }
  const sub = claims(t)?.sub;
  if (app.me && sub && sub !== app.me.id) {
    // another person: start clean rather than mixing their conversations
    saveToken(t);
    location.reload();
    return;
  }
  token = t;
  saveToken(t);
  app.authFailed = false;
  hideSignin();
  if (tokenWaiter) {
    const w = tokenWaiter;
    tokenWaiter = null;
    w(t);
  } else if (app.client && app.client.state === 'failed') {
    app.client.reconnect();
  } else if (!app.client || app.client.state === 'stopped') {
    start();
  }
});

$('signin-token').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $('signin-form').requestSubmit();
  }
});

/** getToken() for the client: the current token, or wait for a new one. */
function getToken() {
  let problem = app.authFailed ? app.authFailed : tokenProblem(token, app.skew);
  if (!problem) return Promise.resolve(token);
  if (app.me && !app.authFailed) problem = 'Your session expired. Paste a fresh agent token to carry on where you left off.';
  showSignin(problem);
  return new Promise((resolve) => {
    tokenWaiter = resolve;
  });
}

/* ------------------------------------------------------------------ */
/* state                                                               */

const app = {
  client: null,
  me: null,
  skew: 0,
  authFailed: null,
  convs: new Map(), // conv id -> record
  tabs: [], // conv ids shown as tabs, in order
  active: null,
  listedOnce: false,
  views: {},
  stamp: 0, // counts the news about conversations (records carry `touched`)

  now() {
    return this.client ? this.client.now() : Date.now() + this.skew;
  },

  /** Marks r as changed by news newer than any list asked for so far. */
  touch(r) {
    r.touched = ++this.stamp;
    return r;
  },

  /** The record for conv, created on first use; `data` fills or updates it. */
  upsert(conv, data) {
    let r = this.convs.get(conv);
    if (!r) {
      r = {
        conv,
        status: 'waiting',
        summary: '',
        tier: '',
        org: '',
        site: '',
        environment: '',
        context: '',
        customer: { id: '', name: '' },
        agent: null,
        opened_at: 0,
        closed_at: 0,
        last_seq: 0,
        inOpen: false,
        watched: false,
        synced: false,
        readonly: false,
        history: null, // events loaded with `history` (read-only views)
        details: null,
        readLocal: 0,
        close: null, // {reason, by, ts}
      };
      this.convs.set(conv, r);
    }
    if (data) {
      for (const [k, v] of Object.entries(data)) {
        if (v === undefined) continue;
        if (k === 'customer' && v) r.customer = { id: v.id || r.customer.id, name: v.name || r.customer.name };
        else if (k === 'agent') r.agent = v && v.id ? { id: v.id, name: v.name || v.id } : null;
        else if (typeof v === 'string' && v === '' && r[k]) continue; // never blank out what we know
        else r[k] = v;
      }
    }
    return r;
  },

  events(conv) {
    const r = this.convs.get(conv);
    if (r && r.history) return r.history;
    try {
      return (this.client && this.client.events(conv)) || [];
    } catch {
      return [];
    }
  },

  reads(conv) {
    try {
      const rd = this.client && this.client.reads(conv);
      if (!rd) return {};
      return rd instanceof Map ? Object.fromEntries(rd) : rd;
    } catch {
      return {};
    }
  },

  myRead(conv) {
    const r = this.convs.get(conv);
    const server = Number(this.reads(conv)[this.me?.id] || 0);
    return Math.max(server, r ? r.readLocal : 0);
  },

  /** Customer messages after my read position. */
  unread(conv) {
    const r = this.convs.get(conv);
    if (!r || r.readonly) return 0;
    const mine = this.myRead(conv);
    let n = 0;
    for (const ev of this.events(conv)) {
      if (ev.seq > mine && ev.kind === 'message' && ev.from && ev.from.role === 'customer') n++;
    }
    return n;
  },

  lastSeq(conv) {
    const evs = this.events(conv);
    return evs.length ? evs[evs.length - 1].seq : 0;
  },

  /** Is the agent looking at conv right now? */
  seeing(conv) {
    return this.active === conv && document.visibilityState === 'visible';
  },

  isMine(r) {
    return !!(r && r.agent && this.me && r.agent.id === this.me.id);
  },

  /* -- rendering: coalesced to one pass per frame -- */
  dirty: new Set(),
  render(...what) {
    for (const w of what) this.dirty.add(w);
    if (this.dirty.size && !this._raf) {
      this._raf = requestAnimationFrame(() => {
        this._raf = 0;
        const d = new Set(this.dirty);
        this.dirty.clear();
        if (d.has('queue')) this.views.queue.render();
        if (d.has('tabs')) this.views.conv.renderTabs();
        if (d.has('tabs')) this.views.screens.render();
        if (d.has('conv')) this.views.conv.render();
        if (d.has('context')) this.views.context.render();
        if (d.has('routing') || d.has('queue')) this.views.routing.render();
        if (d.has('title')) updateTitle();
        this.views.offline.apply();
      });
    }
  },

  /* -- actions -- */

  /** Show conv in a tab and make it the active one. */
  open(conv, { readonly = false, focus = true } = {}) {
    const r = this.upsert(conv);
    if (!this.tabs.includes(conv)) this.tabs.push(conv);
    if (readonly && !r.watched) {
      r.readonly = true;
      if (!r.history) loadHistory(r);
    } else {
      r.readonly = false;
      this.watch(r);
    }
    if (focus) this.activate(conv);
    this.render('tabs', 'queue', 'title');
  },

  activate(conv) {
    if (this.active !== conv) {
      this.active = conv;
      this.views.conv.switchTo(conv);
    }
    this.markSeen(conv);
    this.render('tabs', 'queue', 'conv', 'context', 'title');
  },

  hideTab(conv) {
    const i = this.tabs.indexOf(conv);
    if (i < 0) return;
    this.tabs.splice(i, 1);
    const r = this.convs.get(conv);
    if (r && r.watched && !this.isMine(r)) {
      // not mine: stop following it after the next reconnect
      r.watched = false;
      r.synced = false;
      this.client.unwatch(conv);
    }
    if (this.active === conv) {
      const next = this.tabs[Math.min(i, this.tabs.length - 1)] || null;
      this.active = null;
      if (next) this.activate(next);
      else this.views.conv.switchTo(null);
    }
    this.render('tabs', 'queue', 'conv', 'context', 'title');
  },

  watch(r) {
    if (r.watched || !this.client) return;
    r.watched = true;
    r.readonly = false;
    r.history = null;
    this.client.watch(r.conv, 0);
  },

  /** Tell the server I have read what is on screen. */
  markSeen(conv) {
    const r = this.convs.get(conv);
    if (!r || r.readonly || !r.watched || !this.seeing(conv)) return;
    const last = this.lastSeq(conv);
    if (last > r.readLocal) {
      r.readLocal = last;
      if (last > Number(this.reads(conv)[this.me?.id] || 0)) {
        try {
          this.client.markRead(conv, last);
        } catch {
          /* offline: the next visit marks it */
        }
      }
      this.render('tabs', 'title');
    }
  },

  async claim(conv) {
    const r = this.upsert(conv);
    askNotificationsOnce();
    // offered to me already: claiming it is accepting the offer
    if (this.views.routing.offeredToMe(conv)) return this.views.routing.accept(conv);
    try {
      await this.client.change({ type: 'claim', conv });
      this.touch(this.upsert(conv, { status: 'assigned', agent: { id: this.me.id, name: this.me.name } }));
      this.open(conv);
      // at once, in the same task as the re-render that moves the queue's
      // row (and its focused Claim): the keyboard focus is never lost
      if (this.active === conv) this.views.conv.focusComposer();
      setTimeout(() => this.active === conv && this.views.conv.focusComposer(), 50);
    } catch (err) {
      const code = errCode(err);
      if (code === 'already_assigned') {
        toast(`${r.customer.name || 'This conversation'} was already taken by another agent.`);
        relist();
      } else if (code === 'over_capacity') {
        toast(this.views.routing.capacityText());
      } else if (code === 'conversation_closed') {
        toast('That conversation was closed before you could claim it.');
        this.upsert(conv, { status: 'closed' });
        r.inOpen = false;
      } else {
        toast(`Could not claim: ${errText(err)}`);
      }
    }
    this.render('queue', 'tabs', 'conv', 'context');
  },

  async send(conv, kind, text) {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > TEXT_MAX) {
      toast(`That is too long to send (${Math.ceil(bytes / 1024)} KiB; the limit is 16 KiB).`);
      return false;
    }
    const p = this.client.change({ type: kind, conv, text });
    this.render('conv');
    p.catch((err) => {
      toast(`${kind === 'note' ? 'Note' : 'Message'} not sent: ${errText(err)}`);
      this.views.conv.restoreDraft(conv, text);
      this.render('conv');
    });
    return true;
  },

  async closeConv(conv, reason) {
    const frame = { type: 'close', conv };
    if (reason) frame.reason = reason;
    try {
      await this.client.change(frame);
      const r = this.touch(this.upsert(conv, { status: 'closed' }));
      r.inOpen = false;
      if (!r.close) r.close = { reason, by: this.me, ts: this.now() };
      toast('Conversation closed.');
    } catch (err) {
      toast(`Could not close: ${errText(err)}`);
    }
    this.render('queue', 'tabs', 'conv', 'context', 'title');
  },
};

window.chatdConsole = app; // handy in devtools

/* ------------------------------------------------------------------ */
/* the read-only history of an earlier conversation                    */

async function loadHistory(r) {
  r.history = [];
  r.historyLoading = true;
  app.render('conv');
  let after = 0;
  try {
    for (let page = 0; page < 50; page++) {
      const res = await app.client.request({ type: 'history', conv: r.conv, after, limit: 200 });
      const evs = (res && res.events) || [];
      for (const ev of evs) absorbEvent(r, ev);
      r.history.push(...evs);
      if (!res.more || !evs.length) break;
      after = evs[evs.length - 1].seq;
    }
  } catch (err) {
    r.historyError = errText(err);
  }
  r.historyLoading = false;
  app.render('conv', 'context', 'tabs');
}

/* ------------------------------------------------------------------ */
/* what each event means for a conversation's record                   */

function absorbEvent(r, ev) {
  if (ev.seq > r.last_seq) r.last_seq = ev.seq;
  if (ev.kind === 'joined' || ev.kind === 'left' || ev.kind === 'closed' || ev.kind === 'reopened') app.touch(r);
  switch (ev.kind) {
    case 'opened':
      r.details = ev.details || r.details;
      app.upsert(r.conv, {
        summary: ev.details && ev.details.summary,
        environment: ev.details && ev.details.environment,
        org: ev.org,
        site: ev.site,
        tier: ev.tier,
        context: ev.context,
        customer: ev.from,
        opened_at: r.opened_at || ev.ts,
        // routing (held_until comes from the lists: the event keeps it after the opening)
        class: ev.class,
        topic: ev.topic,
        out_of_scope: ev.out_of_scope,
      });
      break;
    case 'joined':
      if (r.status !== 'closed') r.status = 'assigned';
      r.agent = ev.from ? { id: ev.from.id, name: ev.from.name } : r.agent;
      r.position = 0;
      break;
    case 'left':
      // transferred (a joined event follows), or back in the queue
      if (r.status !== 'closed' && !ev.to) {
        r.status = 'waiting';
        r.agent = null;
      }
      break;
    case 'closed':
      app.views.context.invalidate(r.customer.id);
      r.status = 'closed';
      r.closed_at = ev.ts;
      r.inOpen = false;
      r.close = { reason: ev.reason || '', by: ev.from, ts: ev.ts };
      break;
    case 'reopened':
      // the customer's email reply: back in the queue, no agent
      app.views.context.invalidate(r.customer.id);
      r.status = 'waiting';
      r.agent = null;
      r.closed_at = 0;
      r.close = null;
      r.inOpen = true;
      break;
    default:
      break;
  }
}

/* ------------------------------------------------------------------ */
/* lists                                                               */

// A list costs the server's rate one unit, plus one per 10 of its limit.
let listCost = 0;
async function listAll(scope, extra = {}, pages = OPEN_PAGES, limit = 200) {
  const items = [];
  let before = 0;
  for (let i = 0; i < pages; i++) {
    listCost += 1 + Math.ceil(limit / 10);
    const res = await app.client.request({ type: 'list', scope, before, limit, ...extra });
    items.push(...((res && res.items) || []));
    if (!res || !res.next) break;
    before = res.next;
  }
  return items;
}

// Lists the open conversations again (and, unless quick, the agent's own).
// quick: after a feed, in pages of 50, the cheaper for the usual short queue.
let relisting = null;
let relistedAt = 0;
let relistCost = 0;
async function relist({ quick = false } = {}) {
  if (relisting) return relisting;
  relistedAt = Date.now();
  listCost = 0;
  relisting = (async () => {
    try {
      // a conversation an event, a feed or an ack told us about after the
      // lists were asked for is newer here than in them: keep it, list again
      const since = app.stamp;
      const newer = (conv) => (app.convs.get(conv)?.touched || 0) > since;
      const [open, mine] = await Promise.all([
        quick ? listAll('open', {}, OPEN_PAGES * 4, 50) : listAll('open'),
        quick ? [] : listAll('mine', {}, 2),
      ]);
      const seen = new Set();
      // the server's order: waiting in queue order, held, then assigned
      open.forEach((it, i) => {
        seen.add(it.conv);
        if (newer(it.conv)) {
          relistAgain = true;
          app.convs.get(it.conv).order = i;
          return;
        }
        const r = app.upsert(it.conv, fromItem(it));
        r.inOpen = it.status !== 'closed';
        r.order = i;
      });
      for (const r of app.convs.values()) {
        if (r.inOpen && !seen.has(r.conv) && !newer(r.conv)) {
          // closed (or gone) while we were away
          r.inOpen = false;
          if (r.status !== 'closed') r.status = 'closed';
        }
      }
      const firstTime = !app.listedOnce;
      for (const it of mine) {
        const r = newer(it.conv) ? app.convs.get(it.conv) : app.upsert(it.conv, fromItem(it));
        if (it.status === 'assigned' && r.agent && r.agent.id === app.me.id) {
          if (!app.tabs.includes(it.conv)) app.tabs.push(it.conv);
          app.watch(r);
        }
      }
      app.listedOnce = true;
      if (firstTime && !app.active && app.tabs.length) app.activate(app.tabs[0]);
    } catch (err) {
      toast(`Could not load the queue: ${errText(err)}`);
    } finally {
      relistCost = listCost;
      relisting = null;
      app.render('queue', 'tabs', 'conv', 'context', 'title');
      if (relistAgain) {
        relistAgain = false;
        relistSoon();
      }
      heldWatch();
    }
  })();
  return relisting;
}

// Feeds change the queue; the server knows its order, so list again (once
// for a burst of feeds) rather than guess it here. Lists cost rate: at most
// half the connection's rate (20 units/s) goes to them, so typing and
// sending never wait behind a refusal.
let relistTimer = 0;
let relistAgain = false;
function relistSoon(ms = 250) {
  if (relistTimer) return;
  const gap = Math.max(1000, relistCost * 100);
  relistTimer = setTimeout(() => {
    relistTimer = 0;
    if (relisting) relistAgain = true;
    else relist({ quick: true });
  }, Math.max(ms, relistedAt + gap - Date.now()));
}
app.relistSoon = relistSoon;

// A held message enters the queue when its chat opens: list again then.
let heldTimer = 0;
function heldWatch() {
  clearTimeout(heldTimer);
  let next = Infinity;
  for (const r of app.convs.values()) if (r.inOpen && r.status === 'waiting' && !r.position && r.held_until > 0) next = Math.min(next, r.held_until);
  if (next === Infinity) return;
  heldTimer = setTimeout(() => relistSoon(0), Math.min(Math.max(next - app.now() + 2000, 2000), 2 ** 31 - 1));
}

/* ------------------------------------------------------------------ */
/* attention: notifications, sound, unread in the title               */

let askedNotifications = false;
function askNotificationsOnce() {
  if (askedNotifications) return;
  askedNotifications = true;
  if (alerts.permission() === 'default') alerts.askPermission().then(updateNotifyButton);
}

function updateNotifyButton() {
  const b = $('notify-permission');
  b.hidden = !alerts.notificationsSupported() || alerts.permission() !== 'default';
}

function attentionFor(r, ev) {
  const looking = app.seeing(r.conv) && document.hasFocus();
  if (looking) return;
  // mine, or a waiting one I have open; not others' conversations I glanced at
  if (!app.isMine(r) && !(r.status === 'waiting' && app.tabs.includes(r.conv))) return;
  alerts.chime(tierInfo(r.tier).rank === 0);
  alerts.notify({
    title: `${ev.from.name || 'Customer'}${r.tier ? ` · ${cap(r.tier)}` : ''}`,
    body: ev.text || '',
    tag: `chatd-${r.conv}`,
    onClick: () => app.open(r.conv),
  });
}

function updateTitle() {
  let n = 0;
  for (const c of app.tabs) n += app.unread(c);
  const waiting = [...app.convs.values()].filter((r) => r.inOpen && r.status === 'waiting').length;
  const parts = [];
  if (n) parts.push(`(${n})`);
  parts.push(waiting ? `${waiting} waiting · Support console` : 'Support console');
  document.title = parts.join(' ');
}

/* ------------------------------------------------------------------ */
/* the client                                                          */

// The connection's words, retry countdown, and what offline disables: offline.js.
function setConnection() {
  app.views.offline.update();
}

function renderMe() {
  const el = $('me');
  const name = app.me.name || app.me.id;
  el.replaceChildren(
    h('span', { class: 'me-avatar', 'aria-hidden': 'true' }, initialsOf(name)),
    h(
      'span',
      { class: 'me-text', testid: 'me', title: `Signed in as ${name} (${app.me.id})` },
      h('span', { class: 'me-name' }, name),
      h('span', { class: 'visually-hidden' }, ', '),
      h('span', { class: 'me-role' }, cap(app.me.role)),
    ),
  );
}

function initialsOf(name) {
  const p = String(name).trim().split(/\s+/);
  return ((p[0] || '?')[0] + (p.length > 1 ? p[p.length - 1][0] : '')).toUpperCase();
}

function start() {
  hideSignin();
  const c = new ChatClient({ url: WS_URL, getToken });
  app.client = c;
  app.views.offline.follow(c);

  c.addEventListener('state', (e) => {
    const state = e.detail && e.detail.state;
    // the token pasted after a refusal was refused too: the client stopped
    // trying; a token pasted now reconnects it (see the sign-in form)
    if (state === 'failed') {
      app.authFailed = TOKEN_REFUSED;
      token = null;
      saveToken(null);
      showSignin(TOKEN_REFUSED);
    }
  });

  c.addEventListener('hello', (e) => {
    const hello = e.detail || {};
    if (typeof hello.server_time === 'number') app.skew = hello.server_time - Date.now();
    const user = hello.user || c.user || {};
    if (user.role === 'customer') {
      app.authFailed = 'That token is for a customer. The console needs an agent token.';
      c.stop();
      token = null;
      saveToken(null);
      showSignin(app.authFailed);
      return;
    }
    app.me = { id: user.id, name: user.name || user.id, role: user.role || 'agent', capacity: user.capacity || 0 };
    renderMe();
    hideSignin();
    app.views.canned.load();
    app.views.routing.onHello();
    relist().then(() => app.views.offline.fresh());
  });

  c.addEventListener('offer', (e) => app.views.routing.onOffer(e.detail || {}));
  c.addEventListener('agent', (e) => app.views.routing.onAgent(e.detail || {}));

  c.addEventListener('event', (e) => {
    const ev = e.detail;
    if (!ev || !ev.conv) return;
    const r = app.upsert(ev.conv);
    absorbEvent(r, ev);
    const live = r.synced;
    if (app.active === ev.conv) app.views.conv.onEvent(ev);
    if (live && ev.kind === 'message' && ev.from && ev.from.role === 'customer') attentionFor(r, ev);
    if (app.active === ev.conv) app.markSeen(ev.conv);
    app.render('tabs', 'queue', 'context', 'title', ev.kind === 'reopened' ? 'conv' : null);
  });

  c.addEventListener('synced', (e) => {
    const d = e.detail || {};
    const r = app.convs.get(d.conv);
    if (!r) return;
    r.synced = true;
    if (app.active === d.conv) app.markSeen(d.conv);
    app.render('tabs', 'conv', 'title');
  });

  c.addEventListener('typing', (e) => {
    const d = e.detail || {};
    if (d.conv && app.active === d.conv) app.views.conv.renderTyping();
  });

  c.addEventListener('read', (e) => {
    const d = e.detail || {};
    if (!d.conv) return;
    if (app.active === d.conv) app.views.conv.renderReceipt();
    app.render('tabs', 'title');
  });

  c.addEventListener('pending', (e) => {
    const d = e.detail || {};
    if (d.conv === app.active) app.views.conv.renderPending();
  });

  c.addEventListener('feed', (e) => onFeed(e.detail || {}));

  // auth failures: the server answers auth_failed / token_expired, then 4003
  const onError = (e) => {
    const d = e.detail || {};
    const code = d.code || (d.frame && d.frame.code);
    if (code === 'auth_failed') app.authFailed = TOKEN_REFUSED;
    else if (code === 'token_expired') app.authFailed = 'Your session expired. Paste a fresh agent token.';
    else return;
    token = null;
    saveToken(null);
    showSignin(app.authFailed);
  };
  c.addEventListener('error', onError);
  c.addEventListener('autherror', onError);
  c.addEventListener('auth_error', onError);

  c.start();
}

function onFeed(f) {
  if (!f.conv) return;
  const r = app.touch(app.upsert(f.conv));
  app.views.context.invalidate((f.customer && f.customer.id) || r.customer.id);
  switch (f.kind) {
    case 'opened': {
      app.upsert(f.conv, {
        status: 'waiting',
        summary: f.summary,
        customer: f.customer,
        tier: f.tier,
        org: f.org,
        site: f.site,
        environment: f.environment,
        opened_at: f.ts || app.now(),
        last_seq: f.seq,
      });
      r.inOpen = true;
      const looking = document.visibilityState === 'visible' && document.hasFocus();
      if (!looking) {
        alerts.chime(tierInfo(f.tier).rank === 0);
        alerts.notify({
          title: `New chat · ${tierInfo(f.tier).label}`,
          body: `${(f.customer && f.customer.name) || 'A customer'}: ${f.summary || ''}`,
          tag: `chatd-${f.conv}`,
          onClick: () => app.open(f.conv),
        });
      }
      break;
    }
    case 'assigned':
      if (r.status !== 'closed') app.upsert(f.conv, { status: 'assigned', agent: f.agent, position: 0 });
      r.inOpen = r.status !== 'closed';
      if (app.isMine(r) && !app.tabs.includes(f.conv)) app.open(f.conv, { focus: !app.active });
      break;
    case 'requeued':
      if (r.status !== 'closed') app.upsert(f.conv, { status: 'waiting', agent: null });
      r.inOpen = r.status !== 'closed';
      break;
    case 'closed':
      app.upsert(f.conv, { status: 'closed', closed_at: f.ts });
      r.inOpen = false;
      if (!r.close) r.close = { reason: f.reason || '', by: null, ts: f.ts };
      app.views.routing.onOffer({ conv: f.conv, state: 'withdrawn', reason: 'closed' });
      break;
    default:
      break;
  }
  if (['opened', 'assigned', 'requeued', 'closed'].includes(f.kind)) relistSoon();
  app.render('queue', 'tabs', 'conv', 'context', 'title');
}

/* ------------------------------------------------------------------ */
/* top bar, timers, page lifecycle                                     */

function setupTopbar() {
  const mute = $('mute');
  const paint = () => {
    const m = alerts.isMuted();
    mute.setAttribute('aria-pressed', String(m));
    mute.classList.toggle('is-muted', m);
    mute.querySelector('.mute-label').textContent = m ? 'Muted' : 'Sound on';
    mute.title = m ? 'Alerts are muted: click to turn sound and notifications on' : 'Click to mute sound and desktop notifications';
  };
  mute.addEventListener('click', () => {
    alerts.setMuted(!alerts.isMuted());
    paint();
    if (!alerts.isMuted()) askNotificationsOnce();
  });
  paint();
  window.addEventListener('storage', (e) => {
    if (e.key === 'chatd.console.muted') paint();
  });

  $('notify-permission').addEventListener('click', async () => {
    await alerts.askPermission();
    updateNotifyButton();
  });
  updateNotifyButton();

  $('sign-out').addEventListener('click', () => {
    saveToken(null);
    if (app.client) app.client.stop();
    location.hash = '';
    location.reload();
  });
}

function setupLifecycle() {
  const seeAgain = () => {
    if (app.active) app.markSeen(app.active);
  };
  document.addEventListener('visibilitychange', seeAgain);
  window.addEventListener('focus', seeAgain);
  window.addEventListener('hashchange', () => {
    const t = takeHashToken();
    if (t && t !== token) {
      saveToken(t);
      location.reload();
    }
  });
  // live clocks: waited times, typing expiry
  setInterval(() => app.views.queue.tick(), 15000);
  setInterval(() => app.render('context'), 30000);
  // keyboard: Alt+ArrowUp/Down moves between tabs
  document.addEventListener('keydown', (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    if (!app.tabs.length) return;
    e.preventDefault();
    const i = app.tabs.indexOf(app.active);
    const n = app.tabs.length;
    const next = app.tabs[(i + (e.key === 'ArrowDown' ? 1 : n - 1) + (i < 0 ? 1 : 0)) % n];
    app.activate(next);
    app.views.conv.focusComposer();
  });
}

/* ------------------------------------------------------------------ */
/* boot                                                                */

function boot() {
  alerts.unlockAudioOnGesture();
  app.views.queue = createQueue(app);
  app.views.conv = createConversation(app);
  app.views.context = createContext(app);
  app.views.canned = createCanned(app);
  app.views.routing = createRouting(app);
  app.views.screens = createScreens(app);
  app.views.offline = createOffline(app);
  setupTopbar();
  setupLifecycle();
  setConnection('connecting');

  const fromHash = takeHashToken();
  if (fromHash) saveToken(fromHash);
  token = fromHash || savedToken();
  const problem = tokenProblem(token);
  if (problem) {
    showSignin(token ? problem : null);
    return;
  }
  start();
}

boot();
