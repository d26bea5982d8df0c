// Bad input: every refused example frame gets its error and leaves the
// connection usable; frames the protocol cannot carry close the
// connection with the documented code; bad tokens, origins and
// subprotocols are refused; floods are limited; the server survives it all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  startRedis, Chatd, Client, connectAs, customer, agent, token, craftToken, keySecret, waitFor, EXAMPLES,
} from './harness.mjs';

const MAX_FRAME = 4096;
const AUTH_TIMEOUT_MS = 300;
let redis, node, strict;
before(async () => {
  redis = await startRedis();
  // node: default limits but no rate limit in the way of the example sweep.
  node = await new Chatd(redis, ['--rate', '100000', '--burst', '100000']).start();
  strict = await new Chatd(redis, ['--max-frame', String(MAX_FRAME), '--auth-timeout-ms', String(AUTH_TIMEOUT_MS),
    '--rate', '5', '--burst', '5']).start();
});
after(async () => {
  await node?.stop();
  await strict?.stop();
  await redis?.destroy();
});

const badCases = readFileSync(join(EXAMPLES, 'bad.tsv'), 'utf8').split('\n')
  .filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t'));

// Sends raw text-frame bytes, then a ping; returns the frames received in
// between and the pong (so exactly what the bad frame caused).
async function sendThenPing(c, bytes, id) {
  const from = c.frames.length;
  c.ws.send(bytes, { binary: false });
  const pong = await c.request({ type: 'ping', id }, { what: `pong after ${id}` });
  return { pong, between: c.frames.slice(from, c.frames.indexOf(pong)) };
}

// The request id a refused frame carried, when it was a valid one (errors
// echo it); null when the frame is not JSON or its id is not valid. Two
// examples are JSON the server's parser cannot hold at all (a NUL in a
// member name, a number beyond 64 bits), so their id is not readable.
const unparsable = new Set(['bad-read-huge-seq.json', 'bad-nul-in-member-name.json']);
function validId(file, bytes, code) {
  if (code === 'bad_json' || unparsable.has(file)) return null;
  try {
    const f = JSON.parse(bytes.toString('utf8'));
    const id = f && typeof f === 'object' ? f.id : undefined;
    return typeof id === 'string' && id.length >= 1 && Buffer.byteLength(id) <= 64 && !id.includes('\0') ? id : null;
  } catch {
    return null;
  }
}

test('bad.tsv names every bad-*.json example', () => {
  const listed = new Set(badCases.map(([f]) => f));
  const files = readdirSync(EXAMPLES).filter((f) => f.startsWith('bad-') && f.endsWith('.json'));
  assert.deepEqual(files.filter((f) => !listed.has(f)), []);
  assert.deepEqual([...listed].filter((f) => !files.includes(f)), []);
  assert.ok(badCases.length > 100);
});

test('every bad example frame gets its error code and the connection keeps working', async () => {
  const c = await connectAs(node, customer());
  const wrong = [];
  for (const [file, code] of badCases) {
    const bytes = readFileSync(join(EXAMPLES, file));
    const { pong, between } = await sendThenPing(c, bytes, `after-${file}`);
    assert.equal(pong.type, 'pong');
    const got = between.map((f) => (f.type === 'error' ? f.code : f.type));
    if (got.length !== 1 || got[0] !== code) wrong.push(`${file}: want [${code}] got ${JSON.stringify(between)}`);
    else if (between[0].retryable !== false) wrong.push(`${file}: retryable ${between[0].retryable}`);
    else if (validId(file, bytes, code) && between[0].id !== validId(file, bytes, code)) wrong.push(`${file}: id not echoed: ${JSON.stringify(between[0])}`);
  }
  assert.deepEqual(wrong, []);
  // An error echoes the request's id when it had a readable one.
  const { between } = await sendThenPing(c, Buffer.from('{"type":"frobnicate","id":"my-id"}'), 'p-echo');
  assert.equal(between[0].code, 'unknown_type');
  assert.equal(between[0].id, 'my-id');
  assert.ok(node.alive());
  c.close();
});

