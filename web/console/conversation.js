// The middle column: tabs for the conversations the agent has open, and the
// active conversation (messages, typing, read receipt, composer, close).

import { $, h, syncChildren } from './dom.js';
import { setText } from '../lib/text.js';
import { isFormatted, setMarkdown } from '../lib/markdown.js';
import { clock, when, fullDate, duration, initials, tierInfo } from './format.js';
import { tierBadge, envBadge } from './queue.js';
import { attachCannedPopup } from './canned.js';

const GROUP_MS = 5 * 60 * 1000; // consecutive messages closer than this share a header

export function createConversation(app) {
  const tabsEl = $('tabs');
  const section = $('conv');
  const emptyEl = $('conv-empty');
  const titleEl = $('conv-title');
  const subEl = $('conv-sub');
  const closeForm = $('conv-close');
  const closeReason = $('close-reason');
  const banner = $('conv-banner');
  const messagesEl = $('messages');
  const typingEl = $('typing');
  const form = $('composer-form');
  const composer = $('composer');
  const sendBtn = $('send');
  const noteBtn = $('send-note');
  const blocked = $('composer-blocked');
  const hint = $('composer-hint');
  // what formatting works (lib/markdown.js), next to the buttons
  const formats = /* i18n */ 'Formatting: **bold** *italic* `code` ``` code block ``` - list 1. list [text](https://…)';
  const formatHint = h('span', { class: 'composer-format', id: 'composer-format', title: formats }, formats);
  blocked.after(formatHint);
  composer.setAttribute('aria-describedby', `${composer.getAttribute('aria-describedby') || ''} composer-format`.trim());
  const transferBtn = $('transfer-btn');
  const takeoverBtn = $('takeover-btn');

  const tabNodes = new Map();
  const drafts = new Map(); // conv -> {text, mode}
  let shown = null; // conv whose messages are on screen
  let rendered = { last: 0, count: 0, cids: new Set(), lastEl: null, lastFrom: null, lastTs: 0 };
  const pendingEl = h('div', { class: 'pending-list' });
  const receipt = h('div', { testid: 'read-receipt', class: 'read-receipt' });
  let mode = 'reply';

  /* ---------------- tabs ---------------- */

  function buildTab(conv) {
    const dot = h('span', { class: 'tab-tier', 'aria-hidden': 'true' });
    const avatar = h('span', { class: 'tab-avatar', 'aria-hidden': 'true' });
    const name = h('span', { class: 'tab-name' });
    const sub = h('span', { class: 'tab-sub' });
    const unread = h('span', { testid: 'unread', class: 'badge-unread' });
    const btn = h(
      'button',
      { type: 'button', class: 'tab-btn', 'aria-controls': 'conv', onclick: () => app.activate(conv) },
      avatar,
      h('span', { class: 'tab-text' }, name, sub),
      unread,
      dot,
    );
    const x = h(
      'button',
      {
        type: 'button',
        class: 'tab-x',
        onclick: () => {
          app.hideTab(conv);
          // the tab goes: focus to the active one's, or the queue
          requestAnimationFrame(() => {
            const next = app.active && tabNodes.get(app.active)?.btn;
            (next && next.isConnected ? next : $('queue')).focus();
          });
        },
      },
      '×',
    );
    const el = h('div', { class: 'tab', role: 'listitem', testid: 'conv-tab', dataset: { conv } }, btn, x);
    btn.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = app.tabs.indexOf(conv);
      const n = app.tabs.length;
      const next = app.tabs[(i + (e.key === 'ArrowRight' ? 1 : n - 1)) % n];
      e.preventDefault();
      app.activate(next);
      tabNodes.get(next)?.btn.focus();
    });
    function update() {
      const r = app.convs.get(conv);
      if (!r) return;
      const who = r.customer.name || r.customer.id || 'Customer';
      const active = app.active === conv;
      el.classList.toggle('is-active', active);
      el.dataset.status = r.status;
      el.dataset.tier = r.tier || '';
      if (active) btn.setAttribute('aria-current', 'true');
      else btn.removeAttribute('aria-current');
      avatar.textContent = initials(who);
      avatar.className = `tab-avatar tier-bg-${r.tier || 'none'}`;
      name.textContent = who;
      sub.textContent = r.readonly ? 'Earlier · read-only' : r.status === 'closed' ? 'Closed' : r.status === 'waiting' ? 'Waiting' : app.isMine(r) ? r.summary || 'Assigned to you' : `With ${r.agent ? r.agent.name : 'another agent'}`;
      const n = app.unread(conv);
      unread.textContent = n > 99 ? '99+' : String(n);
      unread.hidden = !n;
      unread.setAttribute('aria-label', `${n} unread`);
      x.setAttribute('aria-label', `Hide ${who}'s conversation from tabs`);
      x.title = 'Hide tab (the conversation stays open)';
      btn.title = `${who}: ${r.summary || ''}`;
    }
    return { el, btn, update };
  }

  function renderTabs() {
    for (const [conv, n] of tabNodes) {
      if (!app.tabs.includes(conv)) {
        n.el.remove();
        tabNodes.delete(conv);
      }
    }
    const els = app.tabs.map((conv) => {
      let n = tabNodes.get(conv);
      if (!n) {
        n = buildTab(conv);
        tabNodes.set(conv, n);
      }
      n.update();
      return n.el;
    });
    syncChildren(tabsEl, els);
    tabsEl.hidden = !app.tabs.length;
  }

  /* ---------------- messages ---------------- */

  function sideOf(ev) {
    return ev.from && ev.from.role === 'customer' ? 'them' : 'us';
  }

  function messageEl(ev) {
    const r = app.convs.get(ev.conv);
    const mine = !!(ev.from && app.me && ev.from.id === app.me.id);
    const base = {
      testid: 'message',
      dataset: { seq: String(ev.seq), kind: ev.kind, mine: String(mine) },
    };
    const who = (ev.from && (ev.from.name || ev.from.id)) || 'Someone';
    const time = h('time', { class: 'msg-time', datetime: new Date(ev.ts || 0).toISOString(), title: fullDate(ev.ts) }, when(ev.ts, app.now()));

    if (ev.kind === 'joined' || ev.kind === 'closed' || ev.kind === 'left' || ev.kind === 'reopened') {
      const text = systemText(ev, mine ? 'You' : who);
      return h('div', { ...base, class: `msg msg-system msg-${ev.kind}`, role: 'note' }, h('span', { testid: 'message-text', class: 'msg-system-text' }, text), h('span', { 'aria-hidden': 'true' }, '·'), time);
    }

    const side = sideOf(ev);
    const continued =
      ev.kind === 'message' &&
      rendered.lastFrom === (ev.from && ev.from.id) &&
      rendered.lastKind === 'message' &&
      ev.ts - rendered.lastTs < GROUP_MS;
    const textEl = h('div', { testid: 'message-text', class: 'msg-text' });
    if (ev.kind === 'opened') {
      setText(textEl, (ev.details && ev.details.summary) || '(no summary)');
    } else {
      // agents' messages and notes are Markdown; customers' are plain text
      (isFormatted(ev.from, ev.channel) ? setMarkdown : setText)(textEl, ev.text || '');
    }
    let label = null;
    if (ev.kind === 'note') label = h('span', { class: 'msg-label msg-label-note' }, 'Internal note');
    else if (ev.kind === 'opened') label = h('span', { class: 'msg-label' }, 'Opened the chat');
    else if (ev.channel === 'email') label = h('span', { class: 'msg-label msg-label-email', testid: 'via-email' }, 'via email');
    const head = h('div', { class: 'msg-head' }, h('span', { class: 'msg-who' }, mine ? 'You' : who), label, time);
    const el = h(
      'div',
      {
        ...base,
        class: `msg msg-${side} msg-kind-${ev.kind}${continued ? ' is-continued' : ''}`,
        'aria-label': ev.kind === 'note' ? `Internal note from ${mine ? 'you' : who}` : null,
      },
      head,
      h('div', { class: 'msg-bubble' }, textEl),
    );
    if (ev.kind === 'opened' && r && r.tier) el.querySelector('.msg-head').append(tierBadge(r.tier));
    return el;
  }

  // joined (via claim, offer, transfer, takeover; by whom), left (why, to
  // whom), closed and reopened (by the customer's email reply), as one line
  function systemText(ev, who) {
    const name = (u) => (u && app.me && u.id === app.me.id ? 'you' : (u && (u.name || u.id)) || 'another agent');
    if (ev.kind === 'closed') return `${who} closed the conversation${ev.reason ? `: ${ev.reason}` : ''}`;
    if (ev.kind === 'reopened') return `Conversation reopened by an email reply from ${who}`;
    if (ev.kind === 'joined') {
      if (ev.via === 'offer') return `${who} accepted the offered chat`;
      if (ev.via === 'transfer') return `${who} joined${ev.by ? `, transferred by ${name(ev.by)}` : ' by transfer'}`;
      if (ev.via === 'takeover') return `${who} took over the conversation`;
      if (ev.by) return `${who} joined, assigned by ${name(ev.by)}`;
      return `${who} joined the conversation`;
    }
    if (ev.reason === 'transfer') return `${who} transferred the conversation to ${name(ev.to)}`;
    if (ev.reason === 'takeover') return `${who} left: taken over by ${name(ev.to)}`;
    if (ev.reason === 'offline') return `${who} went offline; the conversation is back in the queue`;
    if (ev.reason === 'queue') return `${who} put the conversation back in the queue`;
    return `${who} left the conversation`;
  }

  function nearBottom() {
    return messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
  }

  function scrollDown() {
    messagesEl.scrollTop = messagesEl.scrollHeight;
  }

  function appendEvent(ev) {
    const el = messageEl(ev);
    messagesEl.insertBefore(el, pendingEl);
    rendered.last = ev.seq;
    rendered.count++;
    rendered.lastFrom = ev.from && ev.from.id;
    rendered.lastKind = ev.kind;
    rendered.lastTs = ev.ts || 0;
    if (ev.client_id) rendered.cids.add(ev.client_id);
  }

  function renderAllMessages() {
    const conv = shown;
    rendered = { last: 0, count: 0, cids: new Set(), lastFrom: null, lastKind: null, lastTs: 0 };
    messagesEl.replaceChildren(pendingEl);
    if (!conv) return;
    const r = app.convs.get(conv);
    const evs = app.events(conv);
    if (!evs.length) {
      const loading = r && (r.historyLoading || (r.watched && !r.synced));
      const err = r && r.historyError;
      messagesEl.insertBefore(
        h('div', { class: 'messages-empty' }, err ? `Could not load this conversation: ${err}` : loading ? 'Loading conversation…' : 'No messages yet.'),
        pendingEl,
      );
    }
    for (const ev of evs) appendEvent(ev);
    renderPending();
    renderReceipt();
    scrollDown();
  }

  function onEvent(ev) {
    if (ev.conv !== shown) return;
    const evs = app.events(shown);
    if (ev.seq > rendered.last && evs.length === rendered.count + 1) {
      const stick = nearBottom() || (ev.from && app.me && ev.from.id === app.me.id);
      messagesEl.querySelector('.messages-empty')?.remove();
      appendEvent(ev);
      renderPending();
      renderReceipt();
      if (stick) scrollDown();
    } else {
      renderAllMessages(); // out of order or missed: start over
    }
    renderTyping();
  }

  function renderPending() {
    const items = shown && app.client ? app.client.pending(shown) : [];
    const els = [];
    for (const p of items) {
      if ((p.type !== 'send' && p.type !== 'note') || rendered.cids.has(p.client_id)) continue;
      const note = p.type === 'note';
      const state = app.client.state !== 'online' ? 'Waiting for connection…' : p.retrying ? 'Retrying…' : 'Sending…';
      const textEl = h('div', { class: 'msg-text' });
      (isFormatted(app.me, 'chat') ? setMarkdown : setText)(textEl, p.text || '');
      els.push(
        h(
          'div',
          { class: `msg msg-us msg-kind-${note ? 'note' : 'message'} is-pending`, 'aria-label': `${note ? 'Note' : 'Message'} not yet delivered` },
          h('div', { class: 'msg-head' }, h('span', { class: 'msg-who' }, 'You'), note ? h('span', { class: 'msg-label msg-label-note' }, 'Internal note') : null, h('span', { class: 'msg-time' }, state)),
          h('div', { class: 'msg-bubble' }, textEl),
        ),
      );
    }
    const stick = nearBottom();
    pendingEl.replaceChildren(...els);
    if (stick) scrollDown();
  }

  /** "Seen by Ann" under the last of our messages the customer has read. */
  function renderReceipt() {
    const r = shown && app.convs.get(shown);
    if (!r || r.readonly || !r.customer.id) {
      receipt.remove();
      return;
    }
    const seen = Number(app.reads(shown)[r.customer.id] || 0);
    let target = null;
    for (const el of messagesEl.querySelectorAll('.msg-us[data-kind=message]')) {
      if (Number(el.dataset.seq) <= seen) target = el;
    }
    if (!target) {
      receipt.remove();
      return;
    }
    receipt.dataset.seq = String(seen);
    receipt.textContent = `Seen by ${r.customer.name || 'the customer'}`;
    receipt.title = `${r.customer.name || 'The customer'} has read up to message #${seen}`;
    if (receipt.parentNode !== target) target.append(receipt);
  }

  function renderTyping() {
    const typers = shown && app.client ? app.client.typers(shown).filter((t) => !app.me || t.id !== app.me.id) : [];
    if (!typers.length) {
      typingEl.hidden = true;
      typingEl.textContent = '';
      return;
    }
    const names = typers.map((t) => t.name || (t.role === 'customer' ? 'The customer' : 'An agent'));
    typingEl.replaceChildren(
      h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')),
      names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`,
    );
    typingEl.hidden = false;
  }

  /* ---------------- header, banner, composer ---------------- */

  function replyBlock(r) {
    if (!r || r.readonly || r.status === 'closed') return 'closed';
    if (r.status === 'waiting' || !r.agent) return 'unclaimed';
    if (!app.isMine(r)) return 'other';
    return '';
  }

  function renderChrome() {
    const r = shown && app.convs.get(shown);
    section.hidden = !r;
    emptyEl.hidden = !!r;
    if (!r) return;
    const who = r.customer.name || r.customer.id || 'Customer';
    titleEl.replaceChildren(h('span', { class: 'conv-name' }, who), tierBadge(r.tier));
    const status =
      r.readonly || r.status === 'closed'
        ? h('span', { class: 'status status-closed' }, 'Closed')
        : r.status === 'waiting'
          ? h('span', { class: 'status status-waiting' }, `Waiting ${duration(app.now() - (r.opened_at || app.now()))}`)
          : h('span', { class: `status status-assigned${app.isMine(r) ? ' is-me' : ''}` }, app.isMine(r) ? 'Assigned to you' : `With ${r.agent ? r.agent.name : 'an agent'}`);
    subEl.replaceChildren(
      status,
      envBadge(r.environment) || '',
      h('span', { class: 'conv-summary', title: r.summary || '' }, r.summary || ''),
    );

    const closed = r.readonly || r.status === 'closed';
    closeForm.hidden = closed;
    // transfer: the holder (or an admin); take over: admins, on others' chats
    const routing = app.routing !== false;
    const admin = app.me && app.me.role === 'admin';
    const held = !closed && r.status === 'assigned' && r.agent;
    transferBtn.hidden = !(routing && held && (app.isMine(r) || admin));
    takeoverBtn.hidden = !(routing && held && admin && !app.isMine(r));

    // banner
    if (r.readonly) {
      banner.hidden = false;
      banner.className = 'conv-banner banner-readonly';
      banner.replaceChildren(
        h('strong', null, 'Earlier conversation'),
        ` · read-only${r.close && r.close.ts ? ` · closed ${fullDate(r.close.ts)}` : r.closed_at ? ` · closed ${fullDate(r.closed_at)}` : ''}`,
        r.close && r.close.reason ? ` · “${r.close.reason}”` : '',
      );
    } else if (r.status === 'closed') {
      banner.hidden = false;
      banner.className = 'conv-banner banner-closed';
      const by = r.close && r.close.by ? (app.me && r.close.by.id === app.me.id ? 'you' : r.close.by.name) : '';
      banner.replaceChildren(
        h('strong', null, 'Closed'),
        by ? ` by ${by}` : '',
        r.close && r.close.ts ? ` at ${clock(r.close.ts)}` : '',
        r.close && r.close.reason ? ` · “${r.close.reason}”` : '',
      );
    } else {
      banner.hidden = true;
    }

    // composer
    const block = replyBlock(r);
    form.hidden = block === 'closed';
    form.dataset.mode = mode;
    for (const b of form.querySelectorAll('.mode')) b.setAttribute('aria-checked', String(b.dataset.mode === mode));
    composer.placeholder = mode === 'note' ? 'Write an internal note: only agents see it…' : block ? 'Write a note, or claim the conversation to reply…' : `Reply to ${who}…`;
    composer.setAttribute('aria-label', mode === 'note' ? 'Internal note' : `Reply to ${who}`);
    sendBtn.disabled = !!block;
    sendBtn.title = block === 'unclaimed' ? 'Claim the conversation to reply' : block === 'other' ? 'Another agent has this conversation' : 'Send to the customer (Enter)';
    noteBtn.title = 'Add an internal note only agents see';
    if (block === 'unclaimed') {
      blocked.hidden = false;
      blocked.replaceChildren(
        'Claim this conversation to reply. ',
        h('button', { type: 'button', class: 'btn btn-link', onclick: () => app.claim(r.conv) }, 'Claim now'),
      );
    } else if (block === 'other') {
      blocked.hidden = false;
      blocked.textContent = `${r.agent ? r.agent.name : 'Another agent'} has this conversation. You can add internal notes.`;
    } else {
      blocked.hidden = true;
      blocked.textContent = '';
    }
    formatHint.hidden = !blocked.hidden;
  }

  // A control that had the keyboard focus and went (the close form and the
  // composer when the conversation closes, Transfer when it moves on):
  // focus goes to the messages, or the queue, never into a hidden element.
  function keepFocus() {
    const at = document.activeElement;
    if (!at || at === document.body || !(section.contains(at) || tabsEl.contains(at)) || at.checkVisibility()) return;
    if (messagesEl.checkVisibility()) messagesEl.focus();
    else $('queue').focus();
  }

  function render() {
    if (shown !== app.active) switchTo(app.active);
    renderChrome();
    keepFocus();
    if (shown) {
      const evs = app.events(shown);
      if (evs.length !== rendered.count) renderAllMessages();
      else if (!evs.length) renderAllMessages();
      renderPending();
      renderReceipt();
      renderTyping();
    }
  }

  function saveDraft() {
    if (shown) drafts.set(shown, { text: composer.value, mode });
  }

  function switchTo(conv) {
    if (shown === conv) return;
    if (shown) {
      saveDraft();
      if (app.client) app.client.typing(shown, false);
    }
    shown = conv;
    const d = (conv && drafts.get(conv)) || { text: '', mode: 'reply' };
    composer.value = d.text;
    mode = d.mode;
    closeReason.value = '';
    canned.close();
    renderChrome();
    renderAllMessages();
    renderTyping();
  }

  function restoreDraft(conv, text) {
    if (conv === shown) {
      if (!composer.value.trim()) composer.value = text;
    } else {
      const d = drafts.get(conv);
      if (!d || !d.text.trim()) drafts.set(conv, { text, mode: d ? d.mode : 'reply' });
    }
  }

  function setMode(m) {
    mode = m;
    if (shown && app.client && m === 'note') app.client.typing(shown, false);
    renderChrome();
    composer.focus();
  }

  async function submit(kind) {
    const r = shown && app.convs.get(shown);
    if (!r) return;
    const text = composer.value;
    if (!text.trim()) {
      composer.focus();
      return;
    }
    if (kind === 'send' && replyBlock(r)) {
      blocked.classList.remove('flash');
      void blocked.offsetWidth;
      blocked.classList.add('flash');
      return;
    }
    app.client.typing(r.conv, false);
    const ok = await app.send(r.conv, kind, text.replace(/\s+$/, ''));
    if (ok) {
      composer.value = '';
      drafts.delete(r.conv);
      canned.close();
    }
    composer.focus();
  }

  /* ---------------- wiring ---------------- */

  const canned = attachCannedPopup(app, composer, $('canned-popup'));

  for (const b of form.querySelectorAll('.mode')) b.addEventListener('click', () => setMode(b.dataset.mode));
  form.querySelector('.composer-modes').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      setMode(mode === 'reply' ? 'note' : 'reply');
      form.querySelector(`.mode[data-mode=${mode}]`).focus();
    }
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit('send');
  });
  noteBtn.addEventListener('click', () => submit('note'));
  transferBtn.addEventListener('click', () => shown && app.views.routing.transfer(shown));
  takeoverBtn.addEventListener('click', () => shown && app.views.routing.takeover(shown));

  composer.addEventListener('keydown', (e) => {
    if (canned.onKeyDown(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey) {
      e.preventDefault();
      // Ctrl/Cmd+Enter always adds a note; Enter does what the mode says
      submit(e.ctrlKey || e.metaKey || mode === 'note' ? 'note' : 'send');
    }
  });

  composer.addEventListener('input', () => {
    const r = shown && app.convs.get(shown);
    // never tell the customer we are "typing" an internal note
    if (r && mode === 'reply' && !replyBlock(r) && composer.value.trim()) app.client.typing(r.conv, true);
    canned.onInput();
  });
  composer.addEventListener('blur', () => saveDraft());

  closeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!shown) return;
    const reason = closeReason.value.trim();
    app.closeConv(shown, reason);
    closeReason.value = '';
  });

  messagesEl.addEventListener('scroll', () => {
    if (shown && nearBottom()) app.markSeen(shown);
  });

  return {
    renderTabs,
    render,
    switchTo,
    onEvent,
    renderPending,
    renderReceipt,
    renderTyping,
    restoreDraft,
    focusComposer() {
      if (!form.hidden) composer.focus();
    },
    tierInfo,
  };
}
