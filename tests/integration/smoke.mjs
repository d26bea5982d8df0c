// A short real conversation against an already running chatd
// (CHATD_PORT, keys in CHAT_JWT_KEYS): used by the valgrind check. Exits
// non-zero on any failure.
import { existsSync, readFileSync } from 'node:fs';
import { Client, token, uid, details, waitFor } from './harness.mjs';

const url = `ws://127.0.0.1:${process.env.CHATD_PORT}/ws`;
const keys = process.env.CHAT_JWT_KEYS;
const timeout = 30000;

const cust = await Client.connect(url);
const email = `${uid('c')}@customer.test`;
await cust.auth(token({ sub: uid('c'), role: 'customer', tier: 'gold', email }, { keys }));
const ag = await Client.connect(url);
await ag.auth(token({ sub: uid('a'), role: 'agent' }, { keys }));
const open = await cust.request({ type: 'open', client_id: 'o1', details: details() }, { timeout });
if (open.type !== 'ack') throw new Error(JSON.stringify(open));
const conv = open.conv;
for (const c of [cust, ag]) {
  c.send({ type: 'resume', id: 'w', convs: [{ conv, after: 0 }] });
  await c.wait((f) => f.type === 'synced', { timeout });
}
await ag.request({ type: 'claim', client_id: 'c1', conv }, { timeout });
await cust.request({ type: 'send', client_id: 'm1', conv, text: 'hi' }, { timeout });
await ag.request({ type: 'note', client_id: 'n1', conv, text: 'note' }, { timeout });
await ag.wait((f) => f.type === 'event' && f.kind === 'message', { timeout });
await cust.request({ type: 'history', conv }, { timeout });
await cust.request({ type: 'list' }, { timeout });
ag.send({ type: 'typing', conv, typing: true });
await cust.request({ type: 'read', conv, seq: 3 }, { timeout });
// With a mail sink (CHATD_MAIL_LOG: the file an aiosmtpd sink prints
// each delivered message to): an agent's reply, then the close, whose
// transcript must reach the sink.
if (process.env.CHATD_MAIL_LOG) {
  await ag.request({ type: 'send', client_id: 'm2', conv, text: 'fixed' }, { timeout });
  await cust.request({ type: 'close', client_id: 'x1', conv }, { timeout });
  await waitFor(() => existsSync(process.env.CHATD_MAIL_LOG) &&
    readFileSync(process.env.CHATD_MAIL_LOG, 'utf8').includes(email), { timeout, what: 'the transcript' });
  console.log('smoke: transcript mailed');
}
// Leave both connected: the server must close them at shutdown.
console.log('smoke: conversation ok');
process.exitCode = 0;
setTimeout(() => process.exit(0), 10).unref();
await Promise.race([cust.closed, new Promise((r) => setTimeout(r, 0))]);
