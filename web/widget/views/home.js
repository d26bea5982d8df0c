// Home: start a new conversation, or review earlier ones (newest first).

import { h, icon, listen, ago, fullDate } from '../dom.js';
import { availNotice, expectation, isClosed, opensText } from '../avail.js';

export const STATUS = { waiting: 'Waiting', held: 'Message left', assigned: 'In progress', closed: 'Closed' };

// waiting, or held: a message left outside chat hours, not in line yet
export const statusOf = (c, now) => (c.status === 'waiting' && c.held_until > now ? 'held' : c.status);

export function homeView(app) {
  const { client } = app;
  const startLabel = h('span', null, 'New conversation');
  const start = h('button', { class: 'btn primary wide', type: 'button', testid: 'new-conversation', onclick: () => app.show('form') }, icon('plus'), startLabel);
  const list = h('ul', { class: 'hist', testid: 'history-list', 'aria-labelledby': 'chatd-hist' });
  const empty = h('p', { class: 'empty', 'data-testid': 'home-empty' });
  const older = h('button', { class: 'btn ghost wide', type: 'button', hidden: true, onclick: () => app.loadList(true).catch(() => {}) }, 'Show older conversations');

  function item(c) {
    const n = app.unread(c.conv);
    const who = c.agent?.name ? `${c.agent.name} · ` : '';
    return h(
      'li',
      null,
      h(
        'button',
        { class: 'item', type: 'button', testid: 'history-item', 'data-conv': c.conv, onclick: () => app.show('conv', c.conv) },
        h('span', { class: 'row' }, h('span', { class: 'sum' }, c.summary || 'Conversation'), h('span', { class: `chip st-${statusOf(c, client.now())}` }, STATUS[statusOf(c, client.now())] || c.status)),
        h(
          'span',
          { class: 'row sub' },
          h('time', { datetime: new Date(c.opened_at).toISOString(), title: fullDate(c.opened_at) }, who + ago(c.opened_at, client.now())),
          n ? h('span', { class: 'dot-unread' }, `${n} new`) : null,
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
    if (app.listed) empty.textContent = 'No conversations yet. Start one and we will get right back to you.';
    else if (client.state === 'failed') empty.textContent = 'Your conversations will show here once you are signed in.';
    else empty.textContent = 'Loading your conversations…';
    older.hidden = !app.next;
  }

  const notice = availNotice(app);
  const sub = h('span', { class: 'sub' });
  function renderAvail() {
    const a = app.avail;
    sub.textContent = isClosed(a) ? (a.opens_at ? `Chat opens ${opensText(a.opens_at, client.now())}` : 'Chat is closed right now') : a?.class && a.class !== 'normal' ? `${a.class_label || 'Priority'} support` : expectation(a);
    startLabel.textContent = isClosed(app.avail) ? 'Leave a message' : 'New conversation';
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
      h('div', { class: 'hero' }, h('h2', null, 'How can we help?'), h('p', null, 'Tell us what is going on and an engineer will join you here.'), notice.el, start),
      h('h3', { id: 'chatd-hist' }, 'Your conversations'),
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
