// The words the widget and the console build from routing frames, checked
// in Node (no browser): the class's expectation, when a closed chat opens
// (in the customer's own time zone), the place in line and the wait, and
// the console's class labels, and what the widget says to "Email me the
// transcript"; in English and, from the widget's catalogues, in French and
// German.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expectation, opensText, waitText, positionText, isClosed, noAgents, tierName } from '../../web/widget/avail.js';
import { classLabel, classRank, fromItem, duration, when, fullDate, ago, tierInfo } from '../../web/console/format.js';
import { setI18n, makeI18n, t } from '../../web/console/lang.js';
import consoleEn from '../../web/console/i18n/en.js';
import consoleFr from '../../web/console/i18n/fr.js';
import consoleDe from '../../web/console/i18n/de.js';
import { transcriptText, transcriptOutcome } from '../../web/widget/transcript.js';
import { I18n } from '../../web/lib/i18n.js';
import en from '../../web/widget/i18n/en.js';
import fr from '../../web/widget/i18n/fr.js';
import de from '../../web/widget/i18n/de.js';

const EN = new I18n({ lang: 'en', messages: en, fallback: en });
const FR = new I18n({ lang: 'fr', messages: fr, fallback: en });
const DE = new I18n({ lang: 'de', locale: 'de-DE', messages: de, fallback: en });

test('the expectation follows the class', () => {
  assert.equal(expectation({ class: 'top_priority', class_label: 'Top Priority' }, EN), 'Top Priority support: you are first in line');
  assert.equal(expectation({ class: 'priority', class_label: 'Priority' }, EN), 'Priority support: you move ahead in line');
  assert.equal(expectation({ class: 'normal', class_label: 'Normal' }, EN), 'We usually reply within a few minutes');
  assert.equal(expectation(null, EN), 'We usually reply within a few minutes', 'a server without availability');
  assert.equal(expectation({ class: 'priority', class_label: 'Priority' }), 'Priority support: you move ahead in line', 'English without an I18n');
});

test('the expectation in French and German: the class named in the language, not the server\'s English label', () => {
  assert.equal(expectation({ class: 'top_priority', class_label: 'Top Priority' }, FR), 'Assistance très prioritaire\u00a0: vous passez en tête de file');
  assert.equal(expectation({ class: 'priority', class_label: 'Priority' }, FR), 'Assistance prioritaire\u00a0: vous avancez plus vite dans la file');
  assert.equal(expectation(null, FR), 'Nous répondons généralement en quelques minutes');
  assert.equal(expectation({ class: 'top_priority', class_label: 'Top Priority' }, DE), 'Support mit höchster Priorität: Sie stehen ganz vorne in der Warteschlange');
  assert.equal(expectation({ class: 'normal' }, DE), 'Wir antworten in der Regel innerhalb weniger Minuten');
  assert.equal(expectation({ class: 'express', class_label: 'Express' }, DE), 'Support mit Express: Sie rücken in der Warteschlange vor', 'a class the catalogue does not know: the server\'s label');
});

test('open, closed, no agent online', () => {
  assert.equal(isClosed({ open: false, opens_at: 1 }), true);
  assert.equal(isClosed({ open: true }), false);
  assert.equal(isClosed(null), false);
  assert.equal(noAgents({ open: true, agents_online: 0 }), true);
  assert.equal(noAgents({ open: false, agents_online: 0 }), false, 'closed says closed, not "no agent"');
  assert.equal(noAgents({ open: true, agents_online: 2 }), false);
  assert.equal(tierName({ tier: 'silver' }), 'Silver');
});

