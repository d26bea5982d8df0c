// The right column: who the customer is, where they are writing from, what
// they told us in the form, and their earlier conversations.

import { $, h } from './dom.js';
import { setText } from '../lib/text.js';
import { tierInfo, envLabel, fullDate, when, ago, duration, initials, cap, fromItem, classLabel, classQueue, topicLabel } from './format.js';
import { t, i18n } from './lang.js';
import { tierBadge, envBadge } from './queue.js';
import { errCode } from './ui.js';

const EARLIER_TTL = 60000;

export function createContext(app) {
  const root = $('context');
  const earlier = new Map(); // customer id -> {items, loading, error, at}
  let lastSig = '';

  function userText(tag, text, cls) {
    return setText(h(tag, { class: cls }), text);
  }

  function fact(label, value, title) {
    if (value == null || value === '') return null;
    return [h('dt', null, label), h('dd', { title }, value)];
  }

  function loadEarlier(customerId) {
    let e = earlier.get(customerId);
    if (e && (e.loading || Date.now() - e.at < EARLIER_TTL)) return e;
    e = { items: e ? e.items : [], loading: true, error: '', at: Date.now() };
    earlier.set(customerId, e);
    app.client
      .request({ type: 'list', scope: 'customer', customer: customerId, limit: 50 })
      .then((res) => {
        e.items = (res && res.items) || [];
        e.error = '';
      })
      .catch((err) => {
        const code = errCode(err);
        e.error = t(code === 'forbidden' ? 'context.earlierForbidden' : code === 'bad_frame' || code === 'unknown_type' ? 'context.earlierUnsupported' : 'context.earlierFailed');
      })
      .finally(() => {
        e.loading = false;
        e.at = Date.now();
        app.render('context');
      });
    return e;
  }

  function earlierSection(r) {
    const head = h('h3', { class: 'ctx-h' }, t('context.earlier'));
    if (!r.customer.id) return h('section', { class: 'ctx-section' }, head, h('p', { class: 'ctx-muted' }, t('context.unknownCustomer')));
    const e = loadEarlier(r.customer.id);
    const items = e.items
      .filter((it) => it.conv !== r.conv)
      .map((it) => {
        const known = app.convs.get(it.conv);
        return known ? { ...it, status: known.status, agent: known.agent || it.agent } : it;
      });
    let body;
    if (e.error) body = h('p', { class: 'ctx-muted' }, e.error);
    else if (!items.length && e.loading) body = h('p', { class: 'ctx-muted' }, t('context.loading'));
    else if (!items.length) body = h('p', { class: 'ctx-muted' }, t('context.noOther'));
    else {
      body = h(
        'ul',
        { class: 'earlier-list', 'aria-label': t('context.earlierCount', { n: items.length }) },
        items.map((it) =>
          h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                class: `earlier-item${app.active === it.conv ? ' is-active' : ''}`,
                testid: 'earlier-item',
                dataset: { conv: it.conv, status: it.status },
                onclick: () => {
                  // what we know live beats the list we fetched
                  const rec = app.convs.get(it.conv) || app.upsert(it.conv, fromItem(it));
                  app.open(it.conv, { readonly: rec.status === 'closed' && !rec.watched });
                },
              },
              h(
                'span',
                { class: 'earlier-top' },
                h('span', { class: 'earlier-when', title: it.opened_at ? fullDate(it.opened_at) : null }, when(it.opened_at, app.now())),
                h('span', { class: `status status-${it.status}` }, i18n().has(`status.${it.status}`) ? t(`status.${it.status}`) : cap(it.status)),
              ),
              h('span', { class: 'earlier-summary' }, it.summary || t('conv.noSummary')),
              it.agent && it.agent.name ? h('span', { class: 'earlier-agent' }, t('context.earlierWith', { name: it.agent.name })) : null,
            ),
          ),
        ),
      );
    }
    return h('section', { class: 'ctx-section' }, head, body);
  }

  function detailsSection(r) {
    const d = r.details;
    const head = h('h3', { class: 'ctx-h' }, t('context.told'));
    if (!d) {
      return h('section', { class: 'ctx-section' }, head, h('p', { class: 'ctx-muted' }, r.summary ? '' : t('context.loading'), r.summary ? userText('span', r.summary) : null));
    }
    const block = (label, text, cls = '') => (text ? h('div', { class: 'ctx-block' }, h('div', { class: 'ctx-label' }, label), userText('div', text, `ctx-text ${cls}`)) : null);
    const shots = Array.isArray(d.screenshots) ? d.screenshots.filter(Boolean) : [];
    return h(
      'section',
      { class: 'ctx-section' },
      head,
      block(t('details.summary'), d.summary, 'ctx-summary'),
      block(t('details.steps'), d.steps, 'ctx-pre'),
      d.environment ? h('div', { class: 'ctx-block' }, h('div', { class: 'ctx-label' }, t('details.environment')), h('div', { class: 'ctx-text' }, envBadge(d.environment))) : null,
      block(t('details.began'), d.began),
      block(t('details.errors'), d.errors, 'ctx-code'),
      shots.length
        ? h(
            'div',
            { class: 'ctx-block' },
            h('div', { class: 'ctx-label' }, t('details.screenshots', { n: i18n().number(shots.length) })),
            h('ul', { class: 'ctx-shots' }, shots.map((u) => userText('li', u, 'ctx-shot'))),
          )
        : null,
    );
  }

  function render() {
    const r = app.active && app.convs.get(app.active);
    if (!r) {
      lastSig = '';
      root.replaceChildren(
        h(
          'div',
          { class: 'empty empty-context' },
          h('div', { class: 'empty-art empty-art-context', 'aria-hidden': 'true' }),
          h('h3', null, t('context.emptyTitle')),
          h('p', null, t('context.emptyText')),
        ),
      );
      return;
    }
    const ti = tierInfo(r.tier);
    const who = r.customer.name || r.customer.id || t('who.customer');
    const waited = duration(app.now() - (r.opened_at || app.now()));
    const status =
      r.status === 'closed'
        ? r.closed_at
          ? t('context.closedWhen', { when: when(r.closed_at, app.now()) })
          : t('status.closed')
        : r.status === 'waiting'
          ? r.position
            ? t('context.waitingPos', { d: waited, n: r.position })
            : t('context.waiting', { d: waited })
          : r.agent && app.isMine(r)
            ? t('context.withYou')
            : t('context.with', { name: r.agent ? r.agent.name : t('who.anAgent') });
    const e = r.customer.id ? loadEarlier(r.customer.id) : null;
    const klass = r.class ? classLabel(r.class) : ti.klass;
    const queue = classQueue(r.class || ti.klassKey);
    const topic = r.topic
      ? r.out_of_scope
        ? t('context.topicOos', { topic: topicLabel(app, r.topic) })
        : topicLabel(app, r.topic)
      : r.out_of_scope
        ? t('context.oos')
        : '';
    // the date, and how long ago when pointed at (the clock does not move the layout)
    const opened = r.opened_at ? fullDate(r.opened_at) : '';
    const openedAgo = r.opened_at ? ago(r.opened_at, app.now()) : '';
    const held = r.status === 'waiting' && !r.position && r.held_until > 0 ? fullDate(r.held_until) : '';
    const sig = JSON.stringify([i18n().lang, opened, openedAgo, klass, topic, held, r.position, r.conv, r.status, r.tier, r.org, r.site, r.context, r.environment, r.customer, r.agent, r.opened_at, r.closed_at, r.details, r.summary, status, e && [e.items, e.error, e.loading], app.active]);
    if (sig === lastSig) return; // unchanged: keep the agent's text selection and focus
    lastSig = sig;
    const keep = root.scrollTop;
    const focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.dataset.conv : null;
    root.replaceChildren(
      h(
        'section',
        { class: 'ctx-card' },
        h('div', { class: `ctx-avatar tier-bg-${r.tier || 'none'}`, 'aria-hidden': 'true' }, initials(who)),
        h('div', { class: 'ctx-ident' }, h('div', { class: 'ctx-name' }, who), r.customer.id ? h('div', { class: 'ctx-id', title: t('context.customerId') }, r.customer.id) : null),
        h('div', { class: 'ctx-tier' }, tierBadge(r.tier, { long: true })),
      ),
      h(
        'dl',
        { class: 'ctx-facts' },
        fact(t('fact.org'), r.org),
        fact(t('fact.site'), r.site),
        fact(t('fact.context'), r.context ? (i18n().has(`context.kind.${r.context}`) ? t(`context.kind.${r.context}`) : cap(r.context)) : ''),
        fact(t('fact.environment'), r.environment ? envLabel(r.environment) : ''),
        fact(t('fact.support'), t('context.support', { tier: ti.label, queue })),
        fact(t('fact.topic'), topic),
        fact(t('fact.held'), held),
        fact(t('fact.status'), status),
        fact(t('fact.opened'), opened, openedAgo),
      ),
      detailsSection(r),
      earlierSection(r),
    );
    root.scrollTop = keep;
    if (focused) root.querySelector(`[data-testid=earlier-item][data-conv="${CSS.escape(focused)}"]`)?.focus();
  }

  /** A conversation of this customer changed: list again when shown. */
  function invalidate(customerId) {
    const e = customerId && earlier.get(customerId);
    if (e && !e.loading) e.at = 0;
  }

  return { render, invalidate };
}
