// New conversation: what support asks for (summary, steps to reproduce,
// environment, when it began, error messages, screenshot links), checked
// here with the server's rules before anything is sent. Above it, what the
// customer's package offers now (availability): the topics it covers, and
// outside chat hours a message left for the next opening instead of a chat.
// What the customer typed is kept (app.formDraft) until it is sent; until
// then the host's prefill (mount's `prefill`) fills the form, and the site
// the customer is looking at shows read-only (the server takes the site
// from the token, never from the frame).

import { h, bytes, listen, EN } from '../dom.js';
import { safeHref } from '../../lib/text.js';
import { availNotice, isClosed, opensText, tierName } from '../avail.js';
import { ENVIRONMENTS, prefillValues } from '../prefill.js';

// The environments `open` accepts (prefill.js). The select starts on
// "Choose…" (or the host's prefill), never silently on one of them; "Not
// sure" and "Choose…" send none.
const ENVS = [['', 'env.choose'], ...ENVIRONMENTS.map((e) => [e, `env.${e}`]), ['unsure', 'env.unsure']];
// label, hint, placeholder: catalogue keys
const FIELDS = [
  { name: 'summary', label: 'form.summary', hint: 'form.summaryHint', max: 300, required: true },
  { name: 'steps', label: 'form.steps', hint: 'form.stepsHint', max: 16384, rows: 3 },
  { name: 'environment', label: 'form.environment' },
  { name: 'began', label: 'form.began', placeholder: 'form.beganPlaceholder', max: 4096 },
  { name: 'errors', label: 'form.errors', hint: 'form.errorsHint', max: 4096, rows: 2 },
  { name: 'screenshots', label: 'form.screenshots', hint: 'form.screenshotsHint', placeholder: 'https://', rows: 2 },
];

