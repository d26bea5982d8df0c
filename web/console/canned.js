// Canned responses. They live on the server (canned_list / canned_save /
// canned_delete), so they follow the agent to any browser; this module keeps
// the last list in memory only. Two parts: the `/key` + Tab popup in the
// composer, and the manager dialog.

import { $, h } from './dom.js';
import { toast, errText, errCode, trapFocus } from './ui.js';
import { setText } from '../lib/text.js';

const KEY_RE = /^[a-z0-9_-]{1,32}$/;
const bytes = (s) => new TextEncoder().encode(s).length;

/** The `/prefix` right before the caret, or null. */
function slashToken(textarea) {
  const caret = textarea.selectionStart;
  if (caret !== textarea.selectionEnd) return null;
  const before = textarea.value.slice(0, caret);
  const m = /(^|\s)\/([a-z0-9_-]{0,32})$/i.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, end: caret, prefix: m[2].toLowerCase() };
}

/** Mine first, then team; a key of mine hides the team one. */
function merged(items) {
  const out = [];
  const seen = new Set();
  for (const scope of ['mine', 'team']) {
    for (const it of items.filter((i) => i.scope === scope).sort((a, b) => a.key.localeCompare(b.key))) {
      if (seen.has(it.key)) continue;
      seen.add(it.key);
      out.push(it);
    }
  }
  return out;
}

export function attachCannedPopup(app, textarea, popup) {
  let matches = [];
  let index = 0;
  let token = null;

  function close() {
    popup.hidden = true;
    popup.replaceChildren();
    matches = [];
    token = null;
    textarea.removeAttribute('aria-activedescendant');
  }

  function paint() {
    popup.replaceChildren(
      ...matches.map((it, i) =>
        h(
          'li',
          {
            id: `canned-opt-${i}`,
            role: 'option',
            class: `canned-opt${i === index ? ' is-selected' : ''}`,
            'aria-selected': String(i === index),
            onmousedown: (e) => e.preventDefault(), // keep the composer focused
            onclick: () => insert(it),
          },
          h('span', { class: 'canned-opt-key' }, `/${it.key}`),
          h('span', { class: 'canned-opt-title' }, it.title || ''),
          it.scope === 'team' ? h('span', { class: 'canned-opt-scope' }, 'team') : null,
          h('span', { class: 'canned-opt-text' }, it.text.length > 90 ? `${it.text.slice(0, 89)}…` : it.text),
        ),
      ),
      h('li', { class: 'canned-hint', role: 'presentation' }, '↑↓ to choose · Tab or Enter to insert · Esc to dismiss'),
    );
    popup.hidden = false;
    textarea.setAttribute('aria-activedescendant', `canned-opt-${index}`);
    popup.querySelector('.is-selected')?.scrollIntoView({ block: 'nearest' });
  }

  function find() {
    token = slashToken(textarea);
    if (!token) return [];
    const all = merged(app.canned || []);
    const p = token.prefix;
    const byKey = all.filter((it) => it.key.startsWith(p));
    const byTitle = p ? all.filter((it) => !it.key.startsWith(p) && (it.title || '').toLowerCase().includes(p)) : [];
    return [...byKey, ...byTitle].slice(0, 8);
  }

  function onInput() {
    const m = find();
    if (!m.length) return close();
    const keepKey = matches[index] && matches[index].key;
    matches = m;
    index = Math.max(0, matches.findIndex((it) => it.key === keepKey));
    paint();
  }

  function insert(it) {
    const t = token || slashToken(textarea);
    if (!t) return;
    const v = textarea.value;
    textarea.value = v.slice(0, t.start) + it.text + v.slice(t.end);
    const caret = t.start + it.text.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  }

  /** Returns true when it handled the key. */
  function onKeyDown(e) {
    if (e.isComposing) return false;
    if (!popup.hidden && matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        index = (index + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
        paint();
        return true;
      }
      if ((e.key === 'Tab' && !e.shiftKey) || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        insert(matches[index]);
        return true;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
        return true;
      }
      return false;
    }
    if (e.key === 'Tab' && !e.shiftKey) {
      // popup dismissed, or the list arrived late: an exact /key still works
      const t = slashToken(textarea);
      const it = t && merged(app.canned || []).find((i) => i.key === t.prefix);
      if (it) {
        e.preventDefault();
        token = t;
        insert(it);
        return true;
      }
    }
    return false;
  }

  textarea.addEventListener('blur', () => setTimeout(() => document.activeElement !== textarea && close(), 100));
  textarea.addEventListener('click', onInput);
  close();
  return { onInput, onKeyDown, close };
}

