// New conversation: what support asks for (summary, steps to reproduce,
// environment, when it began, error messages, screenshot links), checked
// here with the server's rules before anything is sent.

import { h, bytes } from '../dom.js';
import { safeHref } from '../../lib/text.js';

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
    c.addEventListener('input', () => tried && show(f.name));
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

  const submit = h('button', { class: 'btn primary wide', type: 'submit', testid: 'open-submit' }, 'Start conversation');
  const formErr = h('p', { class: 'form-err', role: 'alert' });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': 'New conversation' }, FIELDS.map(field), formErr, submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    tried = true;
    formErr.textContent = '';
    const bad = FIELDS.map((f) => f.name).filter((n) => show(n));
    if (bad.length) return controls[bad[0]].focus();
    const v = (n) => controls[n].value.trim();
    const details = { summary: v('summary') };
    for (const n of ['steps', 'environment', 'began', 'errors']) if (v(n)) details[n] = v(n);
    const shots = links(controls.screenshots.value);
    if (shots.length) details.screenshots = shots;
    submit.disabled = true;
    submit.textContent = client.state === 'online' ? 'Starting…' : 'Waiting for connection…';
    try {
      const ack = await client.change({ type: 'open', details });
      app.note(ack.conv, { status: 'waiting', summary: details.summary, environment: details.environment, opened_at: ack.ts });
      if (!gone) app.show('conv', ack.conv);
    } catch (f) {
      formErr.textContent = `Could not start the conversation: ${f.message || f.code}.`;
      submit.disabled = false;
      submit.textContent = 'Start conversation';
    }
  });

  return {
    head: [h('div', { class: 'head-text' }, h('strong', null, 'New conversation'), h('span', { class: 'sub' }, 'The more detail, the faster the fix'))],
    el: h('div', { class: 'scroll' }, form),
    focus: () => controls.summary.focus(),
    destroy: () => (gone = true),
  };
}
