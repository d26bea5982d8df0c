#!/usr/bin/env node
// The mail measurements of `make bench`, each on a fresh Redis, chatd and
// local SMTP server (aiosmtpd, which accepts and keeps every mail):
//   - outgoing: --mails conversations (one customer with an address) are
//     closed at once; the time from the first close to the last
//     transcript received by the SMTP server gives mails/s through the
//     whole path (outbox, mail queue, build, SMTP);
//   - inbound: --replies replies to one of those transcripts, each through
//     its own `chatd mail-ingest` process as an MTA pipe would run it:
//     the time per mail, process start included.
// Median [min..max] of --runs runs. The SMTP server is Python: at some
// rate it, not chatd, is the limit (its CPU is not separated here).
import { randomBytes } from 'node:crypto';
import { Chatd, startRedis, waitFor, uid, connectAs, customer } from '../integration/harness.mjs';
import { Sink } from '../integration/smtpsink.mjs';
import { runIngest, replyTo } from '../integration/mailtools.mjs';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 3);
const MAILS = arg('mails', 1000);
const REPLIES = arg('replies', 30);
const DOMAIN = 'reply.bench.test';

async function once() {
  const keys = `1:${randomBytes(32).toString('hex')}`;
  const redis = await startRedis();
  const sink = await new Sink().start();
  const node = await new Chatd(redis, ['--smtp-url', `smtp://127.0.0.1:${sink.port}`, '--reply-domain', DOMAIN,
    '--reply-keys', keys, '--rate', '1000000', '--burst', '1000000']).start();
  try {
    const email = 'bench@customer.test';
    const c = await connectAs(node, customer(uid('c'), { email }));
    const convs = [];
    for (let i = 0; i < MAILS; i++) {
      const a = await c.request({ type: 'open', client_id: uid('o'), details: { summary: `bench ${i}` } });
      convs.push(a.conv);
    }
    const t0 = Date.now();
    await Promise.all(convs.map((conv) => c.request({ type: 'close', client_id: uid('x'), conv }, { timeout: 60000 })));
    await waitFor(() => sink.lines.length >= MAILS, { timeout: 600000, interval: 5, what: 'every transcript' });
    const perS = (MAILS * 1000) / (Date.now() - t0);
    const sent = { data: Buffer.from(sink.lines[0].data, 'base64') };
    const times = [];
    for (let i = 0; i < REPLIES; i++) {
      const m = replyTo(sent, { from: email, text: `reply ${i}`, messageId: `<${uid('m')}@bench.test>` });
      const s = process.hrtime.bigint();
      const r = await runIngest(m, { redisUrl: redis.url, replyKeys: keys, domain: DOMAIN });
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (r.code !== 0 || r.json?.outcome !== 'appended') throw new Error(`mail-ingest: ${r.code} ${r.err}`);
    }
    times.sort((a, b) => a - b);
    c.close();
    return { perS, ingestP50: times[Math.floor(times.length / 2)] };
  } finally {
    await node.stop();
    await sink.stop();
    await redis.destroy();
  }
}

const fmt = (xs, d) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[Math.floor(s.length / 2)].toFixed(d)} [${s[0].toFixed(d)}..${s.at(-1).toFixed(d)}]`;
};
const results = [];
for (let i = 0; i < RUNS; i++) results.push(await once());
console.log(`Mail: one chatd, a local SMTP server (aiosmtpd); median [min..max] of ${RUNS} runs.`);
console.log(`${'transcripts mailed/s (close -> received)'.padEnd(44)}${fmt(results.map((r) => r.perS), 0)}  (${MAILS} closes at once)`);
console.log(`${'mail-ingest per reply, p50 ms'.padEnd(44)}${fmt(results.map((r) => r.ingestP50), 1)}  (${REPLIES} replies, a process each)`);