test('the place in line and the wait', () => {
  assert.equal(positionText({ position: 3, eta_ms: 4 * 60000 }, EN), 'You are number 3 in line · about 4 min');
  assert.equal(positionText({ position: 1, eta_ms: null }, EN), 'You are next in line · estimating the wait');
  assert.equal(waitText(20000, EN), 'less than a minute');
  assert.equal(waitText(61000, EN), 'about 2 min');
  assert.equal(waitText(80 * 60000, EN), 'about 1 h 20 min');
  assert.equal(waitText(120 * 60000, EN), 'about 2 h');
  assert.equal(waitText(undefined, EN), 'estimating the wait');
  assert.equal(positionText({ position: 2, eta_ms: 60000 }), 'You are number 2 in line · about 1 min', 'English without an I18n');
});

test('the place in line and the wait in French and German, with their plurals', () => {
  assert.equal(positionText({ position: 3, eta_ms: 4 * 60000 }, FR), "Vous êtes 3e dans la file d'attente · environ 4 minutes");
  assert.equal(positionText({ position: 1, eta_ms: 60000 }, FR), 'Vous êtes en tête de file · environ 1 minute');
  assert.equal(positionText({ position: 2, eta_ms: null }, FR), "Vous êtes 2e dans la file d'attente · estimation de l'attente en cours");
  assert.equal(waitText(20000, FR), "moins d'une minute");
  assert.equal(waitText(80 * 60000, FR), 'environ 1 h 20');
  assert.equal(waitText(60 * 60000, FR), 'environ 1 heure');
  assert.equal(waitText(180 * 60000, FR), 'environ 3 heures');
  assert.equal(positionText({ position: 3, eta_ms: 4 * 60000 }, DE), 'Sie sind auf Platz 3 der Warteschlange · etwa 4 Minuten');
  assert.equal(positionText({ position: 1, eta_ms: 60000 }, DE), 'Sie sind als Nächstes dran · etwa 1 Minute');
  assert.equal(waitText(80 * 60000, DE), 'etwa 1 Std. 20 Min.');
  assert.equal(waitText(60 * 60000, DE), 'etwa 1 Stunde');
  assert.equal(waitText(120 * 60000, DE), 'etwa 2 Stunden');
  assert.equal(waitText(undefined, DE), 'Wartezeit wird geschätzt');
});

test('when chat opens, in the time zone and language of the process (the browser: the customer\'s)', () => {
  // run in a child with TZ and LANG set, as a browser in Tokyo would format
  const src = fileURLToPath(new URL('../../web/widget/avail.js', import.meta.url));
  const code = `import('${src}').then(({ opensText }) => {
    const now = Date.UTC(2026, 11, 2, 8, 0); // 17:00 in Tokyo
    console.log(JSON.stringify([
      opensText(Date.UTC(2026, 11, 2, 12, 0), now),
      opensText(Date.UTC(2026, 11, 3, 1, 30), now),
      opensText(Date.UTC(2026, 11, 4, 5, 0), now),
    ]));
  })`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, TZ: 'Asia/Tokyo', LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [today, tomorrow, later] = JSON.parse(r.stdout);
  assert.match(today, /^today at 9:00\s?PM GMT\+9$/);
  assert.match(tomorrow, /^tomorrow at 10:30\s?AM GMT\+9$/, 'Dec 3 10:30 in Tokyo is tomorrow there');
  assert.match(later, /^Friday, December 4 at 2:00\s?PM GMT\+9$/);
  assert.equal(typeof opensText(Date.now() + 3600000), 'string');
});

