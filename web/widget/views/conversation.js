// One conversation: its events in seq order, our unacked messages as
// "sending…", the agent's typing, "Seen" on our last message the agent has
// read, the composer and closing, and "Email me the transcript". Messages
// that came by email say so. A closed conversation the client is not
// watching is loaded once with `history` and shown read-only, until an
// email reply reopens it.

import { h, icon, listen, clock, fullDate, ago, bytes } from '../dom.js';
import { setText } from '../../lib/text.js';
import { isFormatted, setMarkdown } from '../../lib/markdown.js';
import { statusText, statusOf } from './home.js';
import { positionText, opensText } from '../avail.js';
import { transcriptAction } from '../transcript.js';
import { ENVIRONMENTS } from '../prefill.js';

const KINDS = ['message', 'opened', 'joined', 'left', 'closed', 'reopened'];
// the request's details shown, with their labels' catalogue keys
const DETAILS = [
  ['environment', 'detail.environment'],
  ['steps', 'detail.steps'],
  ['began', 'detail.began'],
  ['errors', 'detail.errors'],
];
const ERRORS = ['conversation_closed', 'too_large', 'forbidden'];

export function conversationView(app, conv) {
  const { client, i18n, t } = app;
  const why = (f) => (ERRORS.includes(f.code) ? t(`error.${f.code}`) : f.message || f.code);
  const info = () => app.convs.get(conv) || {};
  const live = client.synced(conv) || info().status !== 'closed';
  let closed = !live;
  let agent = info().agent;
  const els = new Map(); // seq -> element
  const pend = new Map(); // client_id -> element of an unacked message

  // --- header and status bar ---------------------------------------------
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  const who = h('strong');
  const summary = h('span', { class: 'sub', dir: 'auto' });
  const chip = h('span', { class: 'chip' });
  const since = h('time', { class: 'since' });
  const endBtn = h('button', { class: 'btn ghost sm', type: 'button', testid: 'close-conversation', onclick: askClose }, t('conv.end'));

  // a: the agent now (null: none, back in the queue); undefined keeps it
  function setAgent(a) {
    if (a !== undefined) agent = a;
    avatar.textContent = agent ? (agent.name || '?')[0].toUpperCase() : '';
    avatar.hidden = !agent;
    const waiting = heldUntil() > client.now() ? t('conv.saved') : t('conv.waiting');
    who.replaceChildren(agent ? h('span', { testid: 'agent-name' }, agent.name || t('conv.support')) : closed ? t('conv.untitled') : waiting);
  }

  function setBar() {
    const c = info();
    const status = closed ? 'closed' : agent ? 'assigned' : statusOf({ status: c.status || 'waiting', held_until: heldUntil() }, client.now());
    chip.className = `chip st-${status}`;
    chip.textContent = statusText(i18n, status);
    summary.textContent = c.summary || '';
    const [what, at] = closed && c.closed_at ? ['closed', c.closed_at] : ['opened', c.opened_at];
    if (at) {
      since.dateTime = new Date(at).toISOString();
      since.title = fullDate(at, i18n);
      since.textContent = t(what === 'closed' ? 'conv.closedAgo' : 'conv.openedAgo', { ago: ago(at, client.now(), i18n) });
    }
  }

  // --- messages -------------------------------------------------------------
  const list = h('div', { class: 'msgs', testid: 'messages', tabindex: '0', role: 'log', 'aria-label': t('conv.messages') });
  const typingSlot = h('div', { class: 'typing-slot', 'aria-live': 'polite' });
  const seen = h('span', { class: 'seen', testid: 'read-receipt' }, t('conv.seen'));
  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const toBottom = () => (list.scrollTop = list.scrollHeight);

  const stamp = (ts) => h('time', { datetime: new Date(ts).toISOString(), title: fullDate(ts, i18n) }, clock(ts, client.now(), i18n));

  // an agent's message is Markdown (lib/markdown.js); the customer's own,
  // and whatever came by email, is plain text with links
  function bubble(attrs, from, text, meta, channel) {
    const mine = from?.id === app.me();
    return h(
      'div',
      { ...attrs, testid: 'message', 'data-kind': 'message', 'data-mine': String(mine), 'data-from': from?.id, class: `msg ${mine ? 'mine' : 'theirs'}` },
      mine ? null : h('div', { class: 'who' }, from?.name || t('conv.support')),
      (isFormatted(from, channel) ? setMarkdown : setText)(h('div', { class: 'bubble', testid: 'message-text', dir: 'auto' }), text),
      h('div', { class: 'meta' }, meta),
    );
  }

  // site: the opened event's (from the customer's token)
  function details(d = {}, site) {
    const env = (v) => (ENVIRONMENTS.includes(v.toLowerCase()) ? t(`env.${v.toLowerCase()}`) : v);
    const rows = DETAILS.filter(([k]) => d[k]).map(([k, label]) => [h('dt', null, t(label)), setText(h('dd', { dir: 'auto' }), k === 'environment' ? env(d[k]) : d[k])]);
    if (site) rows.unshift([h('dt', null, t('detail.site')), h('dd', { testid: 'detail-site', dir: 'auto' }, site)]);
    if (d.screenshots?.length) rows.push([h('dt', null, t('detail.screenshots')), setText(h('dd'), d.screenshots.join('\n'))]);
    return rows.length ? h('dl', null, rows) : null;
  }

  // "via email · 14:05" under a message that came by email
  function render(e) {
    const email = e.channel === 'email' ? [h('span', { class: 'via', testid: 'via-email' }, t('conv.viaEmail')), ' · '] : null;
    if (e.kind === 'message') return bubble({ 'data-seq': e.seq }, e.from, e.text, [email, stamp(e.ts)], e.channel);
    const attrs = { testid: 'message', 'data-seq': e.seq, 'data-kind': e.kind, 'data-mine': String(e.from?.id === app.me()) };
    if (e.kind === 'opened') {
      return h('div', { ...attrs, class: 'card' }, h('div', { class: 'card-t' }, t('conv.request'), ' · ', stamp(e.ts)), setText(h('p', { class: 'card-sum', dir: 'auto' }), e.details?.summary), details(e.details, e.site));
    }
    const self = e.from?.id === app.me();
    const name = self ? t('sys.you') : e.from?.name || t('conv.support');
    return h('div', { ...attrs, class: 'sys', role: 'note' }, h('span', { testid: 'message-text' }, sysText(e, name, self)), ' · ', stamp(e.ts));
  }

  // Who is with the customer: joins, transfers, the way back to the queue.
  function sysText(e, name, self) {
    if (e.kind === 'joined') return t('sys.joined', { name });
    if (e.kind === 'closed') {
      if (self) return e.reason ? t('sys.youClosedReason', { reason: e.reason }) : t('sys.youClosed');
      return e.reason ? t('sys.closedReason', { name, reason: e.reason }) : t('sys.closed', { name });
    }
    if (e.kind === 'reopened') return t('sys.reopened');
    const to = e.to?.name || t('sys.anotherAgent');
    if (e.reason === 'transfer') return t('sys.transfer', { name, to });
    if (e.reason === 'takeover') return t('sys.takeover', { name, to });
    if (e.reason === 'offline') return t('sys.offline', { name });
    return t('sys.left', { name });
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
          h('strong', null, t('held.title')),
          ' ',
          t('held.text', { when: opensText(held, client.now(), i18n) }),
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
      q ? h('span', { testid: 'queue-position', 'data-position': String(q.position), 'data-eta': q.eta_ms ?? '' }, positionText(q, i18n)) : h('span', { class: 'finding' }, t('queue.finding')),
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
      el.querySelector('.state').textContent = t(p.seq ? 'msg.sent' : client.state !== 'online' ? 'msg.waiting' : p.retrying ? 'msg.retrying' : 'msg.sending');
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
    const typers = client.typers(conv);
    const names = i18n.list(typers.map((x) => x.name || t('conv.support')));
    typingSlot.replaceChildren(
      typers.length ? h('div', { class: 'typing', testid: 'typing' }, h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), t('conv.typing', { n: typers.length, names })) : '',
    );
  }

  function markRead() {
    const seq = client.lastSeq(conv);
    if (live && seq && app.visible()) client.markRead(conv, seq);
  }

  // --- footer: composer, close confirmation, closed note -------------------
  const foot = h('div', { class: 'foot' });
  const ta = h('textarea', { testid: 'composer', rows: 1, 'aria-label': t('composer.label'), placeholder: t('composer.placeholder'), dir: 'auto' });
  ta.value = app.drafts.get(conv) || '';
  const sendErr = h('p', { class: 'form-err', role: 'alert' });
  const composer = h(
    'form',
    { class: 'composer', onsubmit: (e) => (e.preventDefault(), send()) },
    ta,
    h('button', { class: 'send', type: 'submit', testid: 'send', 'aria-label': t('composer.send') }, icon('send')),
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
    if (bytes(text) > (client.limits.text_max || 16384)) return void (sendErr.textContent = t('composer.tooLong'));
    ta.value = '';
    grow();
    client.typing(conv, false);
    client.change({ type: 'send', conv, text }).catch((f) => {
      sendErr.textContent = t('composer.notSent', { why: why(f) });
      if (!ta.value) (ta.value = text), grow();
    });
    toBottom();
  }

  const reason = h('input', { type: 'text', id: 'chatd-reason', testid: 'close-reason', placeholder: t('close.placeholder'), autocomplete: 'off', dir: 'auto' });
  const closeErr = h('p', { class: 'form-err', role: 'alert' });
  const confirmBtn = h('button', { class: 'btn danger', type: 'submit' }, t('close.confirm'));
  const confirm = h(
    'form',
    { class: 'confirm', onsubmit: doClose, 'aria-label': t('close.aria') },
    h('p', { class: 'confirm-t' }, t('close.question')),
    h('label', { for: 'chatd-reason' }, t('close.reason'), h('span', { class: 'opt' }, t('form.optional'))),
    reason,
    closeErr,
    h('div', { class: 'row' }, h('button', { class: 'btn ghost', type: 'button', onclick: () => showComposer(true) }, t('close.cancel')), confirmBtn),
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
    if (bytes(r) > 500) return void (closeErr.textContent = t('close.tooLong', { n: 500 }));
    confirmBtn.setAttribute('aria-disabled', 'true'); // not disabled: focus stays on it
    confirmBtn.textContent = client.state === 'online' ? t('close.ending') : t('close.waiting');
    try {
      await client.change({ type: 'close', conv, ...(r && { reason: r }) });
    } catch (f) {
      if (f.code === 'conversation_closed') return setClosed();
      closeErr.textContent = t('close.failed', { why: why(f) });
      confirmBtn.removeAttribute('aria-disabled');
      confirmBtn.textContent = t('close.confirm');
    }
  }

  function setClosed(force) {
    if (closed && !force) return;
    const hadFocus = foot.contains(foot.getRootNode().activeElement);
    closed = true;
    client.typing(conv, false);
    endBtn.remove();
    confirmBtn.removeAttribute('data-testid');
    const again = h('button', { class: 'btn primary', type: 'button', onclick: () => app.show('form') }, t('closed.again'));
    foot.replaceChildren(h('div', { class: 'closed-note' }, h('p', null, t('closed.note')), again));
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
    confirmBtn.textContent = t('close.confirm');
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
    foot.replaceChildren(h('p', { class: 'muted' }, t('conv.loading')));
    (async () => {
      for (let after = 0; ; ) {
        const r = await client.request({ type: 'history', conv, after, limit: 200 });
        r.events.forEach(add);
        if (!r.more || !r.events.length) break;
        after = r.events.at(-1).seq;
      }
      setClosed(true);
      toBottom();
    })().catch((f) => foot.replaceChildren(h('p', { class: 'form-err' }, t('conv.loadFailed', { why: why(f) }))));
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
