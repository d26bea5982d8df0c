// web/lib/chat-client.js in Node against a scripted chat.v1 server (npm ws),
// for what a real chatd cannot be made to do on cue: refuse every token,
// close 4004 at a chosen moment, and rate-limit by dropping frames silently
// and saying so once (an error without id). Every wait is on an event with
// a timeout.
import test from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { ChatClient } from '../../web/lib/chat-client.js';

// Resolves with fn()'s first truthy value; rejects after timeout.
async function until(fn, what, timeout = 5000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Resolves with the detail of the first `type` event of target that pred accepts.
function next(target, type, pred = () => true, timeout = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${type} event`)), timeout);
    const on = (e) => {
      if (!pred(e.detail)) return;
      clearTimeout(t);
      target.removeEventListener(type, on);
      resolve(e.detail);
    };
    target.addEventListener(type, on);
  });
}

// A chat.v1 server run by the test: `auth(token, n)` says whether the n-th
// auth (from 1) is accepted; every other frame goes to `onFrame(f, sock)`.
// Records each frame with its arrival time.
class ScriptedServer {
  constructor({ auth = () => true, onFrame = () => {} } = {}) {
    this.auth = auth;
    this.onFrame = onFrame;
    this.frames = []; // {f, at}
    this.connections = 0;
    this.auths = 0;
    this.sockets = new Set();
  }

  async start() {
    this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (protocols.has('chat.v1') ? 'chat.v1' : false),
    });
    await new Promise((resolve) => this.wss.once('listening', resolve));
    this.url = `ws://127.0.0.1:${this.wss.address().port}/ws`;
    this.wss.on('connection', (sock) => {
      this.connections++;
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('message', (data) => this.message(sock, JSON.parse(data.toString())));
    });
    return this;
  }

  message(sock, f) {
    this.frames.push({ f, at: Date.now() });
    if (f.type !== 'auth') return this.onFrame(f, sock);
    if (this.auth(f.token, ++this.auths)) {
      return send(sock, { type: 'hello', id: f.id, server_time: Date.now(), user: { id: 'cust-1', role: 'customer' } });
    }
    send(sock, { type: 'error', id: f.id, code: 'auth_failed', message: 'bad signature', retryable: false });
    sock.close(4003);
  }

  // The frames received of this type, in arrival order.
  of(type) {
    return this.frames.filter((r) => r.f.type === type);
  }

  async stop() {
    for (const s of this.sockets) s.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }
}

const send = (sock, f) => sock.send(JSON.stringify(f));

// A started client of server whose getToken() is tokens(n) for the n-th call
// (from 1); client.tokenCalls counts the calls.
function clientOf(server, tokens = () => 'good') {
  const c = new ChatClient({ url: server.url, getToken: async () => tokens(++c.tokenCalls), WebSocket });
  c.tokenCalls = 0;
  c.states = [];
  c.addEventListener('state', (e) => c.states.push(e.detail.state));
  return c;
}

test('a refused token gets one fresh token; a refusal of that one too stops the client until reconnect()', { timeout: 10000 }, async () => {
  let accept = false;
  const server = await new ScriptedServer({ auth: () => accept }).start();
  const c = clientOf(server, (n) => `token-${n}`);
  try {
    const failed = next(c, 'state', (d) => d.state === 'failed');
    c.start();
    assert.equal((await failed).code, 'auth_failed');
    assert.equal(c.state, 'failed');
    assert.deepEqual(c.failure, { code: 'auth_failed' });
    assert.equal(c.tokenCalls, 2, 'getToken() was asked once more after the first refusal, then no more');
    assert.equal(server.auths, 2);
    assert.deepEqual(server.of('auth').map((r) => r.f.token), ['token-1', 'token-2']);

    // the host signs the user in again: reconnect() recovers
    accept = true;
    const online = next(c, 'state', (d) => d.state === 'online');
    c.reconnect();
    await online;
    assert.equal(c.failure, null);
    assert.equal(c.tokenCalls, 3);
    assert.equal(server.connections, 3);
  } finally {
    c.stop();
    await server.stop();
  }
});

test('a getToken() that rejects (or gives nothing) stops the client at once, without connecting', { timeout: 10000 }, async () => {
  const server = await new ScriptedServer().start();
  for (const tokens of [() => Promise.reject(new Error('not signed in')), () => '', () => undefined]) {
    const c = clientOf(server, tokens);
    try {
      const failed = next(c, 'state', (d) => d.state === 'failed');
      c.start();
      assert.equal((await failed).code, 'no_token');
      assert.equal(c.tokenCalls, 1);
    } finally {
      c.stop();
    }
  }
  assert.equal(server.connections, 0);
  await server.stop();
});

test('a token expiring while connected (4004) is replaced quietly; a refusal of its replacement stops the client', { timeout: 10000 }, async () => {
  const server = await new ScriptedServer({ auth: (tok) => tok !== 'refused' }).start();
  const c = clientOf(server, (n) => (n <= 2 ? `token-${n}` : 'refused'));
  try {
    c.start();
    await until(() => c.state === 'online', 'online');
    for (const want of [2, 3]) {
      const sock = [...server.sockets].at(-1);
      sock.close(4004);
      await until(() => c.tokenCalls === want, `getToken() call ${want}`);
      if (want === 2) await until(() => c.state === 'online', 'online again');
    }
    await until(() => c.state === 'failed', 'failed');
    assert.equal(c.states.filter((s) => s === 'failed').length, 1);
    assert.equal(c.states.indexOf('failed'), c.states.length - 1, `states: ${c.states}`);
    assert.deepEqual(server.of('auth').map((r) => r.f.token), ['token-1', 'token-2', 'refused']);
  } finally {
    c.stop();
    await server.stop();
  }
});