test('when chat opens, in French and German, in the time zone the I18n carries', () => {
  const now = Date.UTC(2026, 11, 2, 8, 0); // 17:00 in Tokyo, 09:00 in Paris
  const at = (lang, cat, timeZone) => new I18n({ lang, messages: cat, fallback: en, timeZone });
  const frTokyo = at('fr', fr, 'Asia/Tokyo');
  assert.equal(opensText(Date.UTC(2026, 11, 2, 12, 0), now, frTokyo), "aujourd'hui à 21:00 UTC+9");
  assert.equal(opensText(Date.UTC(2026, 11, 3, 1, 30), now, frTokyo), 'demain à 10:30 UTC+9');
  assert.equal(opensText(Date.UTC(2026, 11, 4, 5, 0), now, frTokyo), 'vendredi 4 décembre à 14:00 UTC+9');
  const deBerlin = at('de', de, 'Europe/Berlin');
  assert.equal(opensText(Date.UTC(2026, 11, 2, 22, 30), now, deBerlin), 'heute um 23:30 MEZ');
  assert.equal(opensText(Date.UTC(2026, 11, 2, 23, 30), now, deBerlin), 'morgen um 00:30 MEZ', 'after midnight in Berlin is tomorrow there');
  assert.equal(opensText(Date.UTC(2026, 11, 7, 8, 0), now, deBerlin), 'Montag, 7. Dezember um 09:00 MEZ');
  // the same instant, the day seen from another zone
  assert.equal(opensText(Date.UTC(2026, 11, 2, 16, 0), now, at('en', en, 'Asia/Tokyo')), 'tomorrow at 1:00 AM GMT+9');
  assert.equal(opensText(Date.UTC(2026, 11, 2, 16, 0), now, at('en', en, 'America/New_York')), 'today at 11:00 AM EST');
});

test('console: class labels and ranks, list items with and without routing members', () => {
  assert.equal(classLabel('top_priority'), 'Top Priority');
  assert.equal(classLabel('priority'), 'Priority');
  assert.equal(classLabel('normal'), 'Normal');
  assert.equal(classLabel('express_lane'), 'Express lane');
  assert.equal(classRank({ class: 'priority', tier: 'gold' }), 1);
  assert.equal(classRank({ tier: 'diamond' }), 0, 'no class: by tier');
  const waiting = fromItem({ conv: 'c', status: 'waiting', position: 2, class: 'normal', topic: 'dns', out_of_scope: true });
  assert.deepEqual([waiting.position, waiting.held_until, waiting.topic, waiting.out_of_scope], [2, 0, 'dns', true]);
  const held = fromItem({ conv: 'c', status: 'waiting', held_until: 5, class: 'normal' });
  assert.deepEqual([held.position, held.held_until, held.topic, held.out_of_scope], [0, 5, null, false]);
});

// The console's words in another language: format.js and the views take
// them from the I18n set with setI18n (English unless set).
// Intl puts no-break spaces in numbers, units and dates: compared as spaces.
const sp = (s) => s.replace(/\s/g, ' ');

function inLanguage(lang, messages, fn) {
  setI18n(makeI18n(lang, messages, { timeZone: 'Europe/Paris' }));
  try {
    fn();
  } finally {
    setI18n(makeI18n('en', consoleEn));
  }
}

test('console in French: class labels, plurals, durations, dates in the time zone', () => {
  inLanguage('fr', consoleFr, () => {
    assert.equal(classLabel('top_priority'), 'Priorité absolue');
    assert.equal(classLabel('normal'), 'Normale');
    assert.equal(classLabel('express_lane'), 'Express lane', 'a class the catalogue does not know');
    assert.equal(tierInfo('gold').label, 'Or');
    assert.equal(sp(t('queue.waitingCount', { n: 3 })), '3 en attente');
    assert.equal(sp(t('context.earlierCount', { n: 1 })), '1 conversation précédente');
    assert.equal(sp(t('context.earlierCount', { n: 0 })), '0 conversation précédente', 'French: 0 is singular');
    assert.equal(sp(t('context.earlierCount', { n: 2 })), '2 conversations précédentes');
    assert.equal(sp(t('context.earlierCount', { n: 1000000 })), '1 000 000 de conversations précédentes');
    assert.equal(sp(t('offer.acceptLabelLeft', { who: 'Ann', n: 1 })), 'Accepter le chat avec Ann, encore 1 seconde');
    assert.equal(sp(t('offer.acceptLabelLeft', { who: 'Ann', n: 12 })), 'Accepter le chat avec Ann, encore 12 secondes');
    assert.equal(sp(duration(3 * 60000)), '3 min');
    assert.equal(sp(duration(65 * 60000)), '1 h 5 min');
    assert.equal(sp(duration(50 * 3600000)), '2 j 2 h');
    const ts = Date.UTC(2026, 11, 2, 13, 5); // 14:05 in Paris
    assert.equal(sp(when(ts, ts + 60000)), '14:05');
    assert.equal(sp(when(ts, ts + 3 * 86400000)), '2 déc., 14:05');
    assert.equal(sp(fullDate(ts)), '2 déc. 2026, 14:05');
    assert.equal(sp(ago(ts - 5 * 60000, ts)), 'il y a 5 minutes');
    assert.equal(sp(ago(ts - 86400000, ts)), 'hier');
  });
});

