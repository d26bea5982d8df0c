// A loopback TCP proxy the browser tests own, to cut a client's connection
// to chatd the way a flaky network does. Chromium's offline mode does not
// close an open WebSocket, so the widget connects to this proxy instead of
// chatd, and the test can:
//   stall()    stop forwarding server->client bytes (the client's frames still
//              reach chatd, its acks and events are lost): a lost ack;
//   cut()      reset every current connection and refuse new ones;
//   restore()  forward again and accept new connections.
// `accepted` counts the connections forwarded to chatd, so a test can prove
// the client really reconnected; `refused` counts the ones turned away.
import net from 'node:net';

export class TcpProxy {
  constructor(targetPort, targetHost = '127.0.0.1') {
    this.targetPort = targetPort;
    this.targetHost = targetHost;
    this.accepting = true;
    this.stalled = false;
    this.accepted = 0;
    this.refused = 0;
    this.pairs = new Set();
    this.server = net.createServer((client) => this.onConnection(client));
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  onConnection(client) {
    client.on('error', () => {});
    if (!this.accepting) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    upstream.on('error', () => {});
    client.on('data', (d) => { if (!upstream.destroyed) upstream.write(d); });
    upstream.on('data', (d) => { if (!this.stalled && !client.destroyed) client.write(d); });
    const drop = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
  }

  get open() { return this.pairs.size; }

  stall() { this.stalled = true; }

  cut() {
    this.accepting = false;
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
  }

  restore() {
    this.stalled = false;
    this.accepting = true;
  }

  async stop() {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
