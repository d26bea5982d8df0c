// Home: start a new conversation, or review earlier ones (newest first).

import { h, icon, listen, ago, fullDate } from '../dom.js';
import { availNotice, classLabel, expectation, isClosed, opensText } from '../avail.js';
import en from '../i18n/en.js';

// The statuses' names in English; the views show statusText()'s.
export const STATUS = { waiting: en['status.waiting'], held: en['status.held'], assigned: en['status.assigned'], closed: en['status.closed'] };
export const statusText = (i18n, status) => (status in STATUS ? i18n.t(`status.${status}`) : status);

// waiting, or held: a message left outside chat hours, not in line yet
export const statusOf = (c, now) => (c.status === 'waiting' && c.held_until > now ? 'held' : c.status);

export function homeView(app) {
  const { client, i18n, t } = app;
  const startLabel = h('span', null, t('home.new'));
  const start = h('button', { class: 'btn primary wide', type: 'button', testid: 'new-conversation', onclick: () => app.show('form') }, icon('plus'), startLabel);
  const list = h('ul', { class: 'hist', testid: 'history-list', 'aria-labelledby': 'chatd-hist' });
  const empty = h('p', { class: 'empty', 'data-testid': 'home-empty' });
  const older = h('button', { class: 'btn ghost wide', type: 'button', hidden: true, onclick: () => app.loadList(true).catch(() => {}) }, t('home.older'));

  function item(c) {
    const n = app.unread(c.conv);
    const who = c.agent?.name ? `${c.agent.name} · ` : '';
    return h(
      'li',
      null,
      h(
        'button',
        { class: 'item', type: 'button', testid: 'history-item', 'data-conv': c.conv, onclick: () => app.show('conv', c.conv) },
        h('span', { class: 'row' }, h('span', { class: 'sum', dir: 'auto' }, c.summary || t('conv.untitled')), h('span', { class: `chip st-${statusOf(c, client.now())}` }, statusText(i18n, statusOf(c, client.now())))),
        h(
          'span',
          { class: 'row sub' },
          h('time', { datetime: new Date(c.opened_at).toISOString(), title: fullDate(c.opened_at, i18n) }, who + ago(c.opened_at, client.now(), i18n)),
          n ? h('span', { class: 'dot-unread' }, t('home.unread', { n })) : null,
        ),
      ),
    );
  }

  function render() {
    const items = [...app.convs.values()].sort((a, b) => b.opened_at - a.opened_at);
    const focused = list.getRootNode().activeElement?.dataset?.conv; // keep keyboard focus across re-renders
    list.replaceChildren(...items.map(item));
    if (focused) list.querySelector(`[data-conv="${CSS.escape(focused)}"]`)?.focus();
    empty.hidden = items.length > 0;
    if (app.listed) empty.textContent = t('home.empty');
    else if (client.state === 'failed') empty.textContent = t('home.signedOut');
    else empty.textContent = t('home.loading');
    older.hidden = !app.next;
  }

  const notice = availNotice(app);
  const sub = h('span', { class: 'sub' });
  function renderAvail() {
    const a = app.avail;
    sub.textContent = isClosed(a)
      ? a.opens_at ? t('avail.opens', { when: opensText(a.opens_at, client.now(), i18n) }) : t('avail.closed')
      : a?.class && a.class !== 'normal' ? t('avail.classSupport', { label: classLabel(a, i18n) }) : expectation(a, i18n);
    startLabel.textContent = isClosed(app.avail) ? t('home.leave') : t('home.new');
  }
  renderAvail();
  const off = [listen(app.bus, { convs: render, avail: renderAvail }), listen(client, { synced: render, read: render, event: render, state: render })];
  const tick = setInterval(render, 30000);
  render();
  return {
    head: [h('div', { class: 'head-text' }, h('strong', null, app.title), sub)],
    el: h(
      'div',
      { class: 'home' },
      h('div', { class: 'hero' }, h('h2', null, t('home.heading')), h('p', null, t('home.intro')), notice.el, start),
      h('h3', { id: 'chatd-hist' }, t('home.history')),
      list,
      empty,
      older,
    ),
    focus: () => start.focus(),
    destroy() {
      notice.destroy();
      off.forEach((f) => f());
      clearInterval(tick);
    },
  };
}
