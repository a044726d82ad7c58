// A Redis server process of our own, on a free loopback port, for the local cluster and the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { redisTls } from '../redis.js';
import { freePort } from './ports.js';

export interface RedisServerOptions {
  port?: number;
  /** Folder for the AOF file; persistence is off without it. */
  dataDir?: string;
  password?: string;
  /** Serve TLS only (rediss://) with this certificate and key; clients verify it against `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  bin?: string;
  /** Start as a replica of the Redis on this loopback port (asynchronous replication). */
  replicaOf?: number;
  /** In a process group of its own: a Ctrl-C meant for the launcher does not stop Redis before the gateways drained. */
  detached?: boolean;
}

export class RedisServer {
  proc: ChildProcess | null = null;
  port = 0;
  constructor(private readonly o: RedisServerOptions = {}) {}

  get url(): string {
    return `${this.o.tls ? 'rediss' : 'redis'}://${this.o.password ? `:${encodeURIComponent(this.o.password)}@` : ''}127.0.0.1:${this.port}`;
  }
  get pid(): number | null { return this.proc?.pid ?? null; }

  async start(): Promise<void> {
    this.port ||= this.o.port ?? await freePort();
    const args = ['--port', this.o.tls ? '0' : String(this.port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
      '--maxclients', '60000', '--protected-mode', 'no'];
    if (this.o.dataDir) {
      mkdirSync(this.o.dataDir, { recursive: true });
      args.push('--dir', this.o.dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec');
    } else {
      args.push('--appendonly', 'no');
    }
    if (this.o.password) args.push('--requirepass', this.o.password);
    if (this.o.replicaOf) args.push('--replicaof', '127.0.0.1', String(this.o.replicaOf));
    if (this.o.tls) {
      const t = this.o.tls;
      args.push('--tls-port', String(this.port), '--tls-cert-file', t.certFile, '--tls-key-file', t.keyFile,
        '--tls-ca-cert-file', t.caFile, '--tls-auth-clients', 'no');
    }
    this.proc = spawn(this.o.bin ?? 'redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'], detached: this.o.detached ?? false });
    const exited = new Promise<never>((_, reject) => this.proc!.once('exit', (code) => reject(new Error(`redis-server exited (${code})`))));
    exited.catch(() => {});
    await Promise.race([this.waitReady(), exited]);
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...redisTls(this.url, this.o.tls?.caFile) });
      r.on('error', () => {});
      try {
        await r.connect();
        if ((await r.ping()) === 'PONG') { r.disconnect(); return; }
      } catch { /* not yet */ }
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 10 s`);
  }

  /** Stops the server (SIGTERM: it writes its AOF) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise<void>((res) => p.once('exit', () => res()));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
    this.proc = null;
  }
}
