// The widget's loader, served as /widget/widget.js: the small, stable file
// host pages embed (web/README.md). It defines window.ChatdWidget at once,
// starts loading the widget's bundle (widget-<hash>.js, named by
// scripts/build-web.mjs, which replaces WIDGET_BUNDLE), and draws the
// launcher button itself so that it shows as soon as mount() is called;
// the bundle then takes over the same element and shadow root.
//
// mount() works before the bundle has arrived: it returns a handle whose
// methods wait for the widget, and `ready`, a promise of the widget's own
// handle (rejected when the bundle cannot be loaded).
//
// The launcher's look here must match widget.css's (.launcher, .i, and
// the font, colour and margin buttons get from .cw and button there): the
// bundle's launcher replaces this one in place, so any difference would
// show as a flicker or a jump (tests/browser/load.test.mjs compares them).

/* global WIDGET_BUNDLE, WIDGET_CHUNKS */
const LAUNCHER_CSS =
  '.launcher{position:fixed;inset-inline-end:24px;bottom:24px;z-index:2147483000;width:56px;height:56px;margin:0;border:0;border-radius:50%;' +
  "background:#2563eb;color:#fff;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;" +
  'cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 20px rgba(37,99,235,.35),0 2px 4px rgba(15,23,42,.12)}' +
  'svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
  '.start{inset-inline:24px auto}@media (max-width:480px){.launcher{inset-inline-end:16px;bottom:16px}.start{inset-inline:16px auto}}';
const CHAT_ICON =
  'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.6.5-1.3.1-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z';

// The chunks the bundle imports are fetched at the same time as it (a
// module is fetched once, whoever imports it first).
for (const c of WIDGET_CHUNKS) import(c).catch(() => {});
const bundle = import(WIDGET_BUNDLE);

// The launcher's name in each language the widget has (its catalogues'
// launcher.open; tests/browser/widget-catalogues.test.mjs keeps them the
// same), and the right-to-left ones: the launcher sits where the widget's
// will, at the inline end unless position is bottom-left (logical sides),
// in the brand colour with the text colour widget/brand.js would pick.
const OPEN = { en: 'Open support chat', fr: "Ouvrir le chat d'assistance", de: 'Support-Chat öffnen', ar: 'فتح محادثة الدعم' };
const RTL = ['ar'];

function language(wanted) {
  for (const w of wanted == null ? navigator.languages || [navigator.language] : [].concat(wanted)) {
    const b = String(w || '').toLowerCase().split(/[-_]/)[0];
    if (OPEN[b]) return b;
  }
  return 'en';
}

function brand(c) {
  if (!/^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(c || '')) return null;
  let x = c.slice(1);
  if (x.length < 5) x = x.replace(/./g, '$&$&');
  const L = (rgb) => rgb.map((v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const l = L([0, 2, 4].map((i) => parseInt(x.slice(i, i + 2), 16)));
  return [`#${x.slice(0, 6)}`, 1.05 / (l + 0.05) >= 4.5 ? '#fff' : (l + 0.05) / (L([17, 24, 39]) + 0.05) >= 4.5 ? '#111827' : '#000'];
}

// An element with attributes (ns: an SVG one).
function el(tag, attrs, ns) {
  const e = ns ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

// The host element with a launcher that opens the widget once it is there.
function firstPaint({ target, language: wanted, brandColor, position }, open) {
  const lang = language(wanted);
  const host = el('chatd-widget');
  host.style.cssText = 'all:initial!important'; // CSSOM: allowed by a strict CSP
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(LAUNCHER_CSS);
  root.adoptedStyleSheets = [sheet];
  const button = el('button', { type: 'button', class: `launcher${position === 'bottom-left' ? ' start' : ''}`, 'data-testid': 'launcher', 'aria-label': OPEN[lang], dir: RTL.includes(lang) ? 'rtl' : 'ltr' });
  const b = brand(brandColor);
  if (b) button.style.cssText = `background:${b[0]};color:${b[1]}`; // CSSOM
  const svg = el('svg', { viewBox: '0 0 24 24', 'aria-hidden': 'true' }, 1);
  svg.append(el('path', { d: CHAT_ICON }, 1));
  button.append(svg);
  button.onclick = open;
  root.append(button);
  (target || document.body).append(host);
  return host;
}

function mount(opts = {}) {
  if (!opts.server || typeof opts.getToken !== 'function') throw new TypeError('ChatdWidget.mount needs server and getToken');
  let widget = null;
  // now if the widget is there, else once it is (in the order called)
  const call = (name) => (...args) => (widget ? widget[name](...args) : void ready.then((w) => w[name](...args)));
  const host = firstPaint(opts, call('open'));
  const ready = bundle.then((m) => (widget = m.mount({ ...opts, host })));
  ready.catch((e) => console.error('chatd widget:', e));
  const handle = { ready, get client() { return widget?.client; } };
  for (const name of ['open', 'close', 'reconnect', 'destroy']) handle[name] = call(name);
  return handle;
}

window.ChatdWidget = { mount };
