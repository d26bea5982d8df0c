// ChatClient: one chat.v1 connection (see protocol/PROTOCOL.md) shared by the
// widget and the console. It owns reconnecting (exponential backoff with
// jitter, a fresh token from getToken() on every attempt), resuming every
// watched conversation from the last seq seen, delivering each stored event
// exactly once in seq order, and an outbox that keeps every change until its
// ack and re-sends it with the same client_id. A refused token gets one
// fresh token from getToken(); a refusal of that one too stops it in state
// 'failed' until reconnect(). While the server rate-limits it, it holds and
// then paces its frames. It renders nothing.
//
// While it cannot connect it says why, as well as it can tell (`outage`):
// 'network' when the browser is offline (navigator.onLine false, or
// neither the chat server nor the page's own origin answers a fetch), else
// 'server' (the browser is online and the chat server is out of reach).

const RETRYABLE = new Set(['unavailable', 'internal', 'rate_limited']);
const TYPING_EVERY = 2000; // send typing:true at most this often
const TYPING_IDLE = 3000; // then typing:false after this long without input
const TYPING_EXPIRE = 5000; // forget someone else's typing after this long
const PING_IDLE = 20000; // ping after this long without a frame
const DEAD_IDLE = 45000; // and give the socket up after this long
const CONNECT_WAIT = 15000; // from new WebSocket() to hello
const REFUSED = new Set(['auth_failed', 'token_expired']); // answers to auth
const HOLD_DEFAULT = 1000; // a rate_limited error without a usable retry_after_ms
const HOLD_MAX = 60000;
const SLOW_GAP = 100; // while rate-limited: one frame per this many ms (half the default rate)
const SLOW_FOR = 10000; // and for this long after the last refusal
const PROBE_WAIT = 3000; // a reachability probe that has no answer by then failed
const PROBE_EVERY = 15000; // probe at most this often during an outage (and after an 'online' event)

// Delay before attempt n: base * 2^n capped, with jitter in [d/2, d].
export function backoff(n, base = 300, cap = 10000) {
  const d = Math.min(cap, base * 2 ** Math.min(n, 20));
  return d / 2 + (Math.random() * d) / 2;
}

