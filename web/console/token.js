// The agent's token: taken from location.hash (#token=...) once, then kept
// in sessionStorage for this tab only and removed from the address bar so it
// does not linger in history or get shared with a screenshot.

import { t } from './lang.js';

const KEY = 'chatd.console.token';

export function takeHashToken() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const t = params.get('token');
  if (!t) return null;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
  return t.trim();
}

export function savedToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(t) {
  try {
    if (t) sessionStorage.setItem(KEY, t);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the token lives in memory only */
  }
}

/** The claims of a JWT, unverified (the server verifies); null if unreadable. */
export function claims(token) {
  const parts = String(token || '').split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const obj = JSON.parse(new TextDecoder().decode(bytes));
    return obj && typeof obj === 'object' ? obj : null;
  } catch {
    return null;
  }
}

/**
 * Why this token cannot sign in to the console, as the catalogue key of a
 * sentence, or null when it looks usable. `skew` is server time minus local
 * time in ms.
 */
export function tokenProblemKey(token, skew = 0) {
  if (!token) return 'signin.empty';
  const c = claims(token);
  if (!c) return 'signin.notToken';
  if (typeof c.exp === 'number' && c.exp * 1000 <= Date.now() + skew) return 'signin.expired';
  if (c.role && c.role !== 'agent' && c.role !== 'admin') return 'signin.customer';
  return null;
}

/** The same, as a sentence in the console's language. */
export function tokenProblem(token, skew = 0) {
  const key = tokenProblemKey(token, skew);
  return key && t(key);
}
