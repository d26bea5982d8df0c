// One conversation: its events in seq order, our unacked messages as
// "sending…", the agent's typing, "Seen" on our last message the agent has
// read, the composer and closing, and "Email me the transcript". Messages
// that came by email say so. A closed conversation the client is not
// watching is loaded once with `history` and shown read-only, until an
// email reply reopens it.

import { h, icon, listen, clock, fullDate, ago, bytes } from '../dom.js';
import { setText } from '../../lib/text.js';
import { isFormatted, setMarkdown } from '../../lib/markdown.js';
import { STATUS, statusOf } from './home.js';
import { positionText, opensText } from '../avail.js';
import { transcriptAction } from '../transcript.js';

const KINDS = ['message', 'opened', 'joined', 'left', 'closed', 'reopened'];
const ENVS = { multidev: 'Multidev', dev: 'Dev', test: 'Test', live: 'Live' };
const DETAILS = [
  ['environment', 'Environment'],
  ['steps', 'Steps to reproduce'],
  ['began', 'Began'],
  ['errors', 'Error messages'],
];
const ERRORS = {
  conversation_closed: 'this conversation is closed',
  too_large: 'the message is too long',
  forbidden: 'you cannot write in this conversation',
};
const why = (f) => ERRORS[f.code] || f.message || f.code;

