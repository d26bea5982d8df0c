// The web root over HTTP (server/net/static_files.c), against a real
// chatd serving a folder this test writes: the encoding by Accept-Encoding,
// ETags and 304, Cache-Control by name, HEAD, 404, 405, redirects of
// folders, paths that try to leave the folder, the bound on what is loaded,
// and several requests on one connection. Requests are written by hand on
// a socket so that nothing (no client library) rewrites a path or a header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { brotliCompressSync, gzipSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { Redis, Chatd, CHATD, KEYS, ID_SECRET } from './harness.mjs';

const LOADER = `window.ChatdWidget = { mount() {} }; // ${'x'.repeat(2000)}\n`;
const BUNDLE = `export function mount() { return 'bundle'; } /* ${'y'.repeat(4000)} */\n`;
const INDEX = `<!doctype html><title>demo</title><p>${'demo page '.repeat(200)}</p>\n`;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const YEAR = 'public, max-age=31536000, immutable';

let redis, node, dir;

function put(path, data) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), data);
}

// FILE with its .br and .gz, as scripts/build-web.mjs writes them.
function putCompressed(path, text) {
  put(path, text);
  put(`${path}.br`, brotliCompressSync(Buffer.from(text)));
  put(`${path}.gz`, gzipSync(Buffer.from(text), { level: 9 }));
}

const tagOf = (text) => createHash('sha256').update(text).digest('hex').slice(0, 32);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chatd-web-'));
  putCompressed('widget/widget.js', LOADER);
  putCompressed('widget/widget-J5ICA2IN.js', BUNDLE);
  putCompressed('demo/index.html', INDEX);
  put('img/logo.png', PNG);
  put('index.html', '<!doctype html><title>root</title>\n');
  put('.hidden', 'secret');
  put('small.txt', 'hi');
  put('small.txt.gz', gzipSync(Buffer.from('hi'))); // larger than the file: not used
  put('only.js.br', 'an encoding without its file');
  redis = await new Redis().start();
  node = await new Chatd(redis, ['--web-root', dir]).start();
});

after(async () => {
  await node?.stop();
  await redis?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// Parses one HTTP/1.1 response from buf; null while incomplete. bodyless:
// the request was HEAD (Content-Length describes a body not sent).
function parse(buf, bodyless) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    const k = l.slice(0, i).trim().toLowerCase();
    headers[k] = headers[k] ? `${headers[k]}, ${l.slice(i + 1).trim()}` : l.slice(i + 1).trim();
  }
  const len = bodyless || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + len) return null;
  return { status, headers, body: buf.subarray(end + 4, end + 4 + len), rest: buf.subarray(end + 4 + len) };
}

