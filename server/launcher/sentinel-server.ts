// A redis-sentinel process of our own on a loopback port. Its configuration file is written once;
// Sentinel rewrites it with what it learns (the current primary, the replicas, the other
// Sentinels, the epoch), so a restarted Sentinel starts from what it knew.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { RedisProcess, ServerOnPort } from './redis-process.js';

/** Failure detection in seconds, not the default 30 s: a primary silent this long is down (ms). */
export const DOWN_AFTER_MS = 1000;
/** How long a failover may take before another Sentinel tries (and twice it, before the same primary is failed over again). */
export const FAILOVER_TIMEOUT_MS = 3000;

export interface SentinelServerOptions {
  dir: string;
  /** The name the primary is monitored under (REDIS_SENTINEL_NAME). */
  name: string;
  /** The primary to monitor at first start. */
  primary: { host: string; port: number };
  quorum: number;
  port?: number;
  detached?: boolean;
  logFile?: string;
  onDeath?: (s: SentinelServer, code: number | null, signal: string | null) => void;
}

export class SentinelServer extends ServerOnPort {
  constructor(private readonly o: SentinelServerOptions) { super(); }

  get address(): { host: string; port: number } { return { host: '127.0.0.1', port: this.port }; }

  async start(): Promise<void> {
    this.port ||= this.o.port ?? await freePort();
    mkdirSync(this.o.dir, { recursive: true });
    const conf = join(this.o.dir, `sentinel-${this.port}.conf`);
    if (!existsSync(conf)) {
      const { name, primary } = this.o;
      writeFileSync(conf, [
        `port ${this.port}`, 'bind 127.0.0.1', 'protected-mode no', 'daemonize no', `dir ${this.o.dir}`,
        `sentinel monitor ${name} ${primary.host} ${primary.port} ${this.o.quorum}`,
        `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${name} 1`, '',
      ].join('\n'));
    }
    const p = new RedisProcess({
      bin: 'redis-sentinel', args: [conf, '--loglevel', 'notice'], label: `redis-sentinel on port ${this.port}`,
      logFile: this.o.logFile, detached: this.o.detached, connect: { host: '127.0.0.1', port: this.port },
    }, (proc, code, signal) => { if (!proc.stopping) this.o.onDeath?.(this, code, signal); });
    this.current = p;
    await p.ready();
  }
}
