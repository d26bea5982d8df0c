// The customer chat widget: a launcher button and a panel in a Shadow DOM,
// so the host page's CSS and the widget's never touch. This file is the
// shell (launcher, panel, header, connection state, unread badge, the list
// of the customer's conversations and which view shows); the views are in
// views/. All protocol work is lib/chat-client.js's.
//
//   <script type="module" src="https://chat.example.com/widget/widget.js"></script>
//   <script type="module">ChatdWidget.mount({ server: 'wss://chat.example.com/ws', getToken })</script>
//
// Every text comes from a message catalogue (i18n/): English is built in,
// the others are loaded when the customer reads them (LANGUAGES).

import { ChatClient } from '../lib/chat-client.js';
import { I18n, baseOf, browserLanguages, loadI18n, negotiate } from '../lib/i18n.js';
import { h, icon, listen } from './dom.js';
import { brandTheme } from './brand.js';
import { prefillValues } from './prefill.js';
import en from './i18n/en.js';
import { trackAvailability } from './avail.js';
// The styles are in the bundle (scripts/build-web.mjs loads .css as text)
// and adopted by the shadow root: no stylesheet request, no unstyled
// flash, and nothing a host page's CSP (style-src) has to allow.
import WIDGET_CSS from './widget.css';
import { trackConnection } from './conn.js';

// The views are a chunk of their own (views/index.js), fetched when the
// launcher is hovered, focused or touched, or the panel opens.
const loadViews = () => import('./views/index.js');

// The languages besides English, each its own file (a chunk once bundled).
export const LANGUAGES = {
  fr: () => import('./i18n/fr.js'),
  de: () => import('./i18n/de.js'),
  ar: () => import('./i18n/ar.js'),
};
const POSITIONS = ['bottom-right', 'bottom-left'];

let sheet = null; // one constructed stylesheet, shared by every mount

// The language tags wanted, most wanted first: mount's `language` (a tag or
// a list), else the browser's. Tags Intl does not take are dropped.
function wantedLanguages(language) {
  const list = (language == null ? browserLanguages() : Array.isArray(language) ? language : [language]).filter((x) => typeof x === 'string' && x);
  return list.filter((tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length > 0;
    } catch {
      console.warn(`ChatdWidget: language ${JSON.stringify(tag)} is not a BCP 47 tag; ignored`);
      return false;
    }
  });
}

// An IANA time zone Intl knows, or undefined (the browser's).
function validTimeZone(tz) {
  if (tz == null || tz === '') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    console.warn(`ChatdWidget: timeZone ${JSON.stringify(tz)} is not a time zone; the browser's is used`);
    return undefined;
  }
}

// The catalogue for the first wanted language the widget has: English at
// once, another one when its file came.
function i18nFor(wanted, timeZone) {
  const lang = negotiate(wanted, ['en', ...Object.keys(LANGUAGES)]);
  if (lang !== 'en') return loadI18n({ wanted, en, loaders: LANGUAGES, timeZone });
  const locale = wanted.find((w) => baseOf(w) === 'en') || 'en';
  return new I18n({ lang: 'en', locale, messages: en, fallback: en, timeZone });
}

// Options: server, getToken (required); title, target, language, timeZone,
// brandColor, position, prefill (web/README.md). Returns at once; with a
// language other than English the panel is built once its catalogue came
// (`ready` resolves then); open/close/reconnect wait for it.
//
// host: the element the loader (widget/loader.js) already put on the page
// with its first-paint launcher in the shadow root; this takes it over.
export function mount({ server, getToken, title, target = document.body, host = null, language, timeZone, brandColor, position, prefill } = {}) {
  if (!server || typeof getToken !== 'function') throw new TypeError('ChatdWidget.mount needs server and getToken');
  const client = new ChatClient({ url: server, getToken });
  const i18n = i18nFor(wantedLanguages(language), validTimeZone(timeZone));
  if (position != null && !POSITIONS.includes(position)) console.warn(`ChatdWidget: position ${JSON.stringify(position)} is not one of ${POSITIONS.join(', ')}; bottom-right is used`);
  if (prefill?.environment != null && !prefillValues({ environment: prefill.environment }).environment) {
    console.warn(`ChatdWidget: prefill.environment ${JSON.stringify(prefill.environment)} is not one of multidev, dev, test, live; ignored`);
  }
  const theme = brandTheme(brandColor);
  const options = { client, title, target, host, position: POSITIONS.includes(position) ? position : 'bottom-right', theme, prefill: prefill && typeof prefill === 'object' ? prefill : null };
  if (!(i18n instanceof Promise)) return build(options, i18n);
  // the catalogue is on its way: a handle whose calls wait for the widget
  let built = null;
  let destroyed = false;
  const ready = i18n.then((loaded) => {
    if (!destroyed) built = build(options, loaded);
    return built;
  });
  const later = (f) => () => (built ? f(built) : ready.then((w) => w && f(w)));
  return {
    client,
    ready,
    open: later((w) => w.open()),
    close: later((w) => w.close()),
    reconnect: later((w) => w.reconnect()),
    destroy() {
      destroyed = true;
      if (built) built.destroy();
      else client.stop();
    },
  };
}

