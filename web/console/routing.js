// Routing in the console: the agent's presence (online, away, offline) and
// load, the other agents and theirs, chats the server offers to this agent
// (accept or decline before the offer expires), and moving a conversation
// to another agent, back to the queue, or (admins) taking it over. A server
// that does not know these frames (unknown_type) hides all of it.

import { $, h, syncChildren } from './dom.js';
import { tierBadge } from './queue.js';
import { classLabel, topicLabel, duration } from './format.js';
import { toast, errCode, errText, trapFocus } from './ui.js';
import * as alerts from './alerts.js';

const STATUS_TEXT = { online: 'Online', away: 'Away', offline: 'Offline' };
const STATUS_ORDER = { online: 0, away: 1, offline: 2 };
const WITHDRAWN = {
  accepted: 'Accepted',
  declined: 'Declined',
  expired: 'The offer expired',
  taken: 'Another agent took it',
  closed: 'The customer closed the chat',
  busy: 'You took another chat, so it went to someone else',
  away: 'You are away',
  offline: 'You are offline',
  gone: 'No longer yours: it ran out or another agent took it',
};
const SHOW_WITHDRAWN_MS = 4000; // a withdrawn offer says why this long
const EXPIRED_GRACE_MS = 3000; // an offer past its time with no word from the server goes after this