test('a binary frame closes 1003', async () => {
  const c = await connectAs(node, customer());
  c.ws.send(Buffer.from('{"type":"ping","id":"b"}'), { binary: true });
  const { code } = await c.waitClose();
  assert.equal(code, 1003);
  assert.ok(!c.frames.some((f) => f.id === 'b'));
});

test('a text frame that is not UTF-8 closes 1007', async () => {
  for (const bytes of [
    Buffer.concat([Buffer.from('{"type":"ping","id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from('{"type":"ping","id":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // UTF-16 surrogate
    Buffer.concat([Buffer.from('{"type":"ping","id":"x"}'), Buffer.from([0xe2, 0x82])]), // truncated at the end
  ]) {
    const c = await connectAs(node, customer());
    c.ws.send(bytes, { binary: false });
    const { code } = await c.waitClose();
    assert.equal(code, 1007, bytes.toString('hex'));
  }
});

test(`a frame over --max-frame ${MAX_FRAME} closes 1009, also when fragmented`, async () => {
  const big = JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(MAX_FRAME) });
  const c1 = await connectAs(strict, customer());
  c1.send(big);
  assert.equal((await c1.waitClose()).code, 1009);
  assert.ok(!c1.frames.some((f) => f.id === 'big'));

  // Fragments each well under the cap, together over it.
  const c2 = await connectAs(strict, customer());
  const piece = 1000;
  for (let i = 0; i < big.length; i += piece) {
    const fin = i + piece >= big.length;
    c2.ws.send(big.slice(i, i + piece), { fin });
  }
  assert.equal((await c2.waitClose()).code, 1009);
  assert.ok(!c2.frames.some((f) => f.id === 'big'));

  // A fragmented frame under the cap is reassembled and answered.
  const c3 = await connectAs(strict, customer());
  const small = JSON.stringify({ type: 'ping', id: 'frag', pad: 'y'.repeat(MAX_FRAME - 200) });
  for (let i = 0; i < small.length; i += piece) c3.ws.send(small.slice(i, i + piece), { fin: i + piece >= small.length });
  const pong = await c3.wait((f) => f.id === 'frag');
  assert.equal(pong.type, 'pong');
  c3.close();
});

test('a request before auth gets not_authenticated; a second auth gets already_authenticated', async () => {
  const c = await Client.connect(node.url);
  const early = await c.request({ type: 'ping' });
  assert.equal(early.type, 'error');
  assert.equal(early.code, 'not_authenticated');
  const open = await c.request({ type: 'open', client_id: 'x', details: { summary: 'sneaky' } });
  assert.equal(open.code, 'not_authenticated');
  const me = customer();
  const hello = await c.auth(token(me));
  assert.equal(hello.user.id, me.sub);
  assert.equal(hello.user.role, 'customer');
  assert.equal(hello.protocol, 'chat.v1');
  const again = await c.request({ type: 'auth', token: token(customer()) });
  assert.equal(again.type, 'error');
  assert.equal(again.code, 'already_authenticated');
  // Still the first identity, still working.
  await c.ping();
  const list = await c.request({ type: 'list' });
  assert.deepEqual(list.items, []);
  c.close();
});

test(`no auth within --auth-timeout-ms ${AUTH_TIMEOUT_MS} closes 4001`, async () => {
  const t0 = Date.now();
  const c = await Client.connect(strict.url);
  const { code } = await c.waitClose({ timeout: AUTH_TIMEOUT_MS + 3000 });
  assert.equal(code, 4001);
  assert.ok(Date.now() - t0 >= AUTH_TIMEOUT_MS - 10, `closed after ${Date.now() - t0} ms`);
});

test('bad tokens get auth_failed or token_expired, then close 4003', async () => {
  const claims = { sub: 'mallory', role: 'agent', name: 'Mallory' };
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    ['wrong key', craftToken(claims, { secret: randomBytes(32).toString('hex') }), 'auth_failed'],
    ['k2 secret under kid k1', craftToken(claims, { secret: keySecret('k2') }), 'auth_failed'],
    ['alg none', craftToken(claims, { header: { alg: 'none', typ: 'JWT', kid: 'k1' }, secret: null }), 'auth_failed'],
    ['alg none signed', craftToken(claims, { header: { alg: 'none', kid: 'k1' } }), 'auth_failed'],
    ['alg HS512', craftToken(claims, { header: { alg: 'HS512', kid: 'k1' } }), 'auth_failed'],
    ['unknown kid', craftToken(claims, { header: { alg: 'HS256', kid: 'k9' } }), 'auth_failed'],
    ['no kid with two keys', craftToken(claims, { header: { alg: 'HS256' } }), 'auth_failed'],
    ['garbage', 'not-a-token', 'auth_failed'],
    ['garbage segments', 'aaaa.bbbb.cccc', 'auth_failed'],
    ['no role', craftToken({ sub: 'mallory' }), 'auth_failed'],
    ['expired', craftToken(claims, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }), 'token_expired'],
    ['not yet valid', craftToken(claims, { nbf: now + 3600, exp: now + 7200 }), 'token_expired'],
  ];
  for (const [what, tok, code] of cases) {
    const c = await Client.connect(node.url);
    const r = await c.request({ type: 'auth', token: tok });
    assert.equal(r.type, 'error', `${what}: ${JSON.stringify(r)}`);
    assert.equal(r.code, code, what);
    const { code: closeCode } = await c.waitClose();
    assert.equal(closeCode, 4003, what);
    assert.ok(!c.frames.some((f) => f.type === 'hello'), what);
  }
  // The control: the same claims, properly signed, are accepted.
  const ok = await Client.connect(node.url);
  assert.equal((await ok.auth(craftToken(claims))).user.id, 'mallory');
  ok.close();
});