// Sends requests (each {method, path, headers}) one after the other on one
// connection; resolves with their responses.
function exchange(requests, { timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(node.port, '127.0.0.1');
    const out = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer in ${timeout} ms; got ${buf}`)); }, timeout);
    const send = () => {
      const r = requests[out.length];
      const hs = Object.entries({ host: 'localhost', ...r.headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.write(`${r.method || 'GET'} ${r.path} HTTP/1.1\r\n${hs}\r\n`);
    };
    sock.on('connect', send);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const res = parse(buf, (requests[out.length].method || 'GET') === 'HEAD');
        if (!res) return;
        out.push(res);
        buf = res.rest;
        if (out.length === requests.length) {
          clearTimeout(timer);
          sock.destroy();
          resolve(out);
          return;
        }
        send();
      }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('close', () => { clearTimeout(timer); if (out.length < requests.length) reject(new Error(`closed after ${out.length} answers; got ${buf}`)); });
  });
}

const get = async (path, headers = {}, method = 'GET') => (await exchange([{ method, path, headers }]))[0];

test('Brotli, gzip or the file itself by Accept-Encoding, each with its own ETag', async () => {
  const br = await get('/widget/widget.js', { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), LOADER);
  assert.equal(Number(br.headers['content-length']), br.body.length);
  assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(br.headers.etag, `"${tagOf(LOADER)}-br"`);

  const gz = await get('/widget/widget.js', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), LOADER);
  assert.equal(gz.headers.etag, `"${tagOf(LOADER)}-gz"`);

  const refused = await get('/widget/widget.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
  assert.equal(refused.headers['content-encoding'], 'gzip');
  const higher = await get('/widget/widget.js', { 'accept-encoding': 'br;q=0.2, gzip' });
  assert.equal(higher.headers['content-encoding'], 'gzip');
  const star = await get('/widget/widget.js', { 'accept-encoding': '*' });
  assert.equal(star.headers['content-encoding'], 'br');

  for (const ae of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0']) {
    const plain = await get('/widget/widget.js', ae ? { 'accept-encoding': ae } : {});
    assert.equal(plain.headers['content-encoding'], undefined, `Accept-Encoding ${ae}`);
    assert.equal(plain.body.toString(), LOADER);
    assert.equal(plain.headers.etag, `"${tagOf(LOADER)}"`);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
  }
});

test('a compressed copy that is not smaller is not used; an encoding without its file is not served', async () => {
  const small = await get('/small.txt', { 'accept-encoding': 'gzip, br' });
  assert.equal(small.status, 200);
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.body.toString(), 'hi');
  assert.equal(small.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal((await get('/only.js.br')).status, 404);
  assert.equal((await get('/only.js', { 'accept-encoding': 'br' })).status, 404);
  assert.equal((await get('/widget/widget.js.br')).status, 404);
  assert.equal((await get('/.hidden')).status, 404);
});

test('If-None-Match with the ETag of the encoding sent: 304 without a body', async () => {
  const first = await get('/widget/widget-J5ICA2IN.js', { 'accept-encoding': 'br' });
  const again = await get('/widget/widget-J5ICA2IN.js', { 'accept-encoding': 'br', 'if-none-match': first.headers.etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal(again.headers.etag, first.headers.etag);
  assert.equal(again.headers['cache-control'], YEAR);
  assert.equal(again.headers['content-encoding'], undefined);
  for (const inm of [`"x", ${first.headers.etag}`, `W/${first.headers.etag}`, '*']) {
    assert.equal((await get('/widget/widget-J5ICA2IN.js', { 'accept-encoding': 'br', 'if-none-match': inm })).status, 304, inm);
  }
  // another encoding's tag, another file's, a changed one: the whole file
  const gz = await get('/widget/widget-J5ICA2IN.js', { 'accept-encoding': 'gzip', 'if-none-match': first.headers.etag });
  assert.equal(gz.status, 200);
  assert.equal(gunzipSync(gz.body).toString(), BUNDLE);
  const other = await get('/widget/widget.js', { 'accept-encoding': 'br', 'if-none-match': first.headers.etag });
  assert.equal(other.status, 200);
  const stale = await get('/widget/widget-J5ICA2IN.js', { 'accept-encoding': 'br', 'if-none-match': '"0123"' });
  assert.equal(stale.status, 200);
});

test('Cache-Control: a year for hashed names, revalidation for HTML, five minutes for the loader', async () => {
  assert.equal((await get('/widget/widget-J5ICA2IN.js')).headers['cache-control'], YEAR);
  assert.equal((await get('/widget/widget.js')).headers['cache-control'], 'public, max-age=300');
  assert.equal((await get('/demo/index.html')).headers['cache-control'], 'no-cache');
  assert.equal((await get('/img/logo.png')).headers['cache-control'], 'public, max-age=300');
});

test('folders: / and dir/ answer their index.html, dir redirects to dir/', async () => {
  const rootPage = await get('/');
  assert.equal(rootPage.status, 200);
  assert.equal(rootPage.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(rootPage.body.toString(), /<title>root/);
  const demo = await get('/demo/', { 'accept-encoding': 'br' });
  assert.equal(demo.status, 200);
  assert.equal(brotliDecompressSync(demo.body).toString(), INDEX);
  const moved = await get('/demo');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.location, '/demo/');
  assert.equal((await get('/img')).status, 404); // a folder without index.html
  assert.equal((await get('/img/')).status, 404);
});

test('HEAD: the headers of GET, no body; other methods 405 with Allow', async () => {
  const [head, after] = await exchange([
    { method: 'HEAD', path: '/widget/widget.js', headers: { 'accept-encoding': 'gzip' } },
    { path: '/img/logo.png' },
  ]);
  const got = await get('/widget/widget.js', { 'accept-encoding': 'gzip' });
  assert.equal(head.status, 200);
  for (const h of ['content-type', 'content-length', 'content-encoding', 'etag', 'cache-control', 'vary']) {
    assert.equal(head.headers[h], got.headers[h], h);
  }
  // the next answer on the connection starts right after the headers
  assert.equal(after.status, 200);
  assert.deepEqual(after.body, PNG);
  assert.equal(after.headers['content-type'], 'image/png');
  assert.equal((await get('/nothing-here.js', {}, 'HEAD')).status, 404);

  for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
    const r = await get('/widget/widget.js', {}, method);
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
  const post = await get('/widget/widget.js', { 'content-length': '0' }, 'POST');
  assert.equal(post.status, 405);
});

test('unknown paths 404; no path leaves the web root', async () => {
  assert.equal((await get('/nope.js')).status, 404);
  for (const path of ['/../../../../etc/passwd', '/widget/../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/widget/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '//etc/passwd', '/widget/..%2f..%2f..%2fetc/passwd',
    '/widget/widget.js%00.png', `/${'../'.repeat(20)}etc/hostname`, '/widget\\..\\..\\etc\\passwd']) {
    // lws refuses some of these itself by closing the connection
    const r = await get(path).catch((e) => ({ status: 0, body: Buffer.from(''), closed: e.message }));
    console.log(`${path}: ${r.status || r.closed}`);
    assert.ok([0, 400, 403, 404].includes(r.status), `${path}: ${r.status}`);
    assert.doesNotMatch(r.body.toString(), /root:|bash/, path);
  }
  // a path lws normalizes back into the root answers what is there
  const inside = await get('/demo/../widget/widget.js');
  assert.ok(inside.status === 200 || inside.status === 404, `${inside.status}`);
  if (inside.status === 200) assert.equal(inside.body.toString(), LOADER);
  // the query string is not part of the name
  const q = await get('/widget/widget.js?v=1');
  assert.equal(q.status, 200);
});

test('every answer keeps the security headers; a long series on one connection', async () => {
  const r = await get('/demo/');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.match(r.headers['content-security-policy'], /script-src 'self'/);
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.equal(r.headers['access-control-allow-origin'], '*');
  // a script needs no page policy: its bytes are saved on every request
  const js = await get('/widget/widget.js');
  assert.equal(js.headers['x-content-type-options'], 'nosniff');
  assert.equal(js.headers['content-security-policy'], undefined);
  const many = await exchange(Array.from({ length: 30 }, (_, i) => ({
    path: ['/widget/widget.js', '/widget/widget-J5ICA2IN.js', '/nope', '/demo/'][i % 4],
    headers: { 'accept-encoding': i % 2 ? 'gzip' : 'identity' },
  })));
  assert.deepEqual(many.map((m) => m.status), Array.from({ length: 30 }, (_, i) => [200, 200, 404, 200][i % 4]));
  assert.equal(many[4].body.toString(), LOADER);
  assert.equal(gunzipSync(many[5].body).toString(), BUNDLE);
  assert.equal(node.alive(), true);
});

test('a web root that is missing or over the bound: chatd refuses to start and says why', () => {
  const run = (webRoot) => spawnSync(CHATD, ['serve', '--port', '0', '--redis', redis.url, '--web-root', webRoot],
    { env: { ...process.env, CHAT_JWT_KEYS: KEYS, CHAT_ID_SECRET: ID_SECRET }, encoding: 'utf8', timeout: 10000 });
  const missing = run(join(dir, 'no-such-folder'));
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /web root .*no-such-folder.*No such file or directory/);

  const big = mkdtempSync(join(tmpdir(), 'chatd-web-big-'));
  try {
    writeFileSync(join(big, 'huge.bin'), '');
    truncateSync(join(big, 'huge.bin'), 65 * 1024 * 1024); // sparse: refused before it is read
    const over = run(big);
    assert.notEqual(over.status, 0);
    assert.match(over.stderr, /web root .* holds more than 64 MiB of files/);
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
});
