// Feedback shared by the views: a toast and readable error texts.

import { $ } from './dom.js';
import { t, i18n } from './lang.js';

const has = (key) => i18n().has(key);

export function errCode(err) {
  return (err && (err.code || (err.detail && err.detail.code) || (err.frame && err.frame.code))) || '';
}

export function errText(err) {
  const code = errCode(err);
  if (code && has(`error.${code}`)) return t(`error.${code}`);
  return (err && err.message) || code || t('error.unknown');
}

let toastTimer = 0;
export function toast(msg) {
  const t = $('toast');
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    t.hidden = true;
  }, 5000);
}

