// A real SMTP server for tests: aiosmtpd with the handler in
// smtp_sink.py, which prints each delivered message (and refuses chosen
// recipients with 550 or 451). received() gives what arrived.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { root, waitFor, freePort } from './harness.mjs';

function canConnect(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export class Sink {
  // port: listen on this one (a sink restarted where chatd expects it).
  async start(args = [], port) {
    this.port = port || await freePort();
    this.lines = [];
    this.proc = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${this.port}`,
      '-c', 'smtp_sink.Sink', ...args], {
      env: { ...process.env, PYTHONPATH: join(root, 'tests', 'integration') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    this.proc.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
    await waitFor(() => this.proc.exitCode === null && canConnect(this.port),
      { timeout: 10000, what: 'the SMTP sink to listen' });
    return this;
  }

  // Messages received with this text in them, bytes as received.
  received(marker) {
    return this.lines.map((l) => ({ ...l, data: Buffer.from(l.data, 'base64') }))
      .filter((l) => l.data.includes(marker));
  }

  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