// The chat server's health URL (chatd serves GET /healthz) for its
// WebSocket URL: ws:// becomes http://, wss:// https://.
export function healthzUrl(wsUrl) {
  try {
    const u = new URL(wsUrl);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    u.pathname = '/healthz';
    u.search = u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

// Why the client cannot connect, from what it could find out: online is
// navigator.onLine; server whether the chat server answered an HTTP
// request; page whether the page's own origin did (null: not asked, e.g.
// the page is served by the chat server itself). Only a browser that says
// it is offline, or one that reaches neither, is told to check its network.
export function diagnose({ online, server, page = null }) {
  if (online === false) return 'network';
  if (server === false && page === false) return 'network';
  return 'server';
}

// Whole seconds from now until retryAt (0 when it is due or unknown).
export function secondsLeft(retryAt, now = Date.now()) {
  return retryAt > now ? Math.ceil((retryAt - now) / 1000) : 0;
}

// Resolves true if url answers an HTTP request at all (any status: an
// opaque no-cors response is enough), false on a network error or no
// answer within wait ms.
async function reachable(fetchFn, url, method, wait = PROBE_WAIT) {
  const ctl = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = setTimeout(() => ctl?.abort(), wait);
  try {
    await fetchFn(url, { method, mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: ctl?.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// The page's own origin when it is not the chat server's (else null).
function pageOrigin(wsUrl) {
  const o = globalThis.location?.origin;
  if (!o || o === 'null') return null;
  const h = healthzUrl(wsUrl);
  return h && new URL(h).origin === o ? null : o;
}

const browserOffline = () => globalThis.navigator?.onLine === false;

function uuid() {
  const c = globalThis.crypto;
  if (c.randomUUID) return c.randomUUID();
  // insecure contexts have getRandomValues but not randomUUID
  return Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatClient extends EventTarget {
  constructor({ url, getToken, WebSocket: WS = globalThis.WebSocket, fetch: fetchFn = globalThis.fetch?.bind(globalThis) }) {
    super();
    this.url = url;
    this.getToken = getToken;
    this.WS = WS;
    this.fetch = fetchFn; // for the reachability probes; none: no probes
    this.outage = null; // while not online after a failed attempt: {reason: 'network' | 'server', since, retryAt}
    this.state = 'stopped';
    this.failure = null; // {code} while 'failed': auth_failed, token_expired or no_token
    this.user = null;
    this.limits = {};
    this.offset = 0; // server clock minus ours, ms
    this._convs = new Map();
    this._outbox = new Map(); // client_id -> entry, in order of change()
    this._requests = new Set(); // read-only requests not answered yet
    this._sent = new Map(); // request id -> entry, on the current socket
    this._inflight = new Map(); // id -> frame handed to _raw on this socket, not answered yet
    this._queue = []; // frames held back by the rate limit, oldest first
    this._holdUntil = 0; // send nothing before (Date.now() ms)
    this._slowUntil = 0; // pace frames SLOW_GAP apart before
    this._lastOut = 0;
    this._pumpTimer = 0;
    this._fresh = false; // the token tried now is the one fresh try after a refusal or an expiry
    this._n = 0;
    this._fails = 0;
    this._ws = null;
    this._timer = 0;
    this._beat = 0;
    this._probing = false;
    this._probedAt = 0;
    // back online: try at once, with the backoff from the start
    this._onOnline = () => {
      this._probedAt = 0;
      if (this.state !== 'offline') return;
      this._fails = 0;
      this._connect();
    };
    // the browser lost its network: an open socket is dead (and Chromium
    // may keep it open), so give it up and say so now
    this._onOffline = () => {
      if (this.state === 'stopped' || this.state === 'failed') return;
      this._down({ reason: 'network' });
      // an attempt under way fails and retries; a retry is set already
      if (this._connecting || (this.state === 'offline' && !this._ws)) return;
      this._drop(1000);
      this._retry(this._fails++);
    };
  }

  start() {
    if (this.state !== 'stopped') return;
    this.state = 'offline';
    globalThis.addEventListener?.('online', this._onOnline);
    globalThis.addEventListener?.('offline', this._onOffline);
    this._connect();
  }

  stop() {
    this._setState('stopped');
    globalThis.removeEventListener?.('online', this._onOnline);
    globalThis.removeEventListener?.('offline', this._onOffline);
    clearTimeout(this._timer);
    this._drop(1000);
    this._down(null);
    for (const e of this._requests) e.reject({ type: 'error', code: 'stopped', retryable: false });
    this._requests.clear();
  }

  // Connects again now with a token from getToken(): for a host that can
  // sign the user in again after 'failed' (or wants a new token used at
  // once). That token gets one try: refused too, the state is 'failed' again.
  reconnect() {
    if (this.state === 'stopped') return;
    clearTimeout(this._timer);
    this._drop(1000);
    this.failure = null;
    this._fails = 0;
    this._fresh = true;
    if (this.state === 'failed') this.state = 'offline'; // _connect announces 'connecting'
    this._connect();
  }

  // Connects now instead of when the backoff says (a "Retry now" button),
  // with a token from getToken() as every attempt: no sign-in retry, so a
  // refusal counts as the backoff's would. Does nothing unless 'offline'
  // (use reconnect() out of 'failed').
  retryNow() {
    if (this.state !== 'offline') return;
    this._connect();
  }

  // Server time now, corrected for the difference between the clocks.
  now() {
    return Date.now() + this.offset;
  }

  // --- conversations -----------------------------------------------------

  watch(conv, after = 0) {
    const c = this._conv(conv);
    if (after > c.last) c.last = after;
    if (c.watched) return;
    c.watched = true;
    if (this.state === 'online') this._resume([conv]);
  }

  // Stops following conv now (unwatch frame) and at later reconnects.
  unwatch(conv) {
    const c = this._conv(conv);
    if (!c.watched) return;
    c.watched = false;
    c.resumed = false;
    this._raw({ type: 'unwatch', id: this._id('u'), conv });
  }

  events(conv) {
    return this._conv(conv).events.slice();
  }

  lastSeq(conv) {
    return this._conv(conv).last;
  }

  reads(conv) {
    return { ...this._conv(conv).reads };
  }

  // True once the conversation's replay completed on some connection.
  synced(conv) {
    return this._conv(conv).synced;
  }

  // Unacked changes of conv whose event has not arrived yet, oldest first.
  pending(conv) {
    const c = this._conv(conv);
    const out = [...c.acked.values()];
    for (const e of this._outbox.values()) {
      if (e.conv === conv && !c.cids.has(e.cid)) out.push({ ...e.frame, at: e.at, retrying: e.tries > 0 });
    }
    return out;
  }

  // Others typing in conv now: [{id, role, name}].
  typers(conv) {
    return [...this._conv(conv).typers.values()].map((t) => t.from);
  }

  // --- requests and changes ----------------------------------------------

  request(frame) {
    return new Promise((resolve, reject) => {
      const e = { frame, resolve, reject, tries: 0 };
      this._requests.add(e);
      this._send(e);
    });
  }

  change(frame) {
    const cid = frame.client_id || uuid();
    return new Promise((resolve, reject) => {
      const e = { frame: { ...frame, client_id: cid }, cid, conv: frame.conv, resolve, reject, tries: 0, at: this.now() };
      this._outbox.set(cid, e);
      this._emit('pending', { conv: e.conv });
      this._send(e);
    });
  }

  typing(conv, on) {
    const c = this._conv(conv);
    clearTimeout(c.idle);
    if (on) {
      const now = Date.now();
      if (now - c.typedAt >= TYPING_EVERY && this._raw({ type: 'typing', conv, typing: true })) c.typedAt = now;
      c.idle = setTimeout(() => this.typing(conv, false), TYPING_IDLE);
    } else if (c.typedAt) {
      c.typedAt = 0;
      this._raw({ type: 'typing', conv, typing: false });
    }
  }

  markRead(conv, seq) {
    const c = this._conv(conv);
    if (!(seq > c.myRead)) return;
    c.myRead = seq;
    if (this.user) this._read(conv, this.user, seq);
    this._sendRead(conv);
  }

  // --- connection --------------------------------------------------------

  async _connect() {
    clearTimeout(this._timer);
    if (this.state === 'stopped' || this.state === 'failed' || this._ws || this._connecting) return;
    this._connecting = true;
    if (this.outage) this._down({ retryAt: 0 });
    this._setState('connecting');
    let token;
    try {
      token = await this.getToken();
    } catch {
      token = null;
    }
    // a browser that says it is online may be wrong: a token endpoint out
    // of reach along with the page's own origin is the network
    let netDown = !token && browserOffline();
    if (!token && !netDown && pageOrigin(this.url) && this.fetch) netDown = !(await reachable(this.fetch, `${pageOrigin(this.url)}/`, 'HEAD'));
    if (!token && !netDown && this.outage?.reason === 'network') {
      // the network is back since getToken() failed: that failure may be
      // the outage's, so the host gets one more chance before it is final
      try {
        token = await this.getToken();
      } catch {
        token = null;
      }
    }
    this._connecting = false;
    if (this.state === 'stopped' || this.state === 'failed') return;
    if (!token) {
      // the host cannot sign the user in, and asking again will not change
      // that; unless the network is down and its token endpoint out of reach
      if (netDown || browserOffline()) {
        this._down({ reason: 'network' });
        return this._retry(this._fails++);
      }
      return this._fail('no_token');
    }
    let ws;
    try {
      ws = new this.WS(this.url, 'chat.v1');
    } catch {
      return this._retry(this._fails++);
    }
    this._ws = ws;
    this._rx = Date.now();
    this._heartbeat();
    this._authId = this._id('a');
    ws.onopen = () => {
      this._t0 = Date.now();
      this._raw({ type: 'auth', id: this._authId, token });
    };
    ws.onmessage = (m) => this._ws === ws && this._frame(m.data);
    ws.onclose = (e) => this._ws === ws && this._closed(e.code);
    ws.onerror = () => {}; // a close follows
  }

  // heard: the server answered (a refused or expired token), so there is
  // nothing to probe
  _retry(n, base, cap, heard = false) {
    clearTimeout(this._timer);
    const wait = backoff(n, base, cap);
    this._down({ retryAt: Date.now() + wait });
    this._setState('offline');
    this._timer = setTimeout(() => this._connect(), wait);
    if (!heard) this._probe();
  }

  // Starts, updates (fields) or (null) ends the outage, and says so with an
  // 'outage' event when anything changed.
  _down(fields) {
    const was = this.outage;
    if (fields === null) {
      this.outage = null;
      if (was) this._emit('outage', null);
      return;
    }
    const o = was ? { ...was } : { reason: browserOffline() ? 'network' : 'server', since: Date.now(), retryAt: 0 };
    Object.assign(o, fields);
    if (browserOffline()) o.reason = 'network';
    this.outage = o;
    if (!was || was.reason !== o.reason || was.retryAt !== o.retryAt) this._emit('outage', { ...o });
  }

  // Tells a chat server that is down from a network that is: with the
  // browser online, fetch the server's /healthz and, if that fails, the
  // page's own origin (when it is another one). At most one probe at a
  // time, and one per PROBE_EVERY.
  async _probe() {
    if (this._probing || !this.fetch || browserOffline() || Date.now() - this._probedAt < PROBE_EVERY) return;
    const health = healthzUrl(this.url);
    if (!health) return;
    this._probing = true;
    this._probedAt = Date.now();
    const server = await reachable(this.fetch, health, 'GET');
    const origin = server ? null : pageOrigin(this.url);
    const page = origin ? await reachable(this.fetch, `${origin}/`, 'HEAD') : null;
    this._probing = false;
    if (this.outage && this.state !== 'online') this._down({ reason: diagnose({ online: !browserOffline(), server, page }) });
  }

  _drop(code) {
    const ws = this._ws;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    try {
      ws.close(code);
    } catch {
      /* not open yet */
    }
    this._closed(1006, true);
  }

  _closed(code, quiet) {
    this._ws = null;
    clearInterval(this._beat);
    clearTimeout(this._pumpTimer);
    this._pumpTimer = this._holdUntil = 0;
    this._queue = [];
    this._inflight.clear();
    this._sent.clear();
    for (const e of [...this._outbox.values(), ...this._requests]) {
      clearTimeout(e.timer);
      e.timer = e.id = 0;
    }
    for (const [conv, c] of this._convs) {
      c.resumed = false;
      c.typedAt = c.sent = 0;
      for (const t of c.typers.values()) this._typingOff(conv, t.from);
    }
    if (quiet || this.state === 'stopped' || this.state === 'failed') return;
    if (code === 4003) return this._refused('auth_failed');
    // a token expiring while connected is normal: a fresh one right away,
    // and only a refusal of that one is final
    if (code === 4004) this._fresh = true;
    this._retry(this._fails++, code === 4004 ? 100 : 300, undefined, code === 4004);
  }

  // The server refused the token. A host whose tokens are all refused would
  // be asked forever, so a refused token gets one fresh one from getToken(),
  // and a refusal of that one stops the client.
  _refused(code) {
    this._drop(1000);
    if (this._fresh) return this._fail(code);
    this._fresh = true;
    this._retry(0, 100, undefined, true);
  }

  // Stops reconnecting until reconnect(): the user must sign in again.
  _fail(code) {
    clearTimeout(this._timer);
    this._drop(1000);
    this._down(null);
    this.failure = { code };
    this._setState('failed');
  }

  // Gives up a socket that is silent too long: half-open connections and
  // handshakes that hang can take a browser minutes to notice.
  _heartbeat() {
    clearInterval(this._beat);
    this._beat = setInterval(() => {
      const idle = Date.now() - this._rx;
      const online = this.state === 'online';
      if (idle > (online ? DEAD_IDLE : CONNECT_WAIT)) {
        this._drop(4000);
        this._retry(this._fails++);
      } else if (online && idle > PING_IDLE) this._raw({ type: 'ping', id: this._id('p') });
    }, 5000);
  }

  _hello(f) {
    const t1 = Date.now();
    this.user = f.user;
    this.limits = f.limits || {};
    if (Number.isFinite(f.server_time)) this.offset = f.server_time - (this._t0 + t1) / 2;
    this._fails = 0;
    this._fresh = false;
    this.failure = null;
    this._down(null);
    this._setState('online');
    const watched = [...this._convs].filter(([, c]) => c.watched).map(([conv]) => conv);
    this._resume(watched);
    for (const e of this._outbox.values()) this._send(e);
    for (const e of this._requests) this._send(e);
    this._emit('hello', f);
  }

  _resume(convs) {
    for (let i = 0; i < convs.length; i += 200) {
      const chunk = convs.slice(i, i + 200);
      this._raw({ type: 'resume', id: this._id('w'), convs: chunk.map((conv) => ({ conv, after: this.lastSeq(conv) })) });
      for (const conv of chunk) this._conv(conv).resumed = true;
    }
    const set = new Set(convs);
    for (const e of this._outbox.values()) if (set.has(e.conv)) this._send(e);
  }

  // --- frames in ---------------------------------------------------------

  _frame(data) {
    let f;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    this._rx = Date.now();
    // any frame echoing an id answers it (a resume's first synced, too)
    const out = f.id === undefined ? undefined : this._inflight.get(f.id);
    this._inflight.delete(f.id);
    switch (f.type) {
      case 'hello':
        return this._hello(f);
      case 'event':
        return this._event(f);
      case 'synced':
        return this._synced(f);
      case 'typing':
        return this._typing(f);
      case 'read':
        return f.from && this._read(f.conv, f.from, f.seq);
      case 'feed':
        return this._emit('feed', f);
      case 'queue': // a waiting customer's place in line
      case 'offer': // a conversation offered to this agent, or withdrawn
      case 'agent': // an agent's presence or load changed
        if (f.id === undefined) return this._emit(f.type, f);
        break;
      case 'error':
        return this._error(f, out);
    }
    const e = this._sent.get(f.id);
    if (!e) return;
    this._sent.delete(f.id);
    const c = e.cid && e.conv && this._conv(e.conv);
    // keep showing an acked message until its event arrives, so it never blinks out
    if (c && c.watched && !c.cids.has(e.cid)) c.acked.set(e.cid, { ...e.frame, at: e.at, seq: f.seq });
    this._done(e);
    e.resolve(f);
  }

  _done(e) {
    if (e.cid) {
      this._outbox.delete(e.cid);
      this._emit('pending', { conv: e.conv });
    } else this._requests.delete(e);
  }

  // out: the frame this error answers, if it was ours and unanswered.
  _error(f, out) {
    if (f.code === 'rate_limited' && f.id === undefined) return this._rateLimited(f.retry_after_ms);
    if (f.code === 'rate_limited') this._slowUntil = Date.now() + SLOW_FOR;
    const e = f.id && this._sent.get(f.id);
    if (!e) {
      if (out && f.code === 'rate_limited') return this._again(out);
      this._emit('error', f);
      if (f.id && f.id === this._authId && REFUSED.has(f.code)) return this._refused(f.code);
      if (f.conv && f.id?.[0] === 'w') this.unwatch(f.conv);
      return;
    }
    this._sent.delete(f.id);
    e.id = 0;
    if ((f.retryable || RETRYABLE.has(f.code)) && (e.cid || e.tries < 5)) {
      e.timer = setTimeout(() => {
        e.timer = 0;
        this._send(e);
      }, backoff(++e.tries, 500));
      if (e.cid) this._emit('pending', { conv: e.conv });
      return;
    }
    this._done(e);
    e.reject(f);
  }

  _event(f) {
    const c = this._conv(f.conv);
    if (!Number.isInteger(f.seq) || c.seqs.has(f.seq)) return;
    c.seqs.add(f.seq);
    const ev = c.events;
    let i = ev.length;
    while (i > 0 && ev[i - 1].seq > f.seq) i--;
    ev.splice(i, 0, f);
    if (f.seq > c.last) c.last = f.seq;
    if (f.from && c.typers.has(f.from.id)) this._typingOff(f.conv, f.from);
    this._emit('event', f);
    if (f.client_id && (this._outbox.has(f.client_id) || c.acked.delete(f.client_id))) {
      c.cids.add(f.client_id);
      this._emit('pending', { conv: f.conv });
    }
  }

  _synced(f) {
    const c = this._conv(f.conv);
    if (f.seq > c.last) c.last = f.seq;
    c.synced = true;
    for (const [id, seq] of Object.entries(f.reads || {})) this._read(f.conv, { id }, seq);
    this._sendRead(f.conv, f.reads?.[this.user?.id]);
    this._emit('synced', { conv: f.conv, seq: f.seq });
  }

  _read(conv, from, seq) {
    const c = this._conv(conv);
    if (!(seq > (c.reads[from.id] || 0))) return;
    c.reads[from.id] = seq;
    this._emit('read', { conv, from, seq });
  }

  // Sends our read position unless this connection (or the server, known)
  // already has it.
  _sendRead(conv, known = 0) {
    const c = this._conv(conv);
    if (c.myRead > Math.max(c.sent, known) && this._raw({ type: 'read', id: this._id('r'), conv, seq: c.myRead })) {
      c.sent = c.myRead;
    }
  }

  _typing(f) {
    const c = this._conv(f.conv);
    const id = f.from?.id;
    if (!id || id === this.user?.id) return;
    clearTimeout(c.typers.get(id)?.timer);
    if (f.typing) c.typers.set(id, { from: f.from, timer: setTimeout(() => this._typingOff(f.conv, f.from), TYPING_EXPIRE) });
    else c.typers.delete(id);
    this._emit('typing', f);
  }

  _typingOff(conv, from) {
    this._typing({ type: 'typing', conv, from, typing: false });
  }

  // --- frames out --------------------------------------------------------

  _send(e) {
    if (this.state !== 'online' || e.id || e.timer) return;
    const c = e.conv && this._convs.get(e.conv);
    if (c && c.watched && !c.resumed) return; // resume first, then the change
    e.id = this._id(e.cid ? 'c' : 'q');
    this._sent.set(e.id, e);
    this._raw({ ...e.frame, id: e.id });
  }

  _raw(frame) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1 || (this.state !== 'online' && frame.type !== 'auth')) return false;
    const slow = frame.type !== 'auth' && (this._queue.length > 0 || Date.now() < this._slowUntil);
    if (slow && frame.type === 'typing') return false; // worthless late; the next keystroke sends it
    if (frame.id !== undefined) this._inflight.set(frame.id, frame);
    if (!slow) this._out(frame);
    else {
      this._queue.push(frame);
      this._pump();
    }
    return true;
  }

  _out(frame) {
    this._lastOut = Date.now();
    this._ws.send(JSON.stringify(frame));
  }

  // Sends the held frames once the hold is over, SLOW_GAP apart, skipping
  // the ones answered meanwhile.
  _pump() {
    if (this._pumpTimer || !this._queue.length) return;
    const wait = Math.max(this._holdUntil, this._lastOut + SLOW_GAP) - Date.now();
    this._pumpTimer = setTimeout(() => {
      this._pumpTimer = 0;
      let f = this._queue.shift();
      while (f && f.id !== undefined && this._inflight.get(f.id) !== f) f = this._queue.shift();
      if (f && this._ws?.readyState === 1) this._out(f);
      this._pump();
    }, Math.max(0, wait));
  }

  // The server refuses every frame for a while and answers none of them,
  // saying so once (an error without id): send nothing for retry_after_ms,
  // then every frame still unanswered again, with the same id (and
  // client_id: applied already, it is acked as a duplicate; a second answer
  // to one id finds nothing waiting), paced.
  _rateLimited(ms) {
    const hold = Number.isFinite(ms) && ms >= 0 ? Math.min(ms, HOLD_MAX) : HOLD_DEFAULT;
    this._holdUntil = Date.now() + hold;
    this._slowUntil = this._holdUntil + SLOW_FOR;
    // every queued frame with an id is in _inflight too, in sending order
    this._queue = [...this._inflight.values(), ...this._queue.filter((f) => f.id === undefined)];
    clearTimeout(this._pumpTimer);
    this._pumpTimer = 0;
    this._pump();
  }

  // A frame that is not a request entry (resume, read, ping) refused with
  // its id: the same frame again later, on this socket only.
  _again(frame) {
    const ws = this._ws;
    setTimeout(() => this._ws === ws && this._raw(frame), backoff(1, 500));
  }

  _id(prefix) {
    return prefix + ++this._n;
  }

  _conv(conv) {
    let c = this._convs.get(conv);
    if (!c) {
      c = { events: [], seqs: new Set(), cids: new Set(), acked: new Map(), last: 0, reads: {}, typers: new Map() };
      Object.assign(c, { watched: false, resumed: false, synced: false, myRead: 0, sent: 0, typedAt: 0 });
      this._convs.set(conv, c);
    }
    return c;
  }

  _setState(state) {
    if (state === this.state) return;
    this.state = state;
    const detail = { state };
    if (state === 'failed') detail.code = this.failure.code;
    if (this.outage && (state === 'offline' || state === 'connecting')) Object.assign(detail, { reason: this.outage.reason, retryAt: this.outage.retryAt });
    this._emit('state', detail);
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