test('console in German: class labels, plurals, durations, dates in the time zone', () => {
  inLanguage('de', consoleDe, () => {
    assert.equal(classLabel('top_priority'), 'Höchste Priorität');
    assert.equal(classLabel('priority'), 'Priorität');
    assert.equal(tierInfo('silver').label, 'Silber');
    assert.equal(sp(t('queue.waitingCount', { n: 1 })), '1 wartet');
    assert.equal(sp(t('queue.waitingCount', { n: 3 })), '3 warten');
    assert.equal(sp(t('load.count', { n: 1 })), '1 Chat');
    assert.equal(sp(t('load.count', { n: 2 })), '2 Chats');
    assert.equal(sp(t('context.earlierCount', { n: 2 })), '2 frühere Unterhaltungen');
    assert.equal(sp(t('load.count', { n: 1500 })), '1.500 Chats');
    assert.equal(sp(duration(3 * 60000)), '3 Min.');
    assert.equal(sp(duration(65 * 60000)), '1 Std. 5 Min.');
    const ts = Date.UTC(2026, 11, 2, 13, 5);
    assert.equal(sp(when(ts, ts + 60000)), '14:05');
    assert.equal(sp(when(ts, ts + 3 * 86400000)), '2. Dez., 14:05');
    assert.equal(sp(fullDate(ts)), '02.12.2026, 14:05');
    assert.equal(sp(ago(ts - 5 * 60000, ts)), 'vor 5 Minuten');
  });
  assert.equal(classLabel('top_priority'), 'Top Priority', 'back in English');
});

test('the transcript by email: what each answer says', () => {
  const said = (reply) => transcriptText(transcriptOutcome(reply), EN);
  assert.equal(said({ type: 'ack', duplicate: false }), "We've sent the transcript to your email address.");
  assert.equal(said({ type: 'ack', duplicate: true }), 'The transcript is already on its way.');
  assert.equal(said({ type: 'error', code: 'no_email', retryable: false }), "We can't email this conversation: we have no email address for it.");
  const retry = "We couldn't send the transcript just now. Please try again in a moment.";
  assert.equal(said({ type: 'error', code: 'rate_limited', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'unavailable', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'internal', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'forbidden', retryable: false }), "We couldn't send the transcript.");
  assert.equal(transcriptText('asking', EN), 'Asking for the transcript…');
  assert.equal(transcriptText('asking'), 'Asking for the transcript…', 'English without an I18n');
});

test('the transcript by email in French and German', () => {
  assert.equal(transcriptText(transcriptOutcome({ type: 'ack', duplicate: false }), FR), 'Nous avons envoyé la transcription à votre adresse e-mail.');
  assert.equal(transcriptText(transcriptOutcome({ type: 'error', code: 'forbidden' }), FR), "Impossible d'envoyer la transcription.");
  assert.equal(transcriptText(transcriptOutcome({ type: 'ack', duplicate: true }), DE), 'Der Verlauf ist bereits unterwegs.');
  assert.equal(transcriptText(transcriptOutcome({ type: 'error', code: 'rate_limited', retryable: true }), DE), 'Wir konnten den Verlauf gerade nicht senden. Bitte versuchen Sie es gleich noch einmal.');
});
