// The queue: every open conversation in the server's order (`list` scope
// open): waiting ones in queue order with their position, then messages
// left outside chat hours (held until the package's chat opens), then the
// assigned ones. Each with its class, tier, topic and an outside-scope
// flag, a live "waited" clock and a Claim button. Only a server that does
// not route (no positions) gets the old order here: tier, then waited.

import { $, h, syncChildren } from './dom.js';
import { tierInfo, queueOrder, duration, envLabel, classLabel, classQueue, classRank, topicLabel, when } from './format.js';
import { t } from './lang.js';

export function tierBadge(tier, { long = false } = {}) {
  const ti = tierInfo(tier);
  return h(
    'span',
    { class: `tier tier-${tier || 'none'}`, title: t('tier.title', { tier: ti.label, queue: classQueue(ti.klassKey) }) },
    long ? t('tier.long', { tier: ti.label, klass: ti.klass }) : ti.label,
  );
}

export function envBadge(env) {
  if (!env) return null;
  const e = String(env).toLowerCase();
  return h('span', { class: `env env-${e}`, title: t('env.title') }, envLabel(env));
}

// A message left outside chat hours, not in the queue yet.
export function isHeld(r) {
  return r.status === 'waiting' && !r.position && r.held_until > 0;
}

export function createQueue(app) {
  const root = $('queue');
  const count = $('queue-count');
  const nodes = new Map(); // conv -> {el, update}

  const waitingSection = section('queue.waiting', 'waiting');
  const heldSection = section('queue.held', 'held');
  const activeSection = section('queue.inProgress', 'assigned');
  const empty = h(
    'div',
    { class: 'empty empty-queue' },
    h('div', { class: 'empty-art empty-art-queue', 'aria-hidden': 'true' }),
    h('h3', { 'data-i18n': 'queue.emptyTitle' }, t('queue.emptyTitle')),
    h('p', { 'data-i18n': 'queue.emptyText' }, t('queue.emptyText')),
  );

  const noneWaiting = h('p', { class: 'queue-none', 'data-i18n': 'queue.none' }, t('queue.none'));

  // texts marked data-i18n here are filled again by relocalize()
  function section(key, id) {
    const title = h('span', { 'data-i18n': key }, t(key));
    const heading = h('h3', { class: 'queue-group-title', id: `queue-${id}-title` }, title, ' ', h('span', { class: 'queue-group-count' }));
    const list = h('div', { class: 'queue-list', role: 'list', 'aria-labelledby': `queue-${id}-title` });
    const el = h('section', { class: `queue-group queue-group-${id}` }, heading, list);
    return { el, list, countEl: heading.querySelector('.queue-group-count') };
  }

  function waitedText(r) {
    const now = app.now();
    if (r.status === 'waiting') return t('queue.waited', { d: duration(now - (r.opened_at || now)) });
    return t('queue.openFor', { d: duration(now - (r.opened_at || now)) });
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
    let claiming = false; // Claim pressed, the answer not in yet
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
          claiming = true;
          claim.textContent = t('queue.claiming');
          app.claim(r.conv).finally(() => {
            claiming = false;
            update();
          });
        },
      },
      t('queue.claim'),
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
      pos.textContent = pos.hidden ? '' : t('queue.pos', { n: r.position });
      pos.title = pos.hidden ? '' : t('queue.posTitle', { n: r.position });
      flags.replaceChildren(
        ...[
          r.class ? h('span', { class: `klass klass-${r.class}`, testid: 'class' }, classLabel(r.class)) : null,
          r.topic ? h('span', { class: 'topic', testid: 'topic' }, topicLabel(app, r.topic)) : null,
          r.out_of_scope ? h('span', { class: 'oos', testid: 'out-of-scope', title: t('oos.title') }, t('oos.label')) : null,
          held ? h('span', { class: 'held', testid: 'held-until', title: t('queue.heldTitle', { when: when(r.held_until, app.now()) }) }, t('queue.heldLabel', { when: when(r.held_until, app.now()) })) : null,
        ].filter(Boolean),
      );
      flags.hidden = !flags.childElementCount;
      el.classList.toggle('is-active', app.active === r.conv);
      if (app.active === r.conv) openBtn.setAttribute('aria-current', 'true');
      else openBtn.removeAttribute('aria-current');
      badge.replaceChildren(tierBadge(r.tier));
      name.textContent = r.customer.name || r.customer.id || t('who.customer');
      summary.textContent = r.summary || t('conv.noSummary');
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
      const offered = !!app.views.routing?.offeredToMe(r.conv);
      claim.textContent = claiming ? t('queue.claiming') : offered ? t('queue.accept') : t('queue.claim');
      if (!claiming && !('offline' in claim.dataset)) claim.removeAttribute('aria-disabled'); // offline.js keeps it while offline
      if (waiting) {
        claim.setAttribute('aria-label', t(offered ? 'queue.acceptLabel' : 'queue.claimLabel', { name: name.textContent }));
      }
      owner.hidden = waiting;
      owner.textContent = r.agent ? (app.isMine(r) ? t('queue.you') : r.agent.name) : '';
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
    const had = root.contains(document.activeElement) ? document.activeElement : null;
    draw();
    // a row moved between sections (moving a node blurs it) or gone: the
    // keyboard focus goes back to it, else its row, else the queue
    if (!had || document.activeElement === had) return;
    if (had.isConnected && had.checkVisibility()) return had.focus();
    const row = had.isConnected ? had.closest('[data-testid="queue-item"]')?.querySelector('.qi-open') : null;
    (row && row.checkVisibility() ? row : root).focus();
  }

  function draw() {
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
    count.textContent = waiting.length ? t('queue.waitingCount', { n: waiting.length }) : '';
    root.setAttribute('aria-busy', String(!app.listedOnce));
  }

  function tick() {
    for (const n of nodes.values()) n.update();
  }

  // a new language: the fixed texts built here, then every item
  function relocalize() {
    for (const el of [waitingSection.el, heldSection.el, activeSection.el, empty, noneWaiting]) {
      if (el.dataset.i18n) el.textContent = t(el.dataset.i18n);
      for (const x of el.querySelectorAll('[data-i18n]')) x.textContent = t(x.dataset.i18n);
    }
  }

  return { render, tick, relocalize };
}