export function conversationView(app, conv) {
  const { client } = app;
  const info = () => app.convs.get(conv) || {};
  const live = client.synced(conv) || info().status !== 'closed';
  let closed = !live;
  let agent = info().agent;
  const els = new Map(); // seq -> element
  const pend = new Map(); // client_id -> element of an unacked message

  // --- header and status bar ---------------------------------------------
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  const who = h('strong');
  const summary = h('span', { class: 'sub' });
  const chip = h('span', { class: 'chip' });
  const since = h('time', { class: 'since' });
  const endBtn = h('button', { class: 'btn ghost sm', type: 'button', testid: 'close-conversation', onclick: askClose }, 'End chat');

  // a: the agent now (null: none, back in the queue); undefined keeps it
  function setAgent(a) {
    if (a !== undefined) agent = a;
    avatar.textContent = agent ? (agent.name || '?')[0].toUpperCase() : '';
    avatar.hidden = !agent;
    const waiting = heldUntil() > client.now() ? 'Message saved' : 'Waiting for an agent…';
    who.replaceChildren(agent ? h('span', { testid: 'agent-name' }, agent.name || 'Support') : closed ? 'Conversation' : waiting);
  }

  function setBar() {
    const c = info();
    const status = closed ? 'closed' : agent ? 'assigned' : statusOf({ status: c.status || 'waiting', held_until: heldUntil() }, client.now());
    chip.className = `chip st-${status}`;
    chip.textContent = STATUS[status];
    summary.textContent = c.summary || '';
    const [what, at] = closed && c.closed_at ? ['closed', c.closed_at] : ['opened', c.opened_at];
    if (at) {
      since.dateTime = new Date(at).toISOString();
      since.title = fullDate(at);
      since.textContent = `${what} ${ago(at, client.now())}`;
    }
  }

  // --- messages -------------------------------------------------------------
  const list = h('div', { class: 'msgs', testid: 'messages', tabindex: '0', role: 'log', 'aria-label': 'Messages' });
  const typingSlot = h('div', { class: 'typing-slot', 'aria-live': 'polite' });
  const seen = h('span', { class: 'seen', testid: 'read-receipt' }, 'Seen');
  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const toBottom = () => (list.scrollTop = list.scrollHeight);

  const stamp = (ts) => h('time', { datetime: new Date(ts).toISOString(), title: fullDate(ts) }, clock(ts, client.now()));

  // an agent's message is Markdown (lib/markdown.js); the customer's own,
  // and whatever came by email, is plain text with links
  function bubble(attrs, from, text, meta, channel) {
    const mine = from?.id === app.me();
    return h(
      'div',
      { ...attrs, testid: 'message', 'data-kind': 'message', 'data-mine': String(mine), 'data-from': from?.id, class: `msg ${mine ? 'mine' : 'theirs'}` },
      mine ? null : h('div', { class: 'who' }, from?.name || 'Support'),
      (isFormatted(from, channel) ? setMarkdown : setText)(h('div', { class: 'bubble', testid: 'message-text' }), text),
      h('div', { class: 'meta' }, meta),
    );
  }

  function details(d = {}) {
    const rows = DETAILS.filter(([k]) => d[k]).map(([k, label]) => [h('dt', null, label), setText(h('dd'), k === 'environment' ? ENVS[d[k].toLowerCase()] || d[k] : d[k])]);
    if (d.screenshots?.length) rows.push([h('dt', null, 'Screenshots'), setText(h('dd'), d.screenshots.join('\n'))]);
    return rows.length ? h('dl', null, rows) : null;
  }

  // "via email · 14:05" under a message that came by email
  function render(e) {
    const email = e.channel === 'email' ? [h('span', { class: 'via', testid: 'via-email' }, 'via email'), ' · '] : null;
    if (e.kind === 'message') return bubble({ 'data-seq': e.seq }, e.from, e.text, [email, stamp(e.ts)], e.channel);
    const attrs = { testid: 'message', 'data-seq': e.seq, 'data-kind': e.kind, 'data-mine': String(e.from?.id === app.me()) };
    if (e.kind === 'opened') {
      return h('div', { ...attrs, class: 'card' }, h('div', { class: 'card-t' }, 'Your request · ', stamp(e.ts)), setText(h('p', { class: 'card-sum' }), e.details?.summary), details(e.details));
    }
    const name = e.from?.id === app.me() ? 'You' : e.from?.name || 'Support';
    return h('div', { ...attrs, class: 'sys', role: 'note' }, h('span', { testid: 'message-text' }, sysText(e, name)), ' · ', stamp(e.ts));
  }

  // Who is with the customer: joins, transfers, the way back to the queue.
  function sysText(e, name) {
    if (e.kind === 'joined') return `${name} joined the conversation`;
    if (e.kind === 'closed') return `${name} closed the conversation${e.reason ? `: “${e.reason}”` : ''}`;
    if (e.kind === 'reopened') return 'Conversation reopened by an email reply';
    const to = e.to?.name || 'another agent';
    if (e.reason === 'transfer') return `${name} transferred you to ${to}`;
    if (e.reason === 'takeover') return `${to} took over from ${name}`;
    if (e.reason === 'offline') return `${name} went offline; you are back in the queue`;
    return `${name} left; you are back in the queue`;
  }

  // --- waiting: place in line, or a message held for the next opening -------
  const waitLine = h('div', { class: 'waitline', role: 'status', 'aria-live': 'polite', hidden: true });
  let heldTimer = 0;
  function heldUntil() {
    let t = info().held_until || 0;
    const opened = client.events(conv).find((e) => e.kind === 'opened');
    if (opened) t = opened.held_until || 0; // the event is the truth (omitted: not held)
    return t;
  }
  function renderWait() {
    clearTimeout(heldTimer);
    const held = heldUntil();
    const q = app.queue.get(conv);
    if (closed || agent) {
      waitLine.hidden = true;
      waitLine.replaceChildren();
      return;
    }
    if (held > client.now()) {
      waitLine.hidden = false;
      waitLine.className = 'waitline held';
      waitLine.replaceChildren(
        h(
          'span',
          { testid: 'held', 'data-held-until': String(held) },
          h('strong', null, 'Chat is closed now. '),
          `Your message is saved and waits for the next opening, ${opensText(held, client.now())}. We will answer here; you can close this page meanwhile.`,
        ),
      );
      heldTimer = setTimeout(() => (setAgent(), setBar(), renderWait()), Math.min(held - client.now() + 500, 2 ** 31 - 1));
      return;
    }
    // a server that routes (it answered availability) sends the place in
    // line soon: keep its room from the start, so nothing jumps
    waitLine.className = 'waitline';
    waitLine.hidden = !q && !app.avail;
    waitLine.replaceChildren(
      q ? h('span', { testid: 'queue-position', 'data-position': String(q.position), 'data-eta': q.eta_ms ?? '' }, positionText(q)) : h('span', { class: 'finding' }, 'Finding your place in line…'),
    );
  }

  function add(e) {
    if (els.has(e.seq) || !KINDS.includes(e.kind)) return;
    // our own message arriving: the "sending…" bubble becomes it, so screen
    // readers do not hear it twice and nothing jumps
    let el = pend.get(e.client_id);
    if (el && e.from?.id === app.me()) {
      pend.delete(e.client_id);
      el.removeAttribute('data-pending');
      el.dataset.seq = e.seq;
      el.querySelector('.meta').replaceChildren(stamp(e.ts));
    } else el = render(e);
    els.set(e.seq, el);
    const next = [...list.children].find((c) => c.dataset.pending || +c.dataset.seq > e.seq);
    list.insertBefore(el, next || null);
    const prev = el.previousElementSibling;
    if (prev?.dataset.kind === 'message' && prev.dataset.from === el.dataset.from) el.classList.add('cont');
    if (e.kind === 'joined') setAgent(e.from);
    if (e.kind === 'left') setAgent(e.to ? { id: e.to.id, name: e.to.name } : null);
    if (e.kind === 'opened') setAgent();
    if (e.kind === 'joined' || e.kind === 'left' || e.kind === 'opened') setBar(), renderWait();
    if (e.kind === 'closed') setClosed();
    if (e.kind === 'reopened') setReopened();
  }

  function syncPending() {
    const now = client.pending(conv).filter((p) => p.type === 'send');
    const keep = new Set(now.map((p) => p.client_id));
    for (const [cid, el] of pend) if (!keep.has(cid)) el.remove(), pend.delete(cid);
    for (const p of now) {
      let el = pend.get(p.client_id);
      if (!el) {
        el = bubble({ 'data-pending': 'true' }, client.user, p.text, h('span', { class: 'state' }));
        pend.set(p.client_id, el);
        list.append(el);
      }
      el.querySelector('.state').textContent = p.seq ? 'Sent' : client.state !== 'online' ? 'Waiting for connection…' : p.retrying ? 'Retrying…' : 'Sending…';
    }
  }

  function updateSeen() {
    let read = 0;
    for (const [id, seq] of Object.entries(client.reads(conv))) if (id !== app.me() && seq > read) read = seq;
    let last = null;
    for (const [seq, el] of els) if (seq <= read && el.dataset.mine === 'true' && el.dataset.kind === 'message' && seq > (last?.seq || 0)) last = { seq, el };
    if (last) last.el.querySelector('.meta').append(seen);
    else seen.remove();
  }

  function updateTyping() {
    const t = client.typers(conv);
    const names = t.map((x) => x.name || 'Support').join(', ');
    typingSlot.replaceChildren(
      t.length ? h('div', { class: 'typing', testid: 'typing' }, h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), `${names} ${t.length > 1 ? 'are' : 'is'} typing…`) : '',
    );
  }

  function markRead() {
    const seq = client.lastSeq(conv);
    if (live && seq && app.visible()) client.markRead(conv, seq);
  }

  // --- footer: composer, close confirmation, closed note -------------------
  const foot = h('div', { class: 'foot' });
  const ta = h('textarea', { testid: 'composer', rows: 1, 'aria-label': 'Message', placeholder: 'Write a message…' });
  ta.value = app.drafts.get(conv) || '';
  const sendErr = h('p', { class: 'form-err', role: 'alert' });
  const composer = h(
    'form',
    { class: 'composer', onsubmit: (e) => (e.preventDefault(), send()) },
    ta,
    h('button', { class: 'send', type: 'submit', testid: 'send', 'aria-label': 'Send message' }, icon('send')),
  );
  const grow = () => {
    ta.style.height = 'auto';
    ta.style.height = `${Math.min(ta.scrollHeight, 120)}px`;
  };
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) e.preventDefault(), send();
  });
  ta.addEventListener('input', () => {
    grow();
    sendErr.textContent = '';
    client.typing(conv, !!ta.value.trim());
  });

  function send() {
    if (!ta.value.trim() || closed) return;
    const text = ta.value.replace(/^\n+|\s+$/g, '');
    if (bytes(text) > (client.limits.text_max || 16384)) return void (sendErr.textContent = 'That message is too long. Please split it up.');
    ta.value = '';
    grow();
    client.typing(conv, false);
    client.change({ type: 'send', conv, text }).catch((f) => {
      sendErr.textContent = `Not sent: ${why(f)}.`;
      if (!ta.value) (ta.value = text), grow();
    });
    toBottom();
  }

  const reason = h('input', { type: 'text', id: 'chatd-reason', testid: 'close-reason', placeholder: 'e.g. Solved, thanks!', autocomplete: 'off' });
  const closeErr = h('p', { class: 'form-err', role: 'alert' });
  const confirmBtn = h('button', { class: 'btn danger', type: 'submit' }, 'End conversation');
  const confirm = h(
    'form',
    { class: 'confirm', onsubmit: doClose, 'aria-label': 'End this conversation' },
    h('p', { class: 'confirm-t' }, 'End this conversation?'),
    h('label', { for: 'chatd-reason' }, 'Reason', h('span', { class: 'opt' }, ' (optional)')),
    reason,
    closeErr,
    h('div', { class: 'row' }, h('button', { class: 'btn ghost', type: 'button', onclick: () => showComposer(true) }, 'Cancel'), confirmBtn),
  );

  // While confirming, the confirm button carries the close-conversation hook
  // (click it, fill close-reason, click it again); the bar's button is hidden.
  function askClose() {
    endBtn.hidden = true;
    endBtn.removeAttribute('data-testid');
    confirmBtn.dataset.testid = 'close-conversation';
    foot.replaceChildren(confirm);
    reason.focus();
  }

  function showComposer(focus) {
    confirmBtn.removeAttribute('data-testid');
    endBtn.dataset.testid = 'close-conversation';
    endBtn.hidden = false;
    foot.replaceChildren(composer, sendErr);
    if (focus) ta.focus();
  }

  async function doClose(e) {
    e.preventDefault();
    const r = reason.value.trim();
    if (confirmBtn.getAttribute('aria-disabled') === 'true') return;
    if (bytes(r) > 500) return void (closeErr.textContent = 'Please keep the reason under 500 characters.');
    confirmBtn.setAttribute('aria-disabled', 'true'); // not disabled: focus stays on it
    confirmBtn.textContent = client.state === 'online' ? 'Ending…' : 'Waiting for connection…';
    try {
      await client.change({ type: 'close', conv, ...(r && { reason: r }) });
    } catch (f) {
      if (f.code === 'conversation_closed') return setClosed();
      closeErr.textContent = `Could not end the conversation: ${why(f)}.`;
      confirmBtn.removeAttribute('aria-disabled');
      confirmBtn.textContent = 'End conversation';
    }
  }

  function setClosed(force) {
    if (closed && !force) return;
    const hadFocus = foot.contains(foot.getRootNode().activeElement);
    closed = true;
    client.typing(conv, false);
    endBtn.remove();
    confirmBtn.removeAttribute('data-testid');
    const again = h('button', { class: 'btn primary', type: 'button', onclick: () => app.show('form') }, 'Start a new conversation');
    foot.replaceChildren(h('div', { class: 'closed-note' }, h('p', null, 'This conversation is closed.'), again));
    setAgent();
    setBar();
    renderWait();
    if (hadFocus) again.focus();
  }

  // an email reply reopened it: waiting for an agent again, chat goes on
  function setReopened() {
    if (!closed || !live) return;
    closed = false;
    bar.append(endBtn);
    reason.value = '';
    confirmBtn.removeAttribute('aria-disabled');
    confirmBtn.textContent = 'End conversation';
    showComposer(false);
    setAgent(null);
    setBar();
    renderWait();
  }

  // --- wiring ---------------------------------------------------------------
  const bar = h('div', { class: 'bar' }, chip, since, endBtn);
  const transcript = transcriptAction(app, conv);
  setAgent();
  setBar();
  renderWait();
  if (live) showComposer(false);
  else endBtn.hidden = true;
  // shown read-only, then reopened (a feed says it waits again): show it live
  const onConvs = () => (live || info().status === 'closed' ? (setBar(), renderWait()) : app.show('conv', conv));
  const off = [listen(app.bus, { convs: onConvs, avail: renderWait, queue: (e) => e.detail.conv === conv && renderWait() })];
  const tick = setInterval(() => (setBar(), renderWait()), 30000);
  if (live) {
    client.watch(conv, 0);
    client.events(conv).forEach(add);
    syncPending();
    updateSeen();
    updateTyping();
    const mine = (f) => (e) => e.detail.conv === conv && f(e.detail);
    off.push(
      listen(client, {
        event: mine((e) => {
          const stick = nearBottom();
          add(e);
          updateSeen();
          if (stick || e.from?.id === app.me()) toBottom();
          markRead();
        }),
        pending: mine(syncPending),
        state: syncPending,
        read: mine(updateSeen),
        typing: mine(updateTyping),
        synced: mine(markRead),
      }),
    );
  } else {
    foot.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    (async () => {
      for (let after = 0; ; ) {
        const r = await client.request({ type: 'history', conv, after, limit: 200 });
        r.events.forEach(add);
        if (!r.more || !r.events.length) break;
        after = r.events.at(-1).seq;
      }
      setClosed(true);
      toBottom();
    })().catch((f) => foot.replaceChildren(h('p', { class: 'form-err' }, `Could not load this conversation: ${why(f)}.`)));
  }

  return {
    head: [avatar, h('div', { class: 'head-text' }, who, summary)],
    el: h('div', { class: 'conv' }, bar, waitLine, list, typingSlot, foot, transcript.el),
    focus: () => (closed ? list : ta).focus(),
    onShow(opening) {
      markRead();
      if (opening) toBottom();
    },
    onEscape() {
      if (!foot.contains(confirm)) return false;
      showComposer(true);
      return true;
    },
    destroy() {
      off.forEach((f) => f());
      transcript.destroy();
      clearInterval(tick);
      clearTimeout(heldTimer);
      client.typing(conv, false);
      app.drafts.set(conv, closed ? '' : ta.value);
    },
  };
}
