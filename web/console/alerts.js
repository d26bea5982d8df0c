// Getting an agent's attention: a short chime made with WebAudio (no audio
// files, nothing fetched) and a desktop notification, both silenced by the
// mute toggle, which is remembered in localStorage.

const MUTE_KEY = 'chatd.console.muted';

let audio = null;

function ctx() {
  if (!audio) {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return null;
    audio = new AC();
  }
  return audio;
}

/** Browsers only let audio start after a user gesture: unlock on the first. */
export function unlockAudioOnGesture() {
  const unlock = () => {
    const a = ctx();
    if (a && a.state === 'suspended') a.resume().catch(() => {});
    window.removeEventListener('pointerdown', unlock, true);
    window.removeEventListener('keydown', unlock, true);
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}

export function isMuted() {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

export function setMuted(m) {
  try {
    if (m) localStorage.setItem(MUTE_KEY, '1');
    else localStorage.removeItem(MUTE_KEY);
  } catch {
    /* not remembered, still applied */
  }
}

let lastChime = 0;

/** Two soft sine notes, about a third of a second. `urgent` is a bit higher. */
export function chime(urgent = false) {
  if (isMuted()) return;
  const now = Date.now();
  if (now - lastChime < 800) return; // a burst of messages makes one sound
  lastChime = now;
  const a = ctx();
  if (!a || a.state !== 'running') return;
  const t0 = a.currentTime + 0.01;
  const notes = urgent ? [784, 1047] : [660, 880];
  notes.forEach((freq, i) => {
    const osc = a.createOscillator();
    const gain = a.createGain();
    const start = t0 + i * 0.12;
    osc.type = 'sine';
    osc.frequency.setValueAtTime(freq, start);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
    osc.connect(gain).connect(a.destination);
    osc.start(start);
    osc.stop(start + 0.25);
  });
}

export function notificationsSupported() {
  return 'Notification' in window;
}

export function permission() {
  return notificationsSupported() ? Notification.permission : 'denied';
}

/** Must run inside a user gesture (a click). */
export async function askPermission() {
  if (!notificationsSupported() || Notification.permission !== 'default') return permission();
  try {
    return await Notification.requestPermission();
  } catch {
    return permission();
  }
}

/** A desktop notification; `onClick` brings the conversation up. */
export function notify({ title, body, tag, onClick }) {
  if (isMuted() || permission() !== 'granted') return;
  try {
    const n = new Notification(title, { body: body.length > 140 ? `${body.slice(0, 139)}…` : body, tag, renotify: true });
    n.onclick = () => {
      window.focus();
      if (onClick) onClick();
      n.close();
    };
    setTimeout(() => n.close(), 15000);
  } catch {
    /* some platforms only allow notifications from a service worker */
  }
}
