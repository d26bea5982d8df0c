// Writes the seed corpora of the fuzz targets into OUT/<target>/ (one file
// per input) from what the project already holds: the example frames in
// protocol/examples (and those bad.tsv names), and the token headers,
// payloads, token strings and config lines written in tests/unit. Run by
// tests/fuzz/fuzz.mk as `node tests/fuzz/seeds.mjs OUT`. Not a corpus
// store: checked-in regression inputs live in tests/fuzz/corpus/.
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: seeds.mjs OUT');
const root = new URL('../../', import.meta.url).pathname;
const examples = join(root, 'protocol/examples');
// The fixed key set of fuzz_auth.c.
const keys = { k1: '11'.repeat(32), k2: '22'.repeat(32) };
const NOW = 1700000000;

function put(target, bytes) {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  const buf = Buffer.from(bytes);
  writeFileSync(join(dir, createHash('sha1').update(buf).digest('hex')), buf);
}

// The string literals of a C file, unescaped; adjacent ones joined.
function cStrings(path) {
  const src = readFileSync(join(root, path), 'latin1');
  const lits = [];
  const re = /"((?:[^"\\\n]|\\.)*)"(\s*(?=")|)/g;
  let acc = '';
  for (let m; (m = re.exec(src));) {
    acc += m[1].replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e) => {
      if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return { n: '\n', t: '\t', r: '\r', 0: '\0' }[e] ?? e;
    });
    if (!m[2]) { lits.push(acc); acc = ''; }
  }
  return lits.map((s) => Buffer.from(s, 'latin1'));
}

const b64 = (b) => Buffer.from(b).toString('base64url');
function signed(header, payload) {
  const kid = (() => { try { return JSON.parse(header).kid; } catch { return undefined; } })();
  const secret = Buffer.from(keys[kid] ?? keys.k1, 'hex');
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

rmSync(out, { recursive: true, force: true });

// Frames: every example, the files bad.tsv names among them.
const frames = readdirSync(examples).filter((f) => f.endsWith('.json'));
for (const line of readFileSync(join(examples, 'bad.tsv'), 'utf8').split('\n')) {
  const name = line.split('\t')[0];
  if (name && !name.startsWith('#') && !frames.includes(name)) frames.push(name);
}
for (const f of frames) {
  let bytes;
  try { bytes = readFileSync(join(examples, f)); } catch { continue; }
  put('decode', bytes);
  put('flatjson', bytes);
}

// Tokens: test_auth.c's headers and payloads, signed, and its literal tokens.
const lits = cStrings('tests/unit/test_auth.c').map((b) => b.toString('latin1'));
const headers = lits.filter((s) => s.startsWith('{') && s.includes('alg'));
headers.push('{"alg":"HS256","typ":"JWT","kid":"k1"}', '{"alg":"HS256","kid":"k2"}');
const base = `{"sub":"u1","role":"customer","exp":${NOW + 600}`;
const payloads = lits.filter((s) => s.startsWith('{') && s.includes('"sub"'));
payloads.push(...lits.filter((s) => s.startsWith(',"')).map((x) => `${base}${x}}`));
payloads.push(`${base},"iss":"platform","aud":["x","chatd"],"nbf":${NOW},"iat":${NOW}}`);
for (const h of headers) {
  for (const p of payloads.slice(0, 4)) put('auth', signed(h, p));
  put('auth_signed', `${h}\0${payloads[0]}`);
}
for (const p of payloads) {
  put('auth', signed(headers.at(-2), p));
  put('auth_signed', `${headers.at(-2)}\0${p}`);
}
for (const s of lits.filter((x) => /^[A-Za-z0-9_=.\- \xfe\xff]*$/.test(x) && x.includes('.')))
  put('auth', Buffer.from(s, 'latin1'));

// Config files: test_config.c's file text, and its --name value flags as lines.
const conf = cStrings('tests/unit/test_config.c').map((b) => b.toString('latin1'));
const required = `jwt-keys = k1:${keys.k1}\nid-secret = ${keys.k2}\n`;
for (const s of conf.filter((x) => x.includes('\n') && x.includes('='))) {
  put('config', s);
  put('config', required + s);
}
for (let i = 0; i < conf.length - 1; i++) {
  const flag = conf[i].match(/^--([a-z-]+)(?:=(.*))?$/);
  if (!flag || flag[1] === 'config') continue;
  const value = flag[2] ?? (conf[i + 1].startsWith('--') ? '' : conf[i + 1]);
  put('config', `${required}${flag[1]} = ${value}\n`);
}
put('config', `${required}# comment\n\n  host =  ::1  \nlog-level = warn\n`);

// Policy files: the shipped one, and it with fewer members and other zones.
const policy = JSON.parse(readFileSync(join(root, 'deploy/support-policy.json'), 'utf8'));
put('policy', readFileSync(join(root, 'deploy/support-policy.json')));
put('policy', JSON.stringify(policy));
const trimmed = structuredClone(policy);
delete trimmed.holidays;
delete trimmed.dedicated;
trimmed.tiers.gold.chat.hours = '24x5';
trimmed.support_timezone = 'Asia/Tehran';
put('policy', JSON.stringify(trimmed));
const oneClass = structuredClone(policy);
oneClass.classes = [{ key: 'normal', label: 'Normal' }];
oneClass.support_timezone = 'UTC';
put('policy', JSON.stringify(oneClass));

// Mail text and HTML: test_extract.c's literals.
for (const s of cStrings('tests/unit/test_extract.c')) if (s.length > 8) put('extract', s);
// The text of a mail made a message: the same mail text, and
// test_ingest_text.c's literals.
for (const s of cStrings('tests/unit/test_extract.c')) if (s.length > 8) put('ingest_text', s);
for (const s of cStrings('tests/unit/test_ingest_text.c')) put('ingest_text', s);
