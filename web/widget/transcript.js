// "Email me the transcript": the customer asks the server to mail the
// conversation so far to the address their sign-in carries (`transcript`).
// A button and one status line under the conversation; the line keeps its
// room, so nothing moves when it speaks. A server without the frame
// (unknown_type) never shows the button again.

import { h } from './dom.js';

// The words for each outcome of a `transcript` request.
export function transcriptText(outcome) {
  switch (outcome) {
    case 'asking':
      return 'Asking for the transcript…';
    case 'sent':
      return "We've sent the transcript to your email address.";
    case 'duplicate':
      return 'The transcript is already on its way.';
    case 'no_email':
      return "We can't email this conversation: we have no email address for it.";
    case 'retry':
      return "We couldn't send the transcript just now. Please try again in a moment.";
    default:
      return "We couldn't send the transcript.";
  }
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
  const btn = h('button', { class: 'link-btn', type: 'button', testid: 'transcript', onclick: ask }, 'Email me the transcript');
  const el = h('div', { class: 'mailrow' }, btn, status);

  function show(outcome) {
    const off = outcome === 'no_email' || outcome === 'asking';
    // aria-disabled keeps the button focusable: a keyboard user stays put
    btn.setAttribute('aria-disabled', String(off));
    status.dataset.outcome = outcome || '';
    status.classList.toggle('err', outcome === 'no_email' || outcome === 'retry' || outcome === 'failed');
    status.textContent = outcome ? transcriptText(outcome) : '';
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
