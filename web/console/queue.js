// The queue: every open conversation, waiting ones first, each group in
// queue order (tier class, then who has waited longest), with a live
// "waited" clock and a Claim button.

import { $, h, syncChildren } from './dom.js';
import { tierInfo, queueOrder, duration, envLabel } from './format.js';

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

export function createQueue(app) {
  const root = $('queue');
  const count = $('queue-count');
  const nodes = new Map(); // conv -> {el, update}

  const waitingSection = section('Waiting', 'waiting');
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
    if (r.status !== 'waiting') return 'waited';
    const min = (app.now() - (r.opened_at || app.now())) / 60000;
    const rank = tierInfo(r.tier).rank;
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
    const unread = h('span', { class: 'qi-unread', 'aria-hidden': 'true' });
    const openBtn = h(
      'button',
      { type: 'button', class: 'qi-open', onclick: () => app.open(r.conv) },
      h('span', { class: 'qi-top' }, badge, name, unread, waited),
      summary,
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
          claim.disabled = true;
          claim.textContent = 'Claiming…';
          app.claim(r.conv).finally(() => {
            claim.textContent = 'Claim';
            update();
          });
        },
      },
      'Claim',
    );
    const owner = h('span', { class: 'qi-owner' });
    const side = h('span', { class: 'qi-side' }, claim, owner);
    const el = h('div', { class: 'qi', role: 'listitem', testid: 'queue-item', dataset: { conv: r.conv } }, openBtn, side);

    function update() {
      el.dataset.status = r.status;
      el.dataset.tier = r.tier || '';
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
      claim.hidden = !waiting;
      if (claim.textContent !== 'Claiming…') claim.disabled = false;
      if (waiting) {
        claim.setAttribute('aria-label', `Claim conversation with ${name.textContent}`);
      }
      owner.hidden = waiting;
      owner.textContent = r.agent ? (app.isMine(r) ? 'You' : r.agent.name) : '';
      owner.classList.toggle('is-me', app.isMine(r));
      openBtn.setAttribute(
        'aria-label',
        `${name.textContent}, ${tierInfo(r.tier).label}, ${waitedText(r)}: ${summary.textContent}${r.agent ? `, with ${owner.textContent}` : ''}`,
      );
    }
    return { el, update, claim };
  }

  function render() {
    const recs = [...app.convs.values()].filter((r) => r.inOpen && r.status !== 'closed');
    const waiting = recs.filter((r) => r.status === 'waiting').sort(queueOrder);
    const active = recs.filter((r) => r.status !== 'waiting').sort(queueOrder);
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
    syncChildren(activeSection.list, elsOf(active));
    waitingSection.countEl.textContent = String(waiting.length);
    activeSection.countEl.textContent = String(active.length);
    waitingSection.el.hidden = !waiting.length;
    activeSection.el.hidden = !active.length;
    const children = [waiting.length ? waitingSection.el : noneWaiting, active.length ? activeSection.el : null].filter(Boolean);
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
