// New conversation: what support asks for (summary, steps to reproduce,
// environment, when it began, error messages, screenshot links), checked
// here with the server's rules before anything is sent. Above it, what the
// customer's package offers now (availability): the topics it covers, and
// outside chat hours a message left for the next opening instead of a chat.
// What the customer typed is kept (app.formDraft) until it is sent.

import { h, bytes, listen } from '../dom.js';
import { safeHref } from '../../lib/text.js';
import { availNotice, isClosed, opensText, tierName } from '../avail.js';

const ENVS = [
  ['multidev', 'Multidev'],
  ['dev', 'Dev'],
  ['test', 'Test'],
  ['live', 'Live'],
  ['', 'Not sure'],
];
const FIELDS = [
  { name: 'summary', label: 'Summary', hint: 'What is going wrong, in a sentence or two', max: 300, required: true },
  { name: 'steps', label: 'Steps to reproduce', hint: 'Include URLs or paths to files', max: 16384, rows: 3 },
  { name: 'environment', label: 'Environment affected' },
  { name: 'began', label: 'When did it begin?', placeholder: 'e.g. today around 08:00 UTC, after a deploy', max: 4096 },
  { name: 'errors', label: 'Error messages', hint: 'Paste them in full', max: 4096, rows: 2 },
  { name: 'screenshots', label: 'Links to screenshots or screencasts', hint: 'One link per line', placeholder: 'https://', rows: 2 },
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
export function check(name, value) {
  const f = FIELDS.find((x) => x.name === name);
  if (f.required && !value.trim()) return 'Please describe the problem in a sentence or two.';
  if (f.max && bytes(value) > f.max) return `This is too long: keep it under ${f.max} characters.`;
  if (name === 'screenshots') {
    const l = links(value);
    if (l.length > 10) return 'Up to 10 links, please.';
    const bad = l.findIndex((u) => BAD_URL_CHAR.test(u) || !safeHref(u));
    if (bad >= 0) return `Line ${bad + 1} is not a web link (it must start with http:// or https://).`;
  }
  return '';
}

export function formView(app) {
  const { client } = app;
  const controls = {};
  const errors = {};
  let tried = false;
  let gone = false;

  function field(f) {
    const id = `chatd-f-${f.name}`;
    const hint = f.hint && h('span', { class: 'hint', id: `${id}-hint` }, f.hint);
    const common = { id, name: f.name, 'aria-describedby': hint ? `${id}-hint` : null, placeholder: f.placeholder };
    let c;
    if (f.name === 'environment') {
      c = h('select', common, ENVS.map(([v, t]) => h('option', { value: v }, t)));
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
      h('label', { for: id }, f.label, f.required ? null : h('span', { class: 'opt' }, ' (optional)')),
      hint,
      c,
      errors[f.name],
    );
  }

  // Shows (or clears) the field's error; returns it.
  function show(name) {
    const c = controls[name];
    const msg = check(name, c.value);
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
    h('label', { for: 'chatd-f-topic' }, 'Topic', h('span', { class: 'opt' }, ' (optional)')),
    topic,
    scopeNote,
  );
  const topics = () => (app.avail?.topics || []).filter((t) => t && TOPIC_KEY.test(t.key));
  const outside = () => `may be outside your ${tierName(app.avail)} package's scope`;

  function renderTopics() {
    const list = topics();
    topicField.hidden = !list.length;
    const was = topic.value || app.formDraft?.topic || '';
    topic.replaceChildren(
      h('option', { value: '' }, 'Choose a topic'),
      ...list.map((t) => h('option', { value: t.key, 'data-in-scope': String(t.in_scope !== false) }, t.in_scope === false ? `${t.label || t.key} (${outside()})` : t.label || t.key)),
    );
    topic.value = list.some((t) => t.key === was) ? was : '';
    renderScope();
  }

  function renderScope() {
    const t = topics().find((x) => x.key === topic.value);
    const out = t && t.in_scope === false;
    scopeNote.hidden = !out;
    scopeNote.textContent = out ? `This topic ${outside()} of support${app.avail?.scope_label ? ` (${app.avail.scope_label})` : ''}. You can still ask: we will tell you what we can do.` : '';
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
  function restore() {
    const d = app.formDraft;
    if (!d) return;
    for (const f of FIELDS) if (typeof d[f.name] === 'string') controls[f.name].value = d[f.name];
  }

  // --- chat hours -----------------------------------------------------------
  const notice = availNotice(app, { form: true });
  const submitLabel = () => (isClosed(app.avail) ? 'Leave a message' : 'Start conversation');
  const submit = h('button', { class: 'btn primary wide', type: 'submit', testid: 'open-submit' }, 'Start conversation');
  const formErr = h('p', { class: 'form-err', role: 'alert' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'New conversation' }, notice.el, topicField, FIELDS.map(field), formErr, submit);
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
    for (const n of ['steps', 'environment', 'began', 'errors']) if (v(n)) details[n] = v(n);
    const shots = links(controls.screenshots.value);
    if (shots.length) details.screenshots = shots;
    const leave = isClosed(app.avail);
    const frame = { type: 'open', details };
    if (topic.value && !topicField.hidden) frame.topic = topic.value;
    const tz = timeZone();
    if (tz) frame.tz = tz;
    if (leave) frame.leave_message = true;
    sending = true;
    submit.setAttribute('aria-disabled', 'true'); // not disabled: focus stays on it
    submit.textContent = client.state !== 'online' ? 'Waiting for connection…' : leave ? 'Leaving your message…' : 'Starting…';
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
        const when = f.opens_at ? ` It opens ${opensText(f.opens_at, client.now())}.` : '';
        formErr.textContent = `Chat has just closed.${when} Your message is still here: choose “Leave a message” to send it for then.`;
        submit.textContent = 'Leave a message';
        if (!gone) submit.focus();
        return;
      }
      formErr.textContent = `Could not ${leave ? 'leave your message' : 'start the conversation'}: ${f.message || f.code}.`;
      submit.textContent = submitLabel();
    }
  });

  restore();
  renderAvail();
  const off = listen(app.bus, { avail: renderAvail });

  return {
    head: [h('div', { class: 'head-text' }, h('strong', null, 'New conversation'), h('span', { class: 'sub' }, 'The more detail, the faster the fix'))],
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
