// "Email me the transcript": the customer asks the server to mail the
// conversation so far to the address their sign-in carries (`transcript`).
// A button and one status line under the conversation; the line keeps its
// room, so nothing moves when it speaks. A server without the frame
// (unknown_type) never shows the button again.

import { h, EN } from './dom.js';

const OUTCOMES = ['asking', 'sent', 'duplicate', 'no_email', 'retry'];

// The words for each outcome of a `transcript` request, from i18n's
// catalogue (English when none is given).
export function transcriptText(outcome, i18n = EN) {
  return i18n.t(`transcript.${OUTCOMES.includes(outcome) ? outcome : 'failed'}`);
}

// An ack or an error frame to an outcome.
export function transcriptOutcome(reply) {
  if (reply.type === 'ack') return reply.duplicate ? 'duplicate' : 'sent';
  if (reply.code === 'no_email') return 'no_email';
  if (reply.code === 'rate_limited' || reply.code === 'unavailable' || reply.retryable) return 'retry';
  return 'failed';
}

// The action for conv. app.transcripts (conv -> outcome) keeps what the
// server said while the customer looks elsewhere, and app.bus says
// 'transcript' when it changes (an answer may come after its view went).
// Returns {el, destroy}.
export function transcriptAction(app, conv) {
  const { client } = app;
  const status = h('span', { class: 'mail-status', testid: 'transcript-status', role: 'status', 'aria-live': 'polite' });
  const btn = h('button', { class: 'link-btn', type: 'button', testid: 'transcript', onclick: ask }, app.i18n.t('transcript.button'));
  const el = h('div', { class: 'mailrow' }, btn, status);

  function show(outcome) {
    const off = outcome === 'no_email' || outcome === 'asking';
    // aria-disabled keeps the button focusable: a keyboard user stays put
    btn.setAttribute('aria-disabled', String(off));
    status.dataset.outcome = outcome || '';
    status.classList.toggle('err', outcome === 'no_email' || outcome === 'retry' || outcome === 'failed');
    status.textContent = outcome ? transcriptText(outcome, app.i18n) : '';
  }

  async function ask() {
    const now = app.transcripts.get(conv);
    if (now === 'asking' || now === 'no_email') return;
    set('asking');
    let reply;
    try {
      reply = await client.request({ type: 'transcript', conv });
    } catch (f) {
      reply = f;
    }
    if (reply.code === 'unknown_type') app.transcriptUnsupported = true;
    set(reply.code === 'unknown_type' ? undefined : transcriptOutcome(reply));
  }

  function set(outcome) {
    if (outcome) app.transcripts.set(conv, outcome);
    else app.transcripts.delete(conv);
    app.bus.dispatchEvent(new CustomEvent('transcript', { detail: { conv } }));
  }

  function update(e) {
    if (e && e.detail.conv !== conv) return;
    el.hidden = !!app.transcriptUnsupported;
    show(app.transcripts.get(conv));
  }

  app.bus.addEventListener('transcript', update);
  update();
  return { el, destroy: () => app.bus.removeEventListener('transcript', update) };
}