export function createRouting(app) {
  const presenceBox = $('presence-box');
  const presence = $('presence');
  const presenceDot = $('presence-dot');
  const myLoad = $('my-load');
  const offersEl = $('offers');
  const panel = $('agents-panel');
  const list = $('agents');
  const count = $('agents-count');
  const dialog = $('transfer-dialog');
  const tForm = $('transfer-form');
  const tTitle = $('transfer-title');
  const tLead = $('transfer-lead');
  const tTo = $('transfer-to');
  const tOptions = $('transfer-options');
  const tNote = $('transfer-note');
  const tError = $('transfer-error');
  const tSubmit = $('transfer-submit');

  app.routing = null; // null: not known yet; true: the server routes; false: an older server
  app.agents = new Map(); // agent id -> {id, name, status, load, capacity, skills}
  app.offers = new Map(); // conv -> offer record
  app.topics = new Map(); // topic key -> label (from availability)

  const live = h('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const cards = h('div', { class: 'offer-list' });
  offersEl.append(h('h2', { class: 'offers-title', id: 'offers-title' }, 'Offered to you'), cards, live);
  offersEl.setAttribute('aria-labelledby', 'offers-title');
  const agentNodes = new Map();

  /* ---------------- presence and agents ---------------- */

  async function onHello() {
    try {
      const res = await app.client.request({ type: 'agents' });
      app.routing = true;
      app.agents.clear();
      for (const a of res.items || []) app.agents.set(a.id, a);
    } catch (err) {
      if (errCode(err) === 'unknown_type') app.routing = false;
      else if (errCode(err) !== 'stopped') setTimeout(() => app.client.state === 'online' && !app.agents.size && onHello(), 5000);
    }
    app.render('routing', 'queue', 'conv');
    if (app.routing) {
      // topic labels for the queue (availability answers any user)
      app.client.request({ type: 'availability' }).then(
        (a) => {
          for (const t of a.topics || []) app.topics.set(t.key, t.label || t.key);
          app.render('queue', 'context');
        },
        () => {},
      );
    }
  }

  function onAgent(f) {
    const a = f.agent;
    if (!a || !a.id) return;
    app.routing = true;
    app.agents.set(a.id, { ...app.agents.get(a.id), ...a });
    app.render('routing');
    if (dialog.open && dialog.dataset.mode === 'transfer') renderOptions();
  }

  function me() {
    return app.me && app.agents.get(app.me.id);
  }

  // load/capacity of the signed-in agent: the server's numbers, or (before
  // they come) the conversations assigned here and the hello's capacity
  function myNumbers() {
    const a = me();
    if (a) return { load: a.load || 0, capacity: a.capacity || app.me.capacity || 0, status: a.status };
    let load = 0;
    for (const r of app.convs.values()) if (r.inOpen && r.status === 'assigned' && app.isMine(r)) load++;
    return { load, capacity: app.me?.capacity || 0, status: '' };
  }

  function renderPresence() {
    presenceBox.hidden = !app.routing || !app.me;
    if (presenceBox.hidden) return;
    const n = myNumbers();
    if (n.status && !presence.dataset.busy) presence.value = n.status;
    presence.disabled = !!presence.dataset.busy || !!app.offline; // offline: the change could not be made
    presence.dataset.status = presence.value;
    presenceDot.className = `presence-dot dot-${presence.value}`;
    myLoad.textContent = n.capacity ? `${n.load}/${n.capacity} chats` : `${n.load} chats`;
    myLoad.dataset.load = String(n.load);
    myLoad.dataset.capacity = String(n.capacity || '');
    myLoad.title = n.capacity ? `You have ${n.load} of at most ${n.capacity} chats` : `You have ${n.load} chats`;
    myLoad.classList.toggle('is-full', !!n.capacity && n.load >= n.capacity);
  }

  presence.addEventListener('change', async () => {
    const status = presence.value;
    const before = me()?.status || 'online';
    // busy, not disabled: disabling the select would drop the keyboard focus
    presence.dataset.busy = '1';
    presence.setAttribute('aria-busy', 'true');
    try {
      await app.client.request({ type: 'presence', status });
      const a = me();
      if (a) a.status = status;
      if (status === 'offline' && myNumbers().load) toast('You are offline: your chats went back to the queue.');
      else toast(status === 'online' ? 'You are online: new chats will be offered to you.' : status === 'away' ? 'You are away: no new chats are offered to you.' : 'You are offline.');
    } catch (err) {
      presence.value = before;
      toast(`Could not change your status: ${errText(err)}`);
    } finally {
      delete presence.dataset.busy;
      presence.removeAttribute('aria-busy');
      renderPresence();
      renderAgents();
    }
  });

  function renderAgents() {
    panel.hidden = !app.routing;
    if (panel.hidden) return;
    const items = [...app.agents.values()].sort(
      (a, b) => (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) || String(a.name || a.id).localeCompare(String(b.name || b.id)),
    );
    const els = items.map((a) => {
      let n = agentNodes.get(a.id);
      if (!n) {
        const dot = h('span', { class: 'agent-dot', 'aria-hidden': 'true' });
        const name = h('span', { class: 'agent-name' });
        const st = h('span', { class: 'agent-status' });
        const load = h('span', { class: 'agent-load', testid: 'agent-load' });
        n = { el: h('li', { class: 'agent', testid: 'agent-item', dataset: { agent: a.id } }, dot, name, st, load), dot, name, st, load };
        agentNodes.set(a.id, n);
      }
      const mine = app.me && a.id === app.me.id;
      const status = a.status || 'offline';
      n.el.dataset.status = status;
      n.dot.className = `agent-dot dot-${status}`;
      n.name.textContent = `${a.name || a.id}${mine ? ' (you)' : ''}`;
      n.st.textContent = STATUS_TEXT[status] || status;
      n.load.textContent = a.capacity ? `${a.load || 0}/${a.capacity}` : String(a.load || 0);
      n.load.title = a.capacity ? `${a.load || 0} of at most ${a.capacity} chats` : `${a.load || 0} chats`;
      n.load.classList.toggle('is-full', !!a.capacity && (a.load || 0) >= a.capacity);
      return n.el;
    });
    for (const [id, n] of agentNodes) if (!app.agents.has(id)) (n.el.remove(), agentNodes.delete(id));
    syncChildren(list, els);
    const online = items.filter((a) => a.status === 'online').length;
    count.textContent = `${online} online`;
  }

  /* ---------------- offers ---------------- */

  function onOffer(f) {
    if (!f.conv) return;
    app.routing = true;
    if (f.state === 'offered') return offered(f);
    if (f.state === 'withdrawn') return withdrawn(f.conv, f.reason);
  }

  function offered(f) {
    let o = app.offers.get(f.conv);
    if (o) {
      // offered again (after it ran out, say): the new offer replaces the old card
      clearTimeout(o.timer);
      o.el.remove();
    }
    const r = app.upsert(f.conv, { summary: f.summary, tier: f.tier, customer: f.customer, class: f.class, topic: f.topic, out_of_scope: !!f.out_of_scope });
    o = { conv: f.conv, frame: f, expires: f.expires_at || 0, busy: null, gone: false };
    const who = (f.customer && (f.customer.name || f.customer.id)) || 'A customer';
    const countdown = h('span', { class: 'offer-countdown', testid: 'offer-countdown', 'aria-hidden': 'true' });
    const err = h('p', { class: 'offer-error', testid: 'offer-error', role: 'alert', hidden: true });
    const accept = h('button', { type: 'button', class: 'btn btn-primary btn-small', testid: 'offer-accept', onclick: () => acceptOffer(f.conv) }, 'Accept');
    const decline = h('button', { type: 'button', class: 'btn btn-ghost btn-small', testid: 'offer-decline', onclick: () => declineOffer(f.conv) }, 'Decline');
    const titleId = `offer-${f.conv}-title`;
    const flags = [
      tierBadge(f.tier),
      f.class ? h('span', { class: `klass klass-${f.class}`, testid: 'class' }, classLabel(f.class)) : null,
      f.topic ? h('span', { class: 'topic' }, topicLabel(app, f.topic)) : null,
      f.out_of_scope ? h('span', { class: 'oos', testid: 'out-of-scope', title: "Outside the customer's support package" }, 'Outside scope') : null,
    ];
    o.el = h(
      'article',
      { class: 'offer', testid: 'offer', dataset: { conv: f.conv, state: 'offered' }, 'aria-labelledby': titleId },
      h('div', { class: 'offer-top' }, h('h3', { class: 'offer-who', id: titleId }, who), countdown),
      h('div', { class: 'offer-flags' }, flags),
      h('p', { class: 'offer-summary' }, f.summary || r.summary || 'No summary'),
      err,
      h('div', { class: 'offer-actions' }, decline, accept),
    );
    Object.assign(o, { countdown, err, accept, decline });
    app.offers.set(f.conv, o);
    cards.append(o.el);
    tick();
    offersEl.hidden = false;
    app.render('queue');
    live.textContent = `New chat offered: ${who}${f.tier ? `, ${f.tier}` : ''}. ${f.summary || ''}`;
    const looking = document.visibilityState === 'visible' && document.hasFocus();
    alerts.chime(f.class === 'top_priority');
    if (!looking) {
      alerts.notify({ title: `Chat offered · ${who}`, body: f.summary || '', tag: `chatd-offer-${f.conv}`, onClick: () => o.accept.focus() });
    }
  }

  // Accept and Decline while one is under way: aria-disabled, not disabled,
  // so the keyboard focus stays on the button pressed.
  function busy(o, on) {
    for (const b of [o.accept, o.decline]) {
      if (on) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    }
  }

  function remove(conv) {
    const o = app.offers.get(conv);
    if (!o) return;
    clearTimeout(o.timer);
    const hadFocus = o.el.contains(document.activeElement);
    o.el.remove();
    // keyboard users land on the next offer, or the queue
    if (hadFocus) (cards.querySelector('[data-testid="offer-accept"]') || $('queue')).focus();
    app.offers.delete(conv);
    offersEl.hidden = !app.offers.size;
    app.render('queue');
  }

  // The offer is over: say why for a moment (not when this agent ended it).
  function withdrawn(conv, reason) {
    const o = app.offers.get(conv);
    if (!o || o.gone) return;
    if (o.busy === 'accept' && reason === 'accepted') return; // the ack finishes it
    if (o.busy === 'decline' || (reason === 'accepted' && !o.busy)) return remove(conv);
    o.gone = true;
    o.el.dataset.state = 'withdrawn';
    o.el.dataset.reason = reason || '';
    o.accept.remove();
    o.decline.remove();
    o.countdown.textContent = '';
    o.err.hidden = false;
    o.err.removeAttribute('role');
    o.err.textContent = WITHDRAWN[reason] || 'The offer was withdrawn';
    live.textContent = `Offer withdrawn: ${o.err.textContent}.`;
    app.render('queue');
    o.timer = setTimeout(() => remove(conv), SHOW_WITHDRAWN_MS);
  }

  async function acceptOffer(conv) {
    const o = app.offers.get(conv);
    if (!o || o.busy) return;
    o.busy = 'accept';
    busy(o, true);
    o.accept.textContent = 'Accepting…';
    try {
      await app.client.change({ type: 'accept', conv });
      remove(conv);
      app.touch(app.upsert(conv, { status: 'assigned', agent: { id: app.me.id, name: app.me.name }, position: 0, held_until: 0 })).inOpen = true;
      app.open(conv);
      if (app.active === conv) app.views.conv.focusComposer(); // in the task that moved the focused button
      setTimeout(() => app.active === conv && app.views.conv.focusComposer(), 50);
      app.relistSoon();
    } catch (err) {
      o.busy = null;
      const code = errCode(err);
      if (code === 'no_offer') return withdrawn(conv, 'gone');
      busy(o, false);
      o.accept.textContent = 'Accept';
      o.err.hidden = false;
      o.err.textContent = code === 'over_capacity' ? capacityText() : `Could not accept: ${errText(err)}`;
    }
  }

  async function declineOffer(conv) {
    const o = app.offers.get(conv);
    if (!o || o.busy) return;
    o.busy = 'decline';
    busy(o, true);
    try {
      await app.client.request({ type: 'decline', conv });
      remove(conv);
    } catch (err) {
      o.busy = null;
      if (errCode(err) === 'no_offer') return remove(conv);
      busy(o, false);
      o.err.hidden = false;
      o.err.textContent = `Could not decline: ${errText(err)}`;
    }
  }

  function capacityText() {
    const n = myNumbers();
    return `You are at your capacity${n.capacity ? ` (${n.load} of ${n.capacity} chats)` : ''}: close or transfer a chat first.`;
  }

  // countdowns, and offers the server never ended (a lost connection)
  function tick() {
    const now = app.now();
    for (const o of app.offers.values()) {
      if (o.gone) continue;
      const left = o.expires - now;
      if (o.expires && left < -EXPIRED_GRACE_MS) {
        remove(o.conv);
        continue;
      }
      const s = Math.max(0, Math.ceil(left / 1000));
      o.countdown.textContent = o.expires ? (s > 0 ? `${s} s` : 'expiring…') : '';
      o.countdown.title = o.expires ? `The offer goes to someone else in ${duration(Math.max(0, left))}` : '';
      o.el.classList.toggle('is-ending', !!o.expires && s <= 10);
      o.accept.setAttribute('aria-label', `Accept chat with ${o.el.querySelector('.offer-who').textContent}${o.expires ? `, ${s} seconds left` : ''}`);
    }
  }
  setInterval(tick, 1000);

  /* ---------------- transfer and takeover ---------------- */

  let tConv = null;
  let opener = null; // what had focus when the dialog opened

  function free(a) {
    return a.status === 'online' && (!a.capacity || (a.load || 0) < a.capacity) && !(app.me && a.id === app.me.id);
  }

  function renderOptions() {
    const r = tConv && app.convs.get(tConv);
    const was = tOptions.querySelector('input:checked')?.value;
    const agents = [...app.agents.values()].filter((a) => free(a) && !(r && r.agent && r.agent.id === a.id));
    agents.sort((a, b) => (a.load || 0) - (b.load || 0) || String(a.name || a.id).localeCompare(String(b.name || b.id)));
    const opt = (value, label, sub) => {
      const id = `transfer-opt-${value || 'queue'}`;
      return h(
        'label',
        { class: 'transfer-opt', for: id },
        h('input', { type: 'radio', name: 'to', id, value, testid: 'transfer-option', dataset: { agent: value } }),
        h('span', { class: 'transfer-opt-name' }, label),
        sub ? h('span', { class: 'transfer-opt-sub' }, sub) : null,
      );
    };
    const els = agents.map((a) =>
      opt(a.id, a.name || a.id, `${a.load || 0}/${a.capacity || '?'} chats${a.skills && a.skills.length ? ` · ${a.skills.join(', ')}` : ''}`),
    );
    if (!agents.length) els.push(h('p', { class: 'transfer-none' }, 'No other agent is online with room for another chat.'));
    els.push(opt('', 'Back to the queue', 'The next free agent gets it, in its original place'));
    tOptions.replaceChildren(...els);
    const pick = (was !== undefined && tOptions.querySelector(`input[value="${CSS.escape(was)}"]`)) || tOptions.querySelector('input');
    if (pick) pick.checked = true;
  }

  function openDialog(conv, mode) {
    const r = app.convs.get(conv);
    if (!r) return;
    tConv = conv;
    dialog.dataset.mode = mode;
    const who = r.customer.name || r.customer.id || 'the customer';
    tError.hidden = true;
    tError.textContent = '';
    tNote.value = '';
    tSubmit.removeAttribute('aria-disabled');
    if (mode === 'takeover') {
      tTitle.textContent = 'Take over conversation';
      tLead.textContent = `You take ${who}'s conversation from ${r.agent ? r.agent.name : 'its agent'}. A note is optional.`;
      tTo.hidden = true;
      tSubmit.textContent = 'Take over';
    } else {
      tTitle.textContent = 'Transfer conversation';
      tLead.textContent = `Hand ${who}'s conversation to another agent, or put it back in the queue.`;
      tTo.hidden = false;
      tSubmit.textContent = 'Transfer';
      tOptions.replaceChildren();
      renderOptions();
    }
    opener = document.activeElement;
    dialog.showModal();
    (mode === 'transfer' ? tOptions.querySelector('input:checked') || tNote : tNote).focus();
  }

  trapFocus(dialog);
  dialog.addEventListener('close', () => {
    tConv = null;
    // back where the agent was (Transfer or Take over), if still shown;
    // else the composer, else the queue: never into a hidden element
    const back = opener;
    opener = null;
    requestAnimationFrame(() => {
      if (back && back.isConnected && back.checkVisibility()) back.focus();
      else app.views.conv.focusComposer();
      const at = document.activeElement;
      if (!at || at === document.body || !at.checkVisibility()) $('queue').focus();
    });
  });
  $('transfer-cancel').addEventListener('click', () => dialog.close());

  tForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const conv = tConv;
    if (!conv || tSubmit.getAttribute('aria-disabled') === 'true') return;
    const mode = dialog.dataset.mode;
    const note = tNote.value.trim();
    if (new TextEncoder().encode(note).length > 4096) {
      tError.hidden = false;
      tError.textContent = 'The note is too long: keep it under 4096 characters.';
      return;
    }
    const frame = { type: mode, conv };
    let target = null;
    if (mode === 'transfer') {
      const to = tOptions.querySelector('input:checked')?.value || '';
      if (to) {
        frame.to = to;
        target = app.agents.get(to);
      }
    }
    if (note) frame.note = note;
    tSubmit.setAttribute('aria-disabled', 'true'); // not disabled: focus stays on it
    tError.hidden = true;
    try {
      await app.client.change(frame);
      dialog.close();
      app.touch(app.upsert(conv));
      if (mode === 'takeover') {
        app.upsert(conv, { status: 'assigned', agent: { id: app.me.id, name: app.me.name } });
        app.open(conv);
        toast('The conversation is yours now.');
      } else {
        const wasMine = app.isMine(app.convs.get(conv));
        if (target) app.upsert(conv, { status: 'assigned', agent: { id: target.id, name: target.name || target.id } });
        else app.upsert(conv, { status: 'waiting', agent: null });
        toast(target ? `Transferred to ${target.name || target.id}.` : 'The conversation is back in the queue.');
        if (wasMine) app.hideTab(conv);
      }
      app.relistSoon();
    } catch (err) {
      tSubmit.removeAttribute('aria-disabled');
      tError.hidden = false;
      const code = errCode(err);
      tError.textContent =
        code === 'agent_unavailable'
          ? 'That agent is no longer available: pick someone else, or the queue.'
          : code === 'over_capacity'
            ? capacityText()
            : `Could not ${mode === 'takeover' ? 'take over' : 'transfer'}: ${errText(err)}`;
      if (code === 'agent_unavailable') app.client.request({ type: 'agents' }).then((res) => {
        for (const a of res.items || []) app.agents.set(a.id, a);
        renderOptions();
        app.render('routing');
      }, () => {});
    }
  });

  function render() {
    renderPresence();
    renderAgents();
  }

  return {
    onHello,
    onAgent,
    onOffer,
    render,
    transfer: (conv) => openDialog(conv, 'transfer'),
    takeover: (conv) => openDialog(conv, 'takeover'),
    offeredToMe: (conv) => app.offers.has(conv) && !app.offers.get(conv).gone,
    accept: acceptOffer,
    capacityText,
  };
}