test('a token that expires while connected closes 4004', async () => {
  const c = await Client.connect(node.url);
  await c.auth(token(customer(), { ttl: '2s' }));
  const t0 = Date.now();
  await c.ping();
  const { code } = await c.waitClose({ timeout: 6000 });
  assert.equal(code, 4004);
  assert.ok(Date.now() - t0 >= 500, 'not closed at once');
});

test('tokens signed with either configured key (k1, k2) are accepted', async () => {
  for (const kid of ['k1', 'k2']) {
    const me = agent();
    const c = await Client.connect(node.url);
    const hello = await c.auth(token(me, { kid }));
    assert.equal(hello.user.id, me.sub);
    const hand = await Client.connect(node.url);
    assert.equal((await hand.auth(craftToken(me, { header: { alg: 'HS256', typ: 'JWT', kid }, secret: keySecret(kid) }))).user.id, me.sub);
    await c.ping();
    c.close();
    hand.close();
  }
});

test('Origin: not allowed is refused at the handshake; allowed or absent is accepted', async () => {
  await assert.rejects(Client.connect(node.url, { origin: 'http://evil.example' }));
  await assert.rejects(Client.connect(node.url, { origin: 'http://allowed.example.evil.example' }));
  await assert.rejects(Client.connect(node.url, { origin: 'null' }));
  for (const origin of ['http://allowed.example', undefined]) {
    const c = await Client.connect(node.url, origin ? { origin } : {});
    assert.equal(c.ws.protocol, 'chat.v1');
    await c.auth(token(customer()));
    await c.ping();
    c.close();
  }
  assert.match(node.log, /refused a connection from origin http:\/\/evil\.example/);
});

test('the Origin refusal is an HTTP 403 (PROTOCOL.md: no WebSocket is opened)', async () => {
  await assert.rejects(Client.connect(node.url, { origin: 'http://evil.example' }), /HTTP 403/);
});

test('a connection without the chat.v1 subprotocol is refused', async () => {
  await assert.rejects(Client.connect(node.url, { protocol: null }));
  await assert.rejects(Client.connect(node.url, { protocol: 'chat.v0' }));
  assert.ok(node.alive());
});

