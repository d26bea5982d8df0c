// Feedback shared by the views: a toast and readable error texts.

import { $ } from './dom.js';

export function errCode(err) {
  return (err && (err.code || (err.detail && err.detail.code) || (err.frame && err.frame.code))) || '';
}

export function errText(err) {
  const code = errCode(err);
  const known = {
    forbidden: 'you are not allowed to do that',
    not_found: 'no such conversation',
    not_assigned: 'claim the conversation first',
    conversation_closed: 'the conversation is closed',
    already_assigned: 'another agent has it',
    too_large: 'too long',
    unavailable: 'the server cannot store it right now',
    rate_limited: 'too many requests, slow down',
    over_capacity: 'you are at your capacity: close or transfer a chat first',
    no_offer: 'the offer is no longer yours (it expired or was taken)',
    agent_unavailable: 'that agent is not online or has no free capacity',
    outside_hours: 'chat is closed now for this package',
    unknown_type: 'the server does not support this yet',
  };
  return known[code] || (err && err.message) || code || 'unknown error';
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


// Keeps Tab and Shift+Tab inside a modal dialog: from its last control to
// its first and back, rather than out to the browser.
export function trapFocus(dialog) {
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey) return;
    const stops = [...dialog.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')].filter(
      (el) => !el.disabled && el.tabIndex >= 0 && el.checkVisibility() && !(el.type === 'radio' && !el.checked && dialog.querySelector(`input[type=radio][name="${CSS.escape(el.name)}"]:checked`)),
    );
    if (!stops.length) return;
    const first = stops[0];
    const last = stops[stops.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
}
