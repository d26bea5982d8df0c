// What the email tests share: running `chatd mail-ingest` as an MTA's pipe
// would (one mail on stdin, the outcome as JSON and an exit code), and
// reading the mails chatd sent the way a mail client shows them.
import { spawn } from 'node:child_process';
import { CHATD, KEYS, ID_SECRET } from './harness.mjs';

// Runs chatd mail-ingest on mail (a string or Buffer). settings: the
// node's settings to pass ({ redisUrl, replyKeys, domain, policyFile });
// null passes nothing but args. Resolves {code, json, err}; rejects on a
// sanitizer report (CHATD_BIN=build-san/chatd).
export function runIngest(mail, settings, args = []) {
  return new Promise((resolve, reject) => {
    const given = settings ? ['--redis', settings.redisUrl,
      ...(settings.policyFile ? ['--policy', settings.policyFile] : [])] : [];
    const vars = settings ? { CHAT_JWT_KEYS: KEYS, CHAT_ID_SECRET: ID_SECRET,
      CHAT_REPLY_KEYS: settings.replyKeys, CHAT_REPLY_DOMAIN: settings.domain } : {};
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHAT_')));
    const p = spawn(CHATD, ['mail-ingest', ...given, ...args], {
      env: { ...inherited, ...vars },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.stdin.on('error', () => {}); // a mail over the limit is not read to its end
    p.on('exit', (code) => {
      const san = err.search(/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
      if (san >= 0) {
        reject(new Error(`mail-ingest sanitizer report:\n${err.slice(Math.max(0, san - 200), san + 4000)}`));
        return;
      }
      let json = null;
      try { json = JSON.parse(out.trim().split('\n').pop()); } catch {}
      resolve({ code, json, err });
    });
    p.stdin.end(mail);
  });
}

// A header of a mail the SMTP sink received ({ data: Buffer }), unfolded.
export function header(mail, name) {
  const text = mail.data.toString('utf8');
  const m = text.match(new RegExp(`^${name}: ?(.*(?:\\r\\n[ \\t].*)*)`, 'mi'));
  return m ? m[1].replace(/\r\n[ \t]/g, ' ') : null;
}

// The text/plain part of such a mail, decoded (quoted-printable).
export function plainText(mail) {
  const raw = mail.data.toString('latin1');
  const at = raw.search(/Content-Type: text\/plain/i);
  const body = raw.slice(raw.indexOf('\r\n\r\n', at) + 4);
  const part = body.slice(0, body.search(/\r\n--/));
  const bytes = Buffer.from(part.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g,
    (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  return bytes.toString('utf8');
}

// A reply to sent as a mail client writes it: to its Reply-To, threaded
// under it, the new text on top and the mail quoted below.
export function replyTo(sent, { from, fromName = 'Customer', text, messageId }) {
  const to = header(sent, 'Reply-To').replace(/^<|>$/g, '');
  const id = header(sent, 'Message-ID');
  const quoted = plainText(sent).split(/\r?\n/).map((l) => `> ${l}`).join('\r\n');
  return [
    `From: ${fromName} <${from}>`,
    `To: ${to}`,
    `Subject: Re: ${header(sent, 'Subject')}`,
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${id}`,
    `References: ${header(sent, 'References')} ${id}`,
    'Date: Wed, 02 Dec 2026 12:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    '',
    `On Wed, Dec 2, 2026 at 11:00 AM Support <${header(sent, 'From').replace(/.*<|>.*/g, '')}> wrote:`,
    quoted,
    '',
  ].join('\r\n');
}
