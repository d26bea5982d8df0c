// How the client tells a network that is down from a chat server that is,
// and the words both apps build from it, checked in Node (no browser).
import test from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, healthzUrl, secondsLeft } from '../../web/lib/chat-client.js';
import { outageText, retryText, connWord } from '../../web/widget/conn.js';
import { connectionWords } from '../../web/console/offline.js';

test('the chat server\'s health URL from its WebSocket URL', () => {
  assert.equal(healthzUrl('wss://chat.example.com/ws'), 'https://chat.example.com/healthz');
  assert.equal(healthzUrl('ws://127.0.0.1:8080/ws?x=1#y'), 'http://127.0.0.1:8080/healthz');
  assert.equal(healthzUrl('wss://example.com/chat/ws'), 'https://example.com/healthz', 'chatd serves /healthz at its root');
  assert.equal(healthzUrl('not a url'), null);
});

test('network or server', () => {
  assert.equal(diagnose({ online: false, server: true }), 'network', 'a browser that says offline is');
  assert.equal(diagnose({ online: false }), 'network');
  assert.equal(diagnose({ online: true, server: true }), 'server', 'the server answers HTTP but the socket fails');
  assert.equal(diagnose({ online: true, server: false, page: true }), 'server', 'the page\'s origin answers, the chat server not');
  assert.equal(diagnose({ online: true, server: false, page: false }), 'network', 'nothing answers');
  assert.equal(diagnose({ online: true, server: false, page: null }), 'server', 'the page is the chat server\'s: it cannot tell, and says what it knows');
  assert.equal(diagnose({ online: undefined, server: false }), 'server', 'no navigator.onLine (Node)');
});

test('the countdown', () => {
  assert.equal(secondsLeft(10500, 2000), 9);
  assert.equal(secondsLeft(2001, 2000), 1);
  assert.equal(secondsLeft(2000, 2000), 0);
  assert.equal(secondsLeft(0, 2000), 0);
  assert.equal(retryText(10000, 2000), 'Retrying in 8 s');
  assert.equal(retryText(0, 2000), 'Retrying now…');
});

test('the widget\'s words', () => {
  assert.equal(outageText('network'), "You're offline. Check your internet connection. Your messages are kept and will be sent when you're back.");
  assert.equal(outageText('server'), "Can't reach the chat service. Your messages are kept and will be sent when it's back.");
  assert.equal(connWord('online', '', {}), 'Online');
  assert.equal(connWord('offline', 'server', { settled: false, wasOnline: true }), 'Reconnecting…', 'a blip says only that');
  assert.equal(connWord('connecting', 'server', { settled: false, wasOnline: false }), 'Connecting…');
  assert.equal(connWord('offline', 'network', { settled: true }), 'Offline');
  assert.equal(connWord('offline', 'server', { settled: true }), "Can't connect");
  assert.equal(connWord('failed', '', {}), 'Not signed in');
});

test('the console\'s words', () => {
  assert.deepEqual(connectionWords('offline', 'network', { settled: true })[0], "You're offline");
  assert.match(connectionWords('offline', 'network', { settled: true })[1], /^Check your internet connection\./);
  assert.deepEqual(connectionWords('connecting', 'server', { settled: true })[0], "Can't reach the chat server");
  assert.deepEqual(connectionWords('offline', 'server', { settled: false, wasOnline: true })[0], 'Reconnecting…');
  assert.deepEqual(connectionWords('connecting', '', {})[0], 'Connecting…');
  assert.deepEqual(connectionWords('failed', '', {})[0], 'Signed out · token refused');
});
