// Narrow screens (console.css: max-width 900px) show one pane at a time:
// the queue, the conversation or the customer panel, picked in a tab bar at
// the bottom. `#app[data-pane]` says which; wider screens show all three
// columns and no tab bar, whatever it says. Opening a conversation (from
// the queue, an offer, a notification or the customer's earlier ones)
// shows the conversation pane. The top bar keeps the connection and the
// presence in sight and puts the rest behind a "More" button.

import { $, h } from './dom.js';

const PANES = ['queue', 'conv', 'ctx'];

export function createScreens(app) {
  const root = $('app');
  const buttons = new Map();
  const mq = window.matchMedia('(max-width: 900px)');
  const convCount = h('span', { class: 'screens-count' });
  const convBadge = h('span', { class: 'screens-badge', hidden: true }, convCount, h('span', { class: 'visually-hidden' }, ' ', /* i18n */ 'unread'));
  const offerCount = h('span', { class: 'screens-count' });
  const offerBadge = h('span', { class: 'screens-badge', hidden: true }, offerCount, h('span', { class: 'visually-hidden' }, ' ', /* i18n */ 'offered to you'));

  function button(pane, label, extra) {
    const b = h(
      'button',
      { type: 'button', class: 'screens-btn', testid: `screen-${pane}`, dataset: { pane }, onclick: () => show(pane, { focus: true }) },
      h('span', { class: `screens-icon screens-icon-${pane}`, 'aria-hidden': 'true' }),
      h('span', { class: 'screens-label' }, label),
      extra,
    );
    buttons.set(pane, b);
    return b;
  }

  const nav = h(
    'nav',
    { class: 'screens', testid: 'screens', 'aria-label': /* i18n */ 'Screens' },
    button('queue', /* i18n */ 'Queue', offerBadge),
    button('conv', /* i18n */ 'Conversation', convBadge),
    button('ctx', /* i18n */ 'Customer'),
  );
  root.append(nav);

  // the top bar's less used controls, behind one button
  const topbar = root.querySelector('.topbar');
  const more = h(
    'button',
    { type: 'button', class: 'btn btn-ghost topbar-more', testid: 'topbar-more', 'aria-expanded': 'false', onclick: () => setMore(topbar.dataset.more !== 'true') },
    /* i18n */ 'More',
  );
  topbar.insertBefore(more, $('me'));
  function setMore(on) {
    topbar.dataset.more = String(on);
    more.setAttribute('aria-expanded', String(on));
  }
  topbar.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || topbar.dataset.more !== 'true') return;
    setMore(false);
    more.focus();
  });

  // where focus goes when the agent switches panes with the tab bar
  const focusTarget = { queue: () => $('queue'), conv: () => $('messages'), ctx: () => $('context') };

  function show(pane, { focus = false } = {}) {
    if (!PANES.includes(pane)) return;
    root.dataset.pane = pane;
    for (const [p, b] of buttons) b.setAttribute('aria-current', p === pane ? 'true' : 'false');
    if (focus && narrow()) {
      const el = focusTarget[pane]();
      if (el) {
        if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
        el.focus({ preventScroll: true });
      }
    }
    if (pane === 'conv' && app.active) app.markSeen(app.active);
  }

  function narrow() {
    return mq.matches;
  }
  // wider again: every column is in sight
  mq.addEventListener('change', () => app.active && app.markSeen(app.active));

  // every way a conversation is opened goes through app.open
  const open = app.open;
  app.open = function openAndShow(conv, opts = {}) {
    const r = open.call(this, conv, opts);
    if (opts.focus !== false) show('conv');
    return r;
  };

  // Alt+ArrowUp/Down (console.js) moves between conversations: show them
  // first, so that the composer it focuses is in sight
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown') && app.tabs.length) show('conv');
    },
    true,
  );

  // on a narrow screen the conversation pane is seen only while shown
  const seeing = app.seeing;
  app.seeing = function seeingShown(conv) {
    return seeing.call(this, conv) && (root.dataset.pane === 'conv' || !narrow());
  };

  function render() {
    let n = 0;
    for (const c of app.tabs) n += app.unread(c);
    convBadge.hidden = !n;
    convCount.textContent = n > 99 ? '99+' : String(n);
  }

  // chats offered to this agent wait on the queue pane: count them on its tab
  const offersEl = $('offers');
  const countOffers = () => {
    const n = offersEl.querySelectorAll('[data-testid=offer][data-state=offered]').length;
    offerBadge.hidden = !n;
    offerCount.textContent = String(n);
  };
  new MutationObserver(countOffers).observe(offersEl, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state'] });
  countOffers();

  show('queue');
  render();
  return { show, render, pane: () => root.dataset.pane };
}