function build({ client, title: hostTitle, target, host, position, theme, prefill }, i18n) {
  const t = (key, vars) => i18n.t(key, vars);
  const title = hostTitle || t('widget.title');
  if (!host) {
    host = h('chatd-widget');
    host.style.cssText = 'all:initial!important';
  }
  const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
  }

  const badge = h('span', { class: 'badge', testid: 'unread', hidden: true });
  const launcher = h(
    'button',
    { class: 'launcher', type: 'button', testid: 'launcher', 'aria-controls': 'chatd-panel', 'aria-expanded': 'false' },
    icon('chat'),
    icon('close'),
    badge,
  );
  const back = h('button', { class: 'icon-btn', type: 'button', testid: 'back', 'aria-label': t('head.back'), hidden: true }, icon('back'));
  const headMain = h('div', { class: 'head-main' });
  const connLabel = h('span');
  const conn = h('span', { class: 'conn', testid: 'connection', role: 'status' }, h('i', { class: 'dot', 'aria-hidden': 'true' }), connLabel);
  const minimize = h('button', { class: 'icon-btn', type: 'button', 'aria-label': t('head.minimize') }, icon('close'));
  const banner = h('div', { class: 'banner', testid: 'banner', hidden: true });
  const body = h('div', { class: 'body' });
  const panel = h(
    'section',
    { class: 'panel', id: 'chatd-panel', role: 'dialog', 'aria-label': title, hidden: true },
    h('div', { class: 'head' }, back, headMain, conn, minimize),
    banner,
    body,
  );
  // the customer's language and its direction; the launcher's corner
  const shell = h('div', { class: `cw loading pos-${position}`, lang: i18n.locale, dir: i18n.dir }, launcher, panel);
  for (const [k, v] of Object.entries(theme?.vars || {})) shell.style.setProperty(k, v);
  if (theme) shell.classList.add('branded');
  // styled once with .loading (no transitions) before it goes, so nothing
  // fades in from the browser's default look
  const styled = () => {
    void getComputedStyle(launcher).backgroundColor;
    shell.classList.remove('loading');
  };
  root.adoptedStyleSheets = [sheet];
  root.replaceChildren(shell);

  let view = null;
  let views = null; // the views chunk once loaded, or the promise of it
  let wanted = ['home']; // the view to show (name, arg) once the chunk is here
  let gone = false;
  // Loads the views chunk once; a failed load (offline) is tried again at
  // the next open.
  const viewsReady = () => {
    views ??= loadViews().then(
      (m) => {
        root.adoptedStyleSheets = [sheet, m.viewsSheet()];
        return (views = m);
      },
      (e) => {
        views = null;
        throw e;
      },
    );
    return Promise.resolve(views);
  };
  const render = () => {
    const [name, arg] = wanted;
    view?.destroy?.();
    view = views[name](app, arg);
    back.hidden = name === 'home';
    headMain.replaceChildren(...view.head);
    body.replaceChildren(view.el);
    body.removeAttribute('aria-busy');
    if (app.open) view.onShow?.(true), view.focus?.();
  };
  const app = {
    client,
    title,
    i18n, // the customer's language, locale and time zone (lib/i18n.js)
    t,
    prefill, // the host's values for the form (environment, site, summary, ...)
    convs: new Map(), // conv -> list item (status, summary, agent, opened_at, ...)
    next: 0, // cursor of the next page of the list
    listed: false,
    drafts: new Map(), // conv -> unsent composer text
    bus: new EventTarget(), // 'convs' when app.convs changed, 'avail' when app.avail did, 'transcript' when app.transcripts did
    avail: null, // the last availability frame: hours, class, topics, agents online
    availUnsupported: false, // the server does not know availability (an older one)
    queue: new Map(), // conv -> the last queue frame {position, waiting, eta_ms, class}
    formDraft: null, // what the customer typed in the new-conversation form, kept until it is sent
    transcripts: new Map(), // conv -> what the server said to "Email me the transcript" (transcript.js)
    transcriptUnsupported: false, // the server does not know transcript (an older one)
    open: false,
    me: () => client.user?.id,
    visible: () => app.open && document.visibilityState === 'visible',
    show(name, arg) {
      if (name !== 'conv') availability.ask();
      wanted = [name, arg];
      if (views && !(views instanceof Promise)) render();
      else if (app.open) showWhenLoaded();
    },
    // Adds or updates a conversation of the list; watches the ones not closed.
    note(conv, fields) {
      const c = { conv, ...app.convs.get(conv), ...fields };
      app.convs.set(conv, c);
      if (c.status !== 'closed') client.watch(conv, 0);
      app.bus.dispatchEvent(new Event('convs'));
    },
    async loadList(more) {
      const r = await client.request({ type: 'list', scope: 'mine', limit: 20, ...(more && { before: app.next }) });
      for (const it of r.items) app.note(it.conv, { held_until: 0, ...it });
      app.next = r.next;
      app.listed = true;
      app.bus.dispatchEvent(new Event('convs'));
    },
    unread(conv) {
      const me = app.me();
      if (!me || !client.synced(conv)) return 0;
      const read = client.reads(conv)[me] || 0;
      return client.events(conv).filter((e) => e.kind === 'message' && e.from?.id !== me && e.seq > read).length;
    },
  };

  const availability = trackAvailability(app);
  app.availability = availability;

  function showWhenLoaded() {
    const ask = wanted;
    if (!view) body.setAttribute('aria-busy', 'true');
    viewsReady().then(
      () => !gone && wanted === ask && render(),
      () => body.removeAttribute('aria-busy'),
    );
  }

  function setOpen(open) {
    app.open = open;
    panel.hidden = !open;
    shell.classList.toggle('open', open);
    launcher.setAttribute('aria-expanded', String(open));
    if (open && !view) showWhenLoaded();
    else if (open) {
      view.onShow?.(true);
      view.focus?.();
    } else if (root.activeElement && panel.contains(root.activeElement)) launcher.focus();
    updateBadge();
  }

  function updateBadge() {
    let n = 0;
    for (const conv of app.convs.keys()) n += app.unread(conv);
    badge.hidden = !n;
    badge.textContent = n > 9 ? t('badge.more', { n: i18n.number(9) }) : i18n.number(n);
    const label = t(app.open ? 'launcher.close' : 'launcher.open');
    launcher.setAttribute('aria-label', n ? t('launcher.withUnread', { label, unread: t('launcher.unread', { n }) }) : label);
  }

  // the feed tells us about conversations opened, assigned or closed elsewhere
  function onFeed({ detail: f }) {
    if (f.kind === 'opened') app.note(f.conv, { status: 'waiting', summary: f.summary, opened_at: f.ts });
    else if (f.kind === 'assigned') app.note(f.conv, { status: 'assigned', agent: f.agent || app.convs.get(f.conv)?.agent });
    else if (f.kind === 'closed') app.note(f.conv, { status: 'closed', closed_at: f.ts });
    else if (f.kind === 'requeued') app.note(f.conv, { status: 'waiting', agent: null });
  }

  function onEvent({ detail: e }) {
    if (!app.convs.has(e.conv)) return;
    if (e.kind === 'joined') app.queue.delete(e.conv), app.note(e.conv, { status: 'assigned', agent: e.from });
    else if (e.kind === 'left' && !e.to) app.queue.delete(e.conv), app.note(e.conv, { status: 'waiting', agent: null });
    else if (e.kind === 'opened') app.note(e.conv, { held_until: e.held_until || 0 });
    else if (e.kind === 'closed') app.queue.delete(e.conv), app.note(e.conv, { status: 'closed', closed_at: e.ts });
    else if (e.kind === 'reopened') app.note(e.conv, { status: 'waiting', agent: null, closed_at: 0 });
    updateBadge();
  }

  const offs = [
    listen(document, { visibilitychange: () => app.open && view?.onShow?.() }),
  ];
  listen(client, {
    hello: () => {
      app.loadList().catch(() => {}); // again after every reconnect: feeds are not replayed
      availability.ask({ fresh: true });
    },
    queue: ({ detail: q }) => {
      app.queue.set(q.conv, q);
      app.bus.dispatchEvent(new CustomEvent('queue', { detail: q }));
    },
    event: onEvent,
    read: updateBadge,
    synced: updateBadge,
    feed: onFeed,
  });
  launcher.addEventListener('click', () => setOpen(!app.open));
  // interest in the chat: fetch the views before the click
  for (const t of ['pointerenter', 'focus', 'touchstart'])
    launcher.addEventListener(t, () => viewsReady().catch(() => {}), { once: true, passive: true });
  minimize.addEventListener('click', () => setOpen(false));
  back.addEventListener('click', () => app.show('home'));
  panel.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || view?.onEscape?.()) return;
    e.stopPropagation();
    setOpen(false);
  });

  app.show('home');
  updateBadge();
  if (!host.isConnected) target.append(host);
  styled();
  client.start();
  // the connection's word and notice (conn.js): network or service down,
  // when the next try is, "Retry now"; or that signing in failed
  offs.push(trackConnection({ client, conn, connLabel, banner, i18n, focusOut: () => view?.focus?.() }));
  const handle = {
    client,
    open: () => setOpen(true),
    close: () => setOpen(false),
    // after a sign-in failure: try again with a token from getToken()
    reconnect: () => client.reconnect(),
    destroy() {
      gone = true;
      view?.destroy?.();
      availability.stop();
      offs.forEach((f) => f());
      client.stop();
      host.remove();
    },
  };
  handle.ready = Promise.resolve(handle);
  return handle;
}

// The loader (widget/widget.js as served) defines ChatdWidget first and
// keeps it.
if (typeof window !== 'undefined' && !window.ChatdWidget) window.ChatdWidget = { mount };