export function createCanned(app) {
  app.canned = [];
  const dialog = $('canned-manager');
  const lists = $('canned-lists');
  const form = $('canned-form');
  const formTitle = $('canned-form-title');
  const scopeField = $('canned-scope-field');
  const scopeSel = $('canned-scope');
  const keyIn = $('canned-key');
  const titleIn = $('canned-title-input');
  const textIn = $('canned-text');
  const errEl = $('canned-error');
  let editing = null; // {scope, key} being edited
  let loadState = 'idle'; // idle | loading | error | ready
  let loadError = '';

  const isAdmin = () => !!(app.me && app.me.role === 'admin');
  const canEdit = (it) => it.scope === 'mine' || isAdmin();

  async function load() {
    if (!app.client) return;
    loadState = 'loading';
    paint();
    try {
      const res = await app.client.request({ type: 'canned_list' });
      app.canned = ((res && res.items) || []).filter((it) => it && it.key && typeof it.text === 'string');
      loadState = 'ready';
    } catch (err) {
      loadState = 'error';
      const code = errCode(err);
      loadError = code === 'unknown_type' ? 'This server does not store canned responses yet.' : `Could not load canned responses: ${errText(err)}`;
    }
    paint();
  }

  function showError(msg) {
    errEl.textContent = msg;
    errEl.hidden = !msg;
  }

  function resetForm() {
    editing = null;
    form.reset();
    formTitle.textContent = 'New response';
    scopeSel.value = 'mine';
    showError('');
  }

  function edit(it, { copy = false } = {}) {
    editing = copy ? null : { scope: it.scope, key: it.key };
    formTitle.textContent = copy ? 'New response (copy)' : `Edit /${it.key}`;
    scopeSel.value = copy ? 'mine' : it.scope;
    keyIn.value = it.key;
    titleIn.value = it.title || '';
    textIn.value = it.text;
    showError('');
    textIn.focus();
  }

  async function remove(it) {
    try {
      await app.client.request({ type: 'canned_delete', scope: it.scope, key: it.key });
      toast(`Deleted /${it.key}.`);
      if (editing && editing.scope === it.scope && editing.key === it.key) resetForm();
    } catch (err) {
      toast(`Could not delete /${it.key}: ${errText(err)}`);
    }
    await load();
  }

  function itemEl(it) {
    const editable = canEdit(it);
    return h(
      'li',
      { class: 'canned-item', dataset: { scope: it.scope, key: it.key } },
      h('div', { class: 'canned-item-head' }, h('code', { class: 'canned-key' }, `/${it.key}`), h('span', { class: 'canned-title' }, it.title || ''), editable ? null : h('span', { class: 'canned-ro' }, 'read-only')),
      setText(h('p', { class: 'canned-text' }), it.text),
      h(
        'div',
        { class: 'canned-actions' },
        editable ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => edit(it), 'aria-label': `Edit /${it.key}` }, 'Edit') : null,
        editable ? h('button', { type: 'button', class: 'btn btn-small btn-danger-ghost', onclick: () => remove(it), 'aria-label': `Delete /${it.key}` }, 'Delete') : null,
        it.scope === 'team' ? h('button', { type: 'button', class: 'btn btn-small', onclick: () => edit(it, { copy: true }), 'aria-label': `Copy /${it.key} to my responses` }, 'Copy to mine') : null,
      ),
    );
  }

  function group(title, scope, note) {
    const items = app.canned.filter((it) => it.scope === scope).sort((a, b) => a.key.localeCompare(b.key));
    return h(
      'section',
      { class: 'canned-group', dataset: { scope } },
      h('h3', null, title, ' ', h('span', { class: 'canned-count' }, String(items.length))),
      note ? h('p', { class: 'canned-note' }, note) : null,
      items.length ? h('ul', { class: 'canned-list' }, items.map(itemEl)) : h('p', { class: 'canned-empty' }, scope === 'mine' ? 'You have none yet. Add one with the form.' : 'The team has none yet.'),
    );
  }

  function paint() {
    scopeField.hidden = !isAdmin();
    if (!dialog.open) return;
    if (loadState === 'loading' && !app.canned.length) {
      lists.replaceChildren(h('p', { class: 'canned-empty' }, 'Loading…'));
      return;
    }
    lists.replaceChildren(
      loadState === 'error' ? h('p', { class: 'form-error' }, loadError) : '',
      group('Mine', 'mine'),
      group('Team', 'team', isAdmin() ? 'Shared with every agent. As an admin you can change them.' : 'Shared with every agent. Only admins change them.'),
    );
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const scope = isAdmin() ? scopeSel.value : 'mine';
    const key = keyIn.value.trim().replace(/^\//, '').toLowerCase();
    const title = titleIn.value.trim();
    const text = textIn.value.replace(/\s+$/, '');
    if (!KEY_RE.test(key)) return showError('The shortcut is 1 to 32 of a-z, 0-9, _ and -.'), keyIn.focus();
    if (!text.trim()) return showError('Write the text to insert.'), textIn.focus();
    if (bytes(text) > 4096) return showError('The text is limited to 4 KiB.'), textIn.focus();
    if (bytes(title) > 100) return showError('The title is limited to 100 bytes.'), titleIn.focus();
    const frame = { type: 'canned_save', scope, key, text };
    if (title) frame.title = title;
    const save = $('canned-save');
    save.disabled = true;
    try {
      await app.client.request(frame);
      if (editing && (editing.key !== key || editing.scope !== scope)) {
        await app.client.request({ type: 'canned_delete', scope: editing.scope, key: editing.key }).catch(() => {});
      }
      toast(`Saved /${key}.`);
      resetForm();
      keyIn.focus();
    } catch (err) {
      showError(`Not saved: ${errText(err)}`);
    } finally {
      save.disabled = false;
    }
    await load();
  });

  $('canned-reset').addEventListener('click', () => {
    resetForm();
    keyIn.focus();
  });

  $('open-canned').addEventListener('click', () => {
    if (!dialog.open) dialog.showModal();
    paint();
    load();
    keyIn.focus();
  });
  trapFocus(dialog);
  dialog.addEventListener('close', () => {
    resetForm();
    $('open-canned').focus();
  });

  return { load, paint };
}
