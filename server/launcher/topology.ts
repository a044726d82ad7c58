// The Redis side of the local cluster, in the mode REDIS_MODE names: one server (single), a
// primary, two replicas and three Sentinels (sentinel.ts), or a Redis Cluster of three primaries with
// a replica each (redis-cluster.ts). Either restarts a process that died
// after RESTART_DELAY_MS, like an orchestrator would, and describes itself for cluster.json.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from './redis-server.js';

export type RedisMode = 'single' | 'sentinel' | 'cluster';

export interface RedisNode { role: 'primary' | 'replica' | 'sentinel'; host: string; port: number; pid: number | null }

export type RedisEvent =
  | { kind: 'redis-exit'; role: RedisNode['role']; port: number; pid: number | null; code: number | null; signal: string | null }
  | { kind: 'redis-start'; role: RedisNode['role']; port: number; pid: number | null }
  | { kind: 'redis-failed'; role: RedisNode['role']; port: number; why: string }
  | { kind: 'failover'; from: string; to: string };

export interface TopologyOptions {
  /** Folder of the data (AOF) and configuration of every node (single mode: the AOF folder; none: no persistence). */
  dir?: string;
  /** AOF fsync policy of the data nodes (see RedisServerOptions.appendfsync). */
  appendfsync?: 'always' | 'everysec';
  restartDelayMs: number;
  detached?: boolean;
  /** Each node's log goes to a file here. */
  logDir?: string;
  onEvent?: (e: RedisEvent) => void;
}

export interface RedisTopology {
  readonly mode: RedisMode;
  start(): Promise<void>;
  /** Stops every process (no restart after this). */
  stop(): Promise<void>;
  /** The primary's URL: the one at start, then the newest the Sentinels named. */
  readonly url: string;
  /** What a gateway needs in its environment to reach the store. */
  gatewayEnv(): Record<string, string>;
  /** The `redis` object of cluster.json. */
  describe(): { url: string; pid: number | null; mode: RedisMode; nodes: RedisNode[]; sentinels?: string; name?: string; clusterNodes?: string };
  /** URL of the node that is primary now (asked of the Sentinels in sentinel mode). */
  primaryUrl(): Promise<string>;
}

/** Schedules a restart after `delayMs` unless stopped first; restarts that fail are retried. */
export class Restarter {
  private readonly timers = new Set<NodeJS.Timeout>();
  stopped = false;
  constructor(private readonly delayMs: number, private readonly failed: (e: unknown) => void) {}
  get enabled(): boolean { return this.delayMs > 0 && !this.stopped; }
  schedule(restart: () => Promise<void>): void {
    if (!this.enabled) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      restart().catch((e) => { this.failed(e); this.schedule(restart); });
    }, this.delayMs);
    this.timers.add(t);
  }
  stop(): void { this.stopped = true; for (const t of this.timers) clearTimeout(t); }
}

/** One Redis server with an append-only file, restarted when it dies. */
export class SingleRedis implements RedisTopology {
  readonly mode = 'single' as const;
  readonly server: RedisServer;
  private readonly restarter: Restarter;

  constructor(private readonly o: TopologyOptions) {
    this.server = new RedisServer({
      dataDir: o.dir, appendfsync: o.appendfsync, detached: o.detached, logFile: o.logDir && join(o.logDir, 'redis.log'),
      onDeath: (s, code, signal) => {
        o.onEvent?.({ kind: 'redis-exit', role: 'primary', port: s.port, pid: null, code, signal });
        this.restarter.schedule(() => this.startServer());
      },
    });
    this.restarter = new Restarter(o.restartDelayMs, (e) => o.onEvent?.({ kind: 'redis-failed', role: 'primary', port: this.server.port, why: String(e instanceof Error ? e.message : e) }));
  }

  get url(): string { return this.server.url; }
  async start(): Promise<void> { await this.startServer(); }
  private async startServer(): Promise<void> {
    await this.server.start();
    this.o.onEvent?.({ kind: 'redis-start', role: 'primary', port: this.server.port, pid: this.server.pid });
  }
  async stop(): Promise<void> { this.restarter.stop(); await this.server.stop(); }
  gatewayEnv(): Record<string, string> { return { REDIS_MODE: 'single' }; }
  describe() {
    const nodes: RedisNode[] = [{ role: 'primary', host: '127.0.0.1', port: this.server.port, pid: this.server.pid }];
    return { url: this.url, pid: this.server.pid, mode: this.mode, nodes };
  }
  async primaryUrl(): Promise<string> { return this.url; }
}

/** One short-lived connection to a node (a data node or a Sentinel), one question, bounded. */
export async function askNode<T>(a: { host: string; port: number }, q: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ ...a, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false, connectTimeout: 500, commandTimeout: 1000 });
  r.on('error', () => {});
  try {
    await r.connect();
    return await q(r);
  } finally {
    r.disconnect();
  }
}