const BAD_URL_CHAR = /[\s"<>\\`\u0000-\u001f\u007f]/;

const TOPIC_KEY = /^[a-z0-9_-]{1,32}$/;
const TZ_NAME = /^[A-Za-z0-9_+\-/]{1,64}$/;

// The customer's IANA time zone as `open` accepts it, or undefined.
export function timeZone() {
  try {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return tz && TZ_NAME.test(tz) ? tz : undefined;
  } catch {
    return undefined;
  }
}

export function links(value) {
  return value.split('\n').map((l) => l.trim()).filter(Boolean);
}

// The error message for one field, or ''.
export function check(name, value, i18n = EN) {
  const f = FIELDS.find((x) => x.name === name);
  if (f.required && !value.trim()) return i18n.t('check.summary');
  if (f.max && bytes(value) > f.max) return i18n.t('check.tooLong', { n: f.max });
  if (name === 'environment' && value && value !== 'unsure' && !ENVIRONMENTS.includes(value)) return i18n.t('check.environment');
  if (name === 'screenshots') {
    const l = links(value);
    if (l.length > 10) return i18n.t('check.links', { n: 10 });
    const bad = l.findIndex((u) => BAD_URL_CHAR.test(u) || !safeHref(u));
    if (bad >= 0) return i18n.t('check.notLink', { line: i18n.number(bad + 1) });
  }
  return '';
}

export function formView(app) {
  const { client, i18n, t } = app;
  const controls = {};
  const errors = {};
  let tried = false;
  let gone = false;

  function field(f) {
    const id = `chatd-f-${f.name}`;
    const hint = f.hint && h('span', { class: 'hint', id: `${id}-hint` }, t(f.hint));
    const placeholder = f.placeholder && (f.placeholder.startsWith('form.') ? t(f.placeholder) : f.placeholder);
    const common = { id, name: f.name, 'aria-describedby': hint ? `${id}-hint` : null, placeholder };
    let c;
    if (f.name === 'environment') {
      c = h('select', common, ENVS.map(([v, k]) => h('option', { value: v }, t(k))));
      c.value = '';
    }
    else if (f.rows) c = h('textarea', { ...common, rows: f.rows });
    else c = h('input', { ...common, type: 'text', required: f.required, 'aria-required': f.required ? 'true' : null, autocomplete: 'off' });
    c.addEventListener('input', () => {
      keep();
      if (tried) show(f.name);
    });
    controls[f.name] = c;
    errors[f.name] = h('div', { class: 'err-slot' });
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, t(f.label), f.required ? null : h('span', { class: 'opt' }, t('form.optional'))),
      hint,
      c,
      errors[f.name],
    );
  }

  // Shows (or clears) the field's error; returns it.
  function show(name) {
    const c = controls[name];
    const msg = check(name, c.value, i18n);
    const eid = `chatd-e-${name}`;
    const hint = c.id + '-hint';
    errors[name].replaceChildren(msg ? h('p', { class: 'field-error', testid: 'field-error', id: eid }, msg) : '');
    if (msg) c.setAttribute('aria-invalid', 'true');
    else c.removeAttribute('aria-invalid');
    const by = [FIELDS.find((f) => f.name === name).hint && hint, msg && eid].filter(Boolean).join(' ');
    if (by) c.setAttribute('aria-describedby', by);
    else c.removeAttribute('aria-describedby');
    return msg;
  }

  // --- the topic picker (from availability.topics) ------------------------
  const topic = h('select', { id: 'chatd-f-topic', name: 'topic', 'aria-describedby': 'chatd-f-topic-note' });
  const scopeNote = h('p', { class: 'hint scope-note', id: 'chatd-f-topic-note', testid: 'scope-note', 'aria-live': 'polite' });
  const topicField = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: 'chatd-f-topic' }, t('form.topic'), h('span', { class: 'opt' }, t('form.optional'))),
    topic,
    scopeNote,
  );
  const topics = () => (app.avail?.topics || []).filter((x) => x && TOPIC_KEY.test(x.key));
  const tier = () => tierName(app.avail, i18n);

  function renderTopics() {
    const list = topics();
    topicField.hidden = !list.length;
    const was = topic.value || app.formDraft?.topic || '';
    topic.replaceChildren(
      h('option', { value: '' }, t('form.topicChoose')),
      ...list.map((x) => h('option', { value: x.key, 'data-in-scope': String(x.in_scope !== false) }, x.in_scope === false ? t('form.topicOutside', { label: x.label || x.key, tier: tier() }) : x.label || x.key)),
    );
    topic.value = list.some((t) => t.key === was) ? was : '';
    renderScope();
  }

  function renderScope() {
    const x = topics().find((y) => y.key === topic.value);
    const out = x && x.in_scope === false;
    const scope = app.avail?.scope_label;
    scopeNote.hidden = !out;
    scopeNote.textContent = out ? t(scope ? 'form.scopeNoteLabel' : 'form.scopeNote', { tier: tier(), scope }) : '';
  }
  topic.addEventListener('change', () => {
    renderScope();
    keep();
  });

  // --- drafts ----------------------------------------------------------------
  function keep() {
    const d = { topic: topic.value };
    for (const f of FIELDS) d[f.name] = controls[f.name].value;
    app.formDraft = d;
  }
  // the draft, else the host's prefill
  function restore() {
    const d = app.formDraft || prefillValues(app.prefill);
    for (const f of FIELDS) if (typeof d[f.name] === 'string') controls[f.name].value = d[f.name];
  }

  // the site the customer is looking at (the host's prefill): read-only
  const site = typeof app.prefill?.site === 'string' && app.prefill.site.trim();
  const siteField = site
    ? h('div', { class: 'field' }, h('label', { for: 'chatd-f-site' }, t('form.site')), h('input', { id: 'chatd-f-site', name: 'site', type: 'text', readonly: true, value: site, dir: 'auto' }))
    : null;

  // --- chat hours -----------------------------------------------------------
  const notice = availNotice(app, { form: true });
  const submitLabel = () => (isClosed(app.avail) ? t('form.leave') : t('form.start'));
  const submit = h('button', { class: 'btn primary wide', type: 'submit', testid: 'open-submit' }, t('form.start'));
  const formErr = h('p', { class: 'form-err', role: 'alert' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': t('form.title') }, notice.el, siteField, topicField, FIELDS.map(field), formErr, submit);
  let sending = false;
  function renderAvail() {
    renderTopics();
    if (!sending) submit.textContent = submitLabel();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (sending) return;
    tried = true;
    formErr.textContent = '';
    const bad = FIELDS.map((f) => f.name).filter((n) => show(n));
    if (bad.length) return controls[bad[0]].focus();
    const v = (n) => controls[n].value.trim();
    const details = { summary: v('summary') };
    for (const n of ['steps', 'began', 'errors']) if (v(n)) details[n] = v(n);
    if (ENVIRONMENTS.includes(v('environment'))) details.environment = v('environment');
    const shots = links(controls.screenshots.value);
    if (shots.length) details.screenshots = shots;
    const leave = isClosed(app.avail);
    const frame = { type: 'open', details };
    if (topic.value && !topicField.hidden) frame.topic = topic.value;
    const tz = i18n.timeZone || timeZone();
    if (tz) frame.tz = tz;
    if (leave) frame.leave_message = true;
    sending = true;
    submit.setAttribute('aria-disabled', 'true'); // not disabled: focus stays on it
    submit.textContent = client.state !== 'online' ? t('form.waiting') : leave ? t('form.leaving') : t('form.starting');
    try {
      const ack = await client.change(frame);
      app.formDraft = null;
      const held = leave ? { held_until: app.avail?.opens_at || 0 } : {};
      app.note(ack.conv, { status: 'waiting', summary: details.summary, environment: details.environment, opened_at: ack.ts, ...held });
      if (!gone) app.show('conv', ack.conv);
    } catch (f) {
      sending = false;
      submit.removeAttribute('aria-disabled');
      if (f.code === 'outside_hours') {
        // closed meanwhile: nothing is lost, the same form leaves a message
        app.availability.closedUntil(f.opens_at);
        formErr.textContent = f.opens_at ? t('form.justClosedAt', { when: opensText(f.opens_at, client.now(), i18n) }) : t('form.justClosed');
        submit.textContent = t('form.leave');
        if (!gone) submit.focus();
        return;
      }
      formErr.textContent = t(leave ? 'form.leaveFailed' : 'form.startFailed', { why: f.message || f.code });
      submit.textContent = submitLabel();
    }
  });

  restore();
  renderAvail();
  const off = listen(app.bus, { avail: renderAvail });

  return {
    head: [h('div', { class: 'head-text' }, h('strong', null, t('form.title')), h('span', { class: 'sub' }, t('form.sub')))],
    el: h('div', { class: 'scroll' }, form),
    focus: () => controls.summary.focus(),
    destroy() {
      gone = true;
      if (!sending) keep();
      notice.destroy();
      off();
    },
  };
}