test('rate_limited without id: nothing is sent for retry_after_ms, then every unanswered request again with the same id, paced, each answered once', { timeout: 10000 }, async () => {
  const HOLD = 300;
  let episodeAt = 0;
  let episodeEnd = 0;
  let sock;
  const server = await new ScriptedServer({
    onFrame(f, s) {
      sock = s;
      const now = Date.now();
      if (f.type === 'send' && !episodeAt) {
        // the frame that trips the limit: dropped, and said so once
        episodeAt = now;
        episodeEnd = now + HOLD;
        send(s, { type: 'error', code: 'rate_limited', message: 'too many frames', retryable: true, retry_after_ms: HOLD });
        // a frame the client shows: it has taken the error in by then
        send(s, { type: 'feed', kind: 'marker', conv: 'C0' });
        return;
      }
      if (now < episodeEnd) return; // dropped, not answered
      if (f.type === 'send') {
        // applied once, answered twice (as if the original had gone through late)
        send(s, { type: 'ack', id: f.id, conv: f.conv, seq: 1, ts: now });
        send(s, { type: 'ack', id: f.id, conv: f.conv, seq: 1, ts: now, duplicate: true });
      } else if (f.type === 'list') send(s, { type: 'conversations', id: f.id, items: [], next: 0 });
      else if (f.type === 'ping') send(s, { type: 'pong', id: f.id, server_time: now });
    },
  }).start();
  const c = clientOf(server);
  try {
    c.start();
    await until(() => c.state === 'online', 'online');
    let resolved = 0;
    const marker = next(c, 'feed');
    const change = c.change({ type: 'send', conv: 'C1', text: 'hello' }).then((r) => (resolved++, r));
    const list = c.request({ type: 'list', scope: 'mine' }); // arrives inside the episode: dropped too
    await marker;
    const ping = c.request({ type: 'ping' }); // asked during the hold: held back
    const [ack, convs, pong] = await Promise.all([change, list, ping]);
    assert.equal(ack.seq, 1);
    assert.deepEqual(convs.items, []);
    assert.equal(pong.type, 'pong');

    const sends = server.of('send');
    assert.equal(sends.length, 2, 'the dropped send was sent once more');
    assert.equal(sends[1].f.id, sends[0].f.id, 'with the same id');
    assert.equal(sends[1].f.client_id, sends[0].f.client_id, 'and the same client_id');
    const lists = server.of('list');
    assert.equal(lists.length, 2);
    assert.equal(lists[1].f.id, lists[0].f.id);
    assert.equal(server.of('ping').length, 1, 'a request held back during the hold went out once');
    // nothing arrived during the hold; afterwards one frame at a time
    const after = server.frames.filter((r) => r.at > episodeAt && r.f.type !== 'auth');
    const first = after.findIndex((r) => r.f === sends[1].f);
    assert.ok(first >= 0);
    const resent = after.slice(first);
    assert.ok(resent[0].at >= episodeAt + HOLD - 5, `re-sent ${resent[0].at - episodeAt} ms after the refusal, before retry_after_ms`);
    assert.deepEqual(resent.map((r) => r.f.type), ['send', 'list', 'ping']);
    for (let i = 1; i < resent.length; i++) {
      assert.ok(resent[i].at - resent[i - 1].at >= 50, `frames after the hold are paced: ${resent.map((r) => r.at - episodeAt)}`);
    }

    // a second episode re-sends only what is still unanswered: nothing of the above
    const seen = server.frames.length;
    const marker2 = next(c, 'feed');
    episodeEnd = Date.now() + 100;
    send(sock, { type: 'error', code: 'rate_limited', message: 'too many frames', retryable: true, retry_after_ms: 100 });
    send(sock, { type: 'feed', kind: 'marker', conv: 'C0' });
    await marker2;
    await c.request({ type: 'ping' });
    assert.deepEqual(server.frames.slice(seen).map((r) => r.f.type), ['ping']);
    assert.equal(resolved, 1);
    assert.deepEqual(c.pending('C1'), []);
  } finally {
    c.stop();
    await server.stop();
  }
});

test('rate_limited with an id (each refused frame answered) is still retried, with a new id', { timeout: 10000 }, async () => {
  let refused = 0;
  const server = await new ScriptedServer({
    onFrame(f, s) {
      if (f.type !== 'list') return;
      if (!refused++) {
        send(s, { type: 'error', id: f.id, code: 'rate_limited', message: 'too many frames', retryable: true });
      } else send(s, { type: 'conversations', id: f.id, items: [], next: 0 });
    },
  }).start();
  const c = clientOf(server);
  try {
    c.start();
    await until(() => c.state === 'online', 'online');
    const r = await c.request({ type: 'list', scope: 'mine' });
    assert.equal(r.type, 'conversations');
    const lists = server.of('list');
    assert.equal(lists.length, 2);
    assert.notEqual(lists[1].f.id, lists[0].f.id);
  } finally {
    c.stop();
    await server.stop();
  }
});
