// The words the widget and the console build from routing frames, checked
// in Node (no browser): the class's expectation, when a closed chat opens
// (in the customer's own time zone), the place in line and the wait, and
// the console's class labels, and what the widget says to "Email me the
// transcript".
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expectation, opensText, waitText, positionText, isClosed, noAgents, tierName } from '../../web/widget/avail.js';
import { classLabel, classRank, fromItem } from '../../web/console/format.js';
import { transcriptText, transcriptOutcome } from '../../web/widget/transcript.js';

test('the expectation follows the class', () => {
  assert.equal(expectation({ class: 'top_priority', class_label: 'Top Priority' }), 'Top Priority support: you are first in line');
  assert.equal(expectation({ class: 'priority', class_label: 'Priority' }), 'Priority support: you move ahead in line');
  assert.equal(expectation({ class: 'normal', class_label: 'Normal' }), 'We usually reply within a few minutes');
  assert.equal(expectation(null), 'We usually reply within a few minutes', 'a server without availability');
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
  assert.equal(positionText({ position: 3, eta_ms: 4 * 60000 }), 'You are number 3 in line · about 4 min');
  assert.equal(positionText({ position: 1, eta_ms: null }), 'You are next in line · estimating the wait');
  assert.equal(waitText(20000), 'less than a minute');
  assert.equal(waitText(61000), 'about 2 min');
  assert.equal(waitText(80 * 60000), 'about 1 h 20 min');
  assert.equal(waitText(120 * 60000), 'about 2 h');
  assert.equal(waitText(undefined), 'estimating the wait');
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

test('the transcript by email: what each answer says', () => {
  const said = (reply) => transcriptText(transcriptOutcome(reply));
  assert.equal(said({ type: 'ack', duplicate: false }), "We've sent the transcript to your email address.");
  assert.equal(said({ type: 'ack', duplicate: true }), 'The transcript is already on its way.');
  assert.equal(said({ type: 'error', code: 'no_email', retryable: false }), "We can't email this conversation: we have no email address for it.");
  const retry = "We couldn't send the transcript just now. Please try again in a moment.";
  assert.equal(said({ type: 'error', code: 'rate_limited', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'unavailable', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'internal', retryable: true }), retry);
  assert.equal(said({ type: 'error', code: 'forbidden', retryable: false }), "We couldn't send the transcript.");
  assert.equal(transcriptText('asking'), 'Asking for the transcript…');
});
