// The queue: every open conversation in the server's order (`list` scope
// open): waiting ones in queue order with their position, then messages
// left outside chat hours (held until the package's chat opens), then the
// assigned ones. Each with its class, tier, topic and an outside-scope
// flag, a live "waited" clock and a Claim button. Only a server that does
// not route (no positions) gets the old order here: tier, then waited.

import { $, h, syncChildren } from './dom.js';
import { tierInfo, queueOrder, duration, envLabel, classLabel, classRank, topicLabel, when } from './format.js';

export function tierBadge(tier, { long = false } = {}) {
  const t = tierInfo(tier);
  return h(
    'span',
    { class: `tier tier-${tier || 'none'}`, title: `${t.label} support · ${t.klass.toLowerCase()} queue` },
    long ? `${t.label} · ${t.klass}` : t.label,
  );
}

export function envBadge(env) {
  if (!env) return null;
  const e = String(env).toLowerCase();
  return h('span', { class: `env env-${e}`, title: 'Environment' }, envLabel(env));
}

// A message left outside chat hours, not in the queue yet.
export function isHeld(r) {
  return r.status === 'waiting' && !r.position && r.held_until > 0;
}

export function createQueue(app) {
  const root = $('queue');
  const count = $('queue-count');
  const nodes = new Map(); // conv -> {el, update}

  const waitingSection = section('Waiting', 'waiting');
  const heldSection = section('Left outside chat hours', 'held');
  const activeSection = section('In progress', 'assigned');
  const empty = h(
    'div',
    { class: 'empty empty-queue' },
    h('div', { class: 'empty-art empty-art-queue', 'aria-hidden': 'true' }),
    h('h3', null, 'All caught up'),
    h('p', null, 'No one is waiting. New chats show up here the moment a customer opens one.'),
  );

  const noneWaiting = h('p', { class: 'queue-none' }, 'No one is waiting.');

  function section(title, key) {
    const heading = h('h3', { class: 'queue-group-title', id: `queue-${key}-title` }, title, ' ', h('span', { class: 'queue-group-count' }));
    const list = h('div', { class: 'queue-list', role: 'list', 'aria-labelledby': `queue-${key}-title` });
    const el = h('section', { class: `queue-group queue-group-${key}` }, heading, list);
    return { el, list, countEl: heading.querySelector('.queue-group-count') };
  }

  function waitedText(r) {
    const now = app.now();
    if (r.status === 'waiting') return `waited ${duration(now - (r.opened_at || now))}`;
    return `open ${duration(now - (r.opened_at || now))}`;
  }

  function waitClass(r) {
    if (r.status !== 'waiting' || isHeld(r)) return 'waited';
    const min = (app.now() - (r.opened_at || app.now())) / 60000;
    const rank = classRank(r);
    // tighter expectations for the priority classes
    const warn = [2, 5, 10, 10][rank];
    const late = [5, 15, 30, 30][rank];
    return min >= late ? 'waited is-late' : min >= warn ? 'waited is-warn' : 'waited';
  }

  function build(r) {
    const name = h('span', { class: 'qi-name' });
    const waited = h('span', { testid: 'waited', class: 'waited' });
    const summary = h('span', { class: 'qi-summary' });
    const meta = h('span', { class: 'qi-meta' });
    const badge = h('span', { class: 'qi-badge' });
    const pos = h('span', { class: 'qi-pos', testid: 'position' });
    const flags = h('span', { class: 'qi-flags' });
    const unread = h('span', { class: 'qi-unread', 'aria-hidden': 'true' });
    const openBtn = h(
      'button',
      { type: 'button', class: 'qi-open', onclick: () => app.open(r.conv) },
      h('span', { class: 'qi-top' }, pos, badge, name, unread, waited),
      summary,
      flags,
      meta,
    );
    const claim = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-claim',
        testid: 'claim',
        onclick: (e) => {
          e.stopPropagation();
          // aria-disabled, not disabled: a disabled button drops the keyboard focus
          if (claim.getAttribute('aria-disabled') === 'true') return;
          claim.setAttribute('aria-disabled', 'true');
          claim.textContent = 'Claiming…';
          app.claim(r.conv).finally(() => {
            claim.textContent = 'Claim';
            update();
          });
        },
      },
      'Claim',
    );
    const ownerId = `qi-owner-${r.conv}`;
    const owner = h('span', { class: 'qi-owner', id: ownerId });
    const side = h('span', { class: 'qi-side' }, claim, owner);
    const el = h('div', { class: 'qi', role: 'listitem', testid: 'queue-item', dataset: { conv: r.conv } }, openBtn, side);

    function update() {
      const held = isHeld(r);
      el.dataset.status = r.status;
      el.dataset.tier = r.tier || '';
      el.dataset.class = r.class || '';
      el.dataset.position = r.status === 'waiting' && r.position ? String(r.position) : '';
      el.dataset.held = held ? String(r.held_until) : '';
      el.dataset.outOfScope = String(!!r.out_of_scope);
      pos.hidden = !(r.status === 'waiting' && r.position);
      pos.textContent = pos.hidden ? '' : `#${r.position}`;
      pos.title = pos.hidden ? '' : `Number ${r.position} in the queue`;
      flags.replaceChildren(
        ...[
          r.class ? h('span', { class: `klass klass-${r.class}`, testid: 'class' }, classLabel(r.class)) : null,
          r.topic ? h('span', { class: 'topic', testid: 'topic' }, topicLabel(app, r.topic)) : null,
          r.out_of_scope ? h('span', { class: 'oos', testid: 'out-of-scope', title: "Outside the customer's support package" }, 'Outside scope') : null,
          held ? h('span', { class: 'held', testid: 'held-until', title: `Chat opens for this customer ${when(r.held_until, app.now())}` }, `Held until ${when(r.held_until, app.now())}`) : null,
        ].filter(Boolean),
      );
      flags.hidden = !flags.childElementCount;
      el.classList.toggle('is-active', app.active === r.conv);
      if (app.active === r.conv) openBtn.setAttribute('aria-current', 'true');
      else openBtn.removeAttribute('aria-current');
      badge.replaceChildren(tierBadge(r.tier));
      name.textContent = r.customer.name || r.customer.id || 'Customer';
      summary.textContent = r.summary || 'No summary';
      const bits = [r.org, r.site].filter(Boolean).join(' / ');
      meta.replaceChildren(...[envBadge(r.environment), bits ? h('span', { class: 'qi-where' }, bits) : null].filter(Boolean));
      waited.textContent = waitedText(r);
      waited.className = waitClass(r);
      const n = app.tabs.includes(r.conv) ? app.unread(r.conv) : 0;
      unread.textContent = n ? String(n) : '';
      unread.hidden = !n;
      const waiting = r.status === 'waiting';
      // a claim that went through hides its button: the keyboard focus
      // stays in the row (the conversation then takes it)
      if (!waiting && claim === document.activeElement) openBtn.focus();
      claim.hidden = !waiting;
      claim.textContent = claim.textContent === 'Claiming…' ? claim.textContent : app.views.routing?.offeredToMe(r.conv) ? 'Accept' : 'Claim';
      if (claim.textContent !== 'Claiming…' && !('offline' in claim.dataset)) claim.removeAttribute('aria-disabled'); // offline.js keeps it while offline
      if (waiting) {
        claim.setAttribute('aria-label', `${claim.textContent === 'Accept' ? 'Accept the offered conversation' : 'Claim conversation'} with ${name.textContent}`);
      }
      owner.hidden = waiting;
      owner.textContent = r.agent ? (app.isMine(r) ? 'You' : r.agent.name) : '';
      owner.classList.toggle('is-me', app.isMine(r));
      // the button's name is what it shows (queue place, tier, name, wait,
      // summary, routing flags, where); who has it is said after
      if (r.agent) openBtn.setAttribute('aria-describedby', ownerId);
      else openBtn.removeAttribute('aria-describedby');
    }
    return { el, update, claim };
  }

  // The server's order (r.order: the place in the last `list`); ones the
  // feed brought since go last until the next list.
  const serverOrder = (a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || (a.opened_at || 0) - (b.opened_at || 0);

  function render() {
    const recs = [...app.convs.values()].filter((r) => r.inOpen && r.status !== 'closed');
    const order = app.routing === false ? queueOrder : serverOrder;
    const waiting = recs.filter((r) => r.status === 'waiting' && !isHeld(r)).sort(order);
    const held = recs.filter((r) => r.status === 'waiting' && isHeld(r)).sort(order);
    const active = recs.filter((r) => r.status !== 'waiting').sort(order);
    const keep = new Set(recs.map((r) => r.conv));
    for (const [conv, n] of nodes) {
      if (!keep.has(conv)) {
        n.el.remove();
        nodes.delete(conv);
      }
    }
    const elsOf = (list) =>
      list.map((r) => {
        let n = nodes.get(r.conv);
        if (!n) {
          n = build(r);
          nodes.set(r.conv, n);
        }
        n.update();
        return n.el;
      });
    syncChildren(waitingSection.list, elsOf(waiting));
    syncChildren(heldSection.list, elsOf(held));
    syncChildren(activeSection.list, elsOf(active));
    waitingSection.countEl.textContent = String(waiting.length);
    heldSection.countEl.textContent = String(held.length);
    activeSection.countEl.textContent = String(active.length);
    waitingSection.el.hidden = !waiting.length;
    heldSection.el.hidden = !held.length;
    activeSection.el.hidden = !active.length;
    const children = [
      waiting.length ? waitingSection.el : noneWaiting,
      held.length ? heldSection.el : null,
      active.length ? activeSection.el : null,
    ].filter(Boolean);
    if (!recs.length) children.splice(0, children.length, empty);
    syncChildren(root, children);
    count.textContent = waiting.length ? `${waiting.length} waiting` : '';
    root.setAttribute('aria-busy', String(!app.listedOnce));
  }

  function tick() {
    for (const n of nodes.values()) n.update();
  }

  return { render, tick };
}
