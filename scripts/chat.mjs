#!/usr/bin/env node
// A terminal client for trying chatd by hand (Node 20 + npm ws, installed
// by scripts/deps). Usage:
//   node scripts/chat.mjs ws://127.0.0.1:8080/ws TOKEN
// Then type commands; anything not starting with "/" is sent as a message
// to the current conversation.
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node scripts/chat.mjs WS_URL TOKEN');
  process.exit(2);
}

const help = `commands:
  /open SUMMARY        open a conversation (customers)
  /list [open]         your conversations, or every open one (agents)
  /watch CONV          follow a conversation (replays its history)
  /claim [CONV]        take a conversation (agents)
  /accept CONV         take the conversation offered to you (agents)
  /decline CONV        pass an offer on (agents)
  /presence STATUS     online, away or offline (agents)
  /agents              every agent's presence and load (agents)
  /transfer [AGENT]    hand the current conversation to AGENT, or back to
                       the queue (agents)
  /availability        chat hours, queue class and topics of your package
  /note TEXT           internal note (agents)
  /close [REASON]      close the current conversation
  /read                mark everything seen as read
  /quit`;

let conv = '';
let last = 0;
let n = 0;
const ws = new WebSocket(url, ['chat.v1']);
const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
const send = (f) => ws.send(JSON.stringify({ id: `r${++n}`, ...f }));
const change = (f) => send({ client_id: randomUUID(), ...f });

function show(f) {
  if (f.type === 'event') {
    last = Math.max(last, f.seq);
    const who = `${f.from?.name ?? '?'} (${f.from?.role ?? '?'})`;
    const body = f.text ?? f.details?.summary ?? f.reason ?? '';
    console.log(`[${f.conv.slice(0, 6)} #${f.seq}] ${f.kind} ${who}: ${body}`);
  } else if (f.type === 'conversations') {
    for (const i of f.items) {
      const place = i.position ? `#${i.position}` : '';
      console.log(`  ${i.conv}  ${i.status.padEnd(8)} ${place.padEnd(4)} ${i.tier.padEnd(8)} ${i.summary}`);
    }
    if (!f.items.length) console.log('  (none)');
  } else if (f.type === 'ack' && f.seq === 1 && !conv) {
    conv = f.conv;
    send({ type: 'resume', convs: [{ conv, after: 0 }] });
    console.log(`opened ${conv}`);
  } else if (f.type !== 'ack' && f.type !== 'synced') {
    console.log(JSON.stringify(f));
  }
}

ws.on('open', () => send({ type: 'auth', token }));
ws.on('message', (d) => show(JSON.parse(d)));
ws.on('close', (code, reason) => { console.log(`closed ${code} ${reason}`); process.exit(0); });
ws.on('error', (e) => { console.error(e.message); process.exit(1); });
console.log(help);

rl.on('line', (line) => {
  const [cmd, ...rest] = line.trim().split(' ');
  const arg = rest.join(' ');
  if (cmd === '/open') change({ type: 'open', details: { summary: arg || 'Help' } });
  else if (cmd === '/list') send({ type: 'list', scope: arg === 'open' ? 'open' : 'mine' });
  else if (cmd === '/watch') { conv = arg; send({ type: 'resume', convs: [{ conv, after: 0 }] }); }
  else if (cmd === '/claim') { conv = arg || conv; send({ type: 'resume', convs: [{ conv, after: 0 }] }); change({ type: 'claim', conv }); }
  else if (cmd === '/accept') { conv = arg || conv; send({ type: 'resume', convs: [{ conv, after: 0 }] }); change({ type: 'accept', conv }); }
  else if (cmd === '/decline') send({ type: 'decline', conv: arg || conv });
  else if (cmd === '/presence') send({ type: 'presence', status: arg || 'online' });
  else if (cmd === '/agents') send({ type: 'agents' });
  else if (cmd === '/transfer') change({ type: 'transfer', conv, ...(arg ? { to: arg } : {}) });
  else if (cmd === '/availability') send({ type: 'availability' });
  else if (cmd === '/note') change({ type: 'note', conv, text: arg });
  else if (cmd === '/close') change({ type: 'close', conv, reason: arg || undefined });
  else if (cmd === '/read') send({ type: 'read', conv, seq: Math.max(last, 1) });
  else if (cmd === '/quit') ws.close(1000);
  else if (cmd.startsWith('/')) console.log(help);
  else if (line.trim()) change({ type: 'send', conv, text: line });
});