test('frames over --rate are refused undecoded: one rate_limited error (no id, retry_after_ms) per episode, the rest dropped', async () => {
  const c = await connectAs(strict, customer()); // auth took one of the 5
  const from = c.frames.length;
  const ids = Array.from({ length: 8 }, (_, i) => `f${i}`);
  for (const id of ids) c.send({ type: 'ping', id });
  const notice = await c.wait((f) => f.type === 'error' && f.code === 'rate_limited', { from });
  assert.equal(notice.id, undefined);
  assert.equal(notice.retryable, true);
  assert.ok(notice.retry_after_ms > 0 && notice.retry_after_ms <= 1000, JSON.stringify(notice));
  // After the advertised wait a request is answered again; everything
  // sent before it has been handled by then.
  await new Promise((r) => setTimeout(r, notice.retry_after_ms + 50));
  const later = await c.request({ type: 'ping' });
  assert.equal(later.type, 'pong');
  const got = c.frames.slice(from);
  const pongs = got.filter((f) => f.type === 'pong' && ids.includes(f.id));
  assert.equal(pongs.length, 4, JSON.stringify(got));
  assert.equal(got.filter((f) => f.code === 'rate_limited').length, 1, JSON.stringify(got));
  c.close();
});

test('the rate limit counts cost: a list of 200 conversations spends the bucket, a ping right after is refused', async () => {
  const c = await connectAs(strict, customer());
  const from = c.frames.length;
  const list = await c.request({ type: 'list', limit: 200 });
  assert.equal(list.type, 'conversations');
  c.send({ type: 'ping', id: 'after-list' });
  const notice = await c.wait((f) => f.code === 'rate_limited' || f.id === 'after-list', { from });
  assert.equal(notice.code, 'rate_limited', JSON.stringify(notice));
  // 21 units at 5 per second: several seconds of debt, said as such.
  assert.ok(notice.retry_after_ms > 2000, JSON.stringify(notice));
  c.close();
});

test('a sustained flood closes 4029 even when frames keep being allowed in between', async () => {
  // Twenty times the rate, steadily: some frames are allowed as the
  // bucket refills, which must not forgive the flood.
  const f = await connectAs(strict, customer());
  let n = 0;
  const timer = setInterval(() => {
    if (f.ws.readyState === 1) f.send({ type: 'ping', id: `steady${n++}` });
  }, 10);
  try {
    const { code } = await f.waitClose({ timeout: 8000 });
    assert.equal(code, 4029);
  } finally {
    clearInterval(timer);
  }
  // A burst of 100 at once ends the same way.
  const g = await connectAs(strict, customer());
  for (let i = 0; i < 100 && g.ws.readyState === 1; i++) g.send({ type: 'ping', id: `flood${i}` });
  assert.equal((await g.waitClose()).code, 4029);
});

test('a refused client still gets every answer queued before the close, then the close code, never 1006', async () => {
  // Ten rounds, because a close that races the client's own sending used
  // to end in a reset (1006) only some of the time.
  for (let round = 0; round < 10; round++) {
    const c = await connectAs(node, customer());
    const from = c.frames.length;
    for (let i = 0; i < 5; i++) c.send({ type: 'ping', id: `p${i}` });
    c.send(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(70000) }));
    // The client keeps sending after its frame was refused.
    for (let i = 0; i < 50 && c.ws.readyState === 1; i++) c.send({ type: 'ping', id: `after${i}` });
    const { code } = await c.waitClose();
    assert.equal(code, 1009, `round ${round}`);
    const pongs = c.frames.slice(from).filter((f) => f.type === 'pong').map((f) => f.id);
    assert.deepEqual(pongs, ['p0', 'p1', 'p2', 'p3', 'p4'], `round ${round}`);
  }
  // A flood: the answers to what was admitted arrive, then 4029.
  const f = await connectAs(strict, customer());
  const from = f.frames.length;
  for (let i = 0; i < 100 && f.ws.readyState === 1; i++) f.send({ type: 'ping', id: `fl${i}` });
  assert.equal((await f.waitClose()).code, 4029);
  const got = f.frames.slice(from);
  assert.ok(got.some((x) => x.type === 'pong'), JSON.stringify(got));
  assert.equal(got.filter((x) => x.code === 'rate_limited').length, 1, JSON.stringify(got));
});

test('the server is alive after all of it: a fresh client authenticates and pings; /healthz and /readyz are 200', async () => {
  for (const n of [node, strict]) {
    assert.ok(n.alive());
    const c = await connectAs(n, customer());
    await c.ping();
    c.close();
    assert.equal(await n.httpStatus('/healthz'), 200);
    assert.equal(await n.httpStatus('/readyz'), 200);
  }
});
