// A TCP proxy in front of a Redis unix socket that can freeze a link: stop
// forwarding both ways while both sockets stay open, the half-open
// connection a dead NAT entry or a hung peer leaves behind (no FIN, no
// RST: the sender's writes keep succeeding). A link whose first command is
// (P|S)SUBSCRIBE is a subscriber link.
import { createServer, connect } from 'node:net';

const SUBSCRIBE_FIRST = /^\*\d+\r\n\$\d+\r\n[PS]?SUBSCRIBE\r\n/i;

export class RedisProxy {
  constructor(redisSock) {
    this.redisSock = redisSock;
    this.links = [];
  }
  async start() {
    this.server = createServer((client) => this.accept(client));
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `redis://127.0.0.1:${this.server.address().port}`;
    return this;
  }
  accept(client) {
    const upstream = connect({ path: this.redisSock });
    const link = { client, upstream, frozen: false, subscriber: null, closed: false };
    this.links.push(link);
    client.on('data', (d) => {
      if (link.subscriber === null) link.subscriber = SUBSCRIBE_FIRST.test(d.toString('latin1'));
      if (!link.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!link.frozen) client.write(d);
    });
    const close = () => {
      link.closed = true;
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('close', close);
      s.on('error', () => {});
    }
  }
  subscribers() { return this.links.filter((l) => l.subscriber); }
  // Freezes every open subscriber link; returns how many.
  freezeSubscribers() {
    const open = this.subscribers().filter((l) => !l.closed);
    for (const l of open) l.frozen = true;
    return open.length;
  }
  async stop() {
    for (const l of this.links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }
}
