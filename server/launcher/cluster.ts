// The local cluster: Redis in the mode asked for (unless one is given) and N gateway processes on
// HOST:PORT+i, every process restarted after RESTART_DELAY_MS when killed, described in
// .run/cluster.json. Used by `npm start`, the tests, the load bench and the chaos experiment.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisServer } from './redis-server.js';
import { ClusterRedis } from './redis-cluster.js';
import { SentinelRedis } from './sentinel.js';
import { SingleRedis, type RedisEvent, type RedisMode, type RedisTopology } from './topology.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ClusterOptions {
  gateways: number;
  host: string;
  basePort: number;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  /** single (default): one Redis; sentinel: a primary, two replicas and three Sentinels; cluster: 3 primaries + 3 replicas. */
  redisMode?: RedisMode;
  /**
   * Persist the started Redis with AOF in this folder (single mode; none: no persistence). In
   * sentinel mode every node's data and configuration go under it (default: a temporary folder).
   */
  redisDataDir?: string;
  /** AOF fsync policy of the started Redis (default always; everysec only for the benchmark). */
  appendfsync?: 'always' | 'everysec';
  restartDelayMs: number;
  /** Extra environment for every gateway (TRANSPORT, TURN_MS...). */
  env?: Record<string, string>;
  /** Extra environment for gateway i, over `env` (e.g. a different TRANSPORT per gateway). */
  gatewayEnv?: (index: number) => Record<string, string>;
  /** Extra node options for every gateway process (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Where cluster.json is written (null: not written). */
  clusterFile?: string | null;
  logDir?: string;
  /**
   * Start Redis and every gateway in process groups of their own (`npm start`): a Ctrl-C in the
   * terminal then reaches the launcher only, which drains the gateways before it stops Redis.
   */
  ownProcessGroups?: boolean;
  onEvent?: (e: ClusterEvent) => void;
}

export type ClusterEvent =
  | { kind: 'gateway-exit'; id: string; pid: number; code: number | null; signal: string | null }
  | { kind: 'gateway-start'; id: string; pid: number }
  | { kind: 'gateway-ready'; id: string }
  | { kind: 'redis'; e: RedisEvent };

export interface GatewayProc { id: string; index: number; port: number; url: string; ws: string; proc: ChildProcess; restarts: number }

export class Cluster {
  readonly gateways: GatewayProc[] = [];
  topology: RedisTopology | null = null;
  redisUrl = '';
  private stopping = false;
  private readonly restartTimers = new Set<NodeJS.Timeout>();

  constructor(readonly o: ClusterOptions) {}

  /** The Redis server of single mode (null in sentinel mode, or with a given redisUrl). */
  get redis(): RedisServer | null { return this.topology instanceof SingleRedis ? this.topology.server : null; }

  async start(): Promise<void> {
    if (this.o.logDir) mkdirSync(this.o.logDir, { recursive: true });
    if (this.o.redisUrl) this.redisUrl = this.o.redisUrl;
    else {
      const o = {
        appendfsync: this.o.appendfsync, restartDelayMs: this.o.restartDelayMs, detached: this.o.ownProcessGroups, logDir: this.o.logDir,
        onEvent: (e: RedisEvent) => { this.o.onEvent?.({ kind: 'redis', e }); if (e.kind !== 'redis-exit') this.write(); },
      };
      const dir = (name: string) => this.o.redisDataDir ?? mkdtempSync(join(tmpdir(), `trine-${name}-`));
      this.topology = this.o.redisMode === 'sentinel' ? new SentinelRedis({ ...o, dir: dir('sentinel') })
        : this.o.redisMode === 'cluster' ? new ClusterRedis({ ...o, dir: dir('rcluster') })
        : new SingleRedis({ ...o, dir: this.o.redisDataDir });
      await this.topology.start();
      this.redisUrl = this.topology.url;
    }
    for (let i = 0; i < this.o.gateways; i++) {
      const port = this.o.basePort + i;
      const id = `gw-${i}`;
      const g: GatewayProc = { id, index: i, port, url: `http://${this.o.host}:${port}`, ws: `ws://${this.o.host}:${port}/ws`, proc: null as unknown as ChildProcess, restarts: 0 };
      this.gateways.push(g);
      this.spawn(g);
    }
    this.write();
    await Promise.all(this.gateways.map((g) => this.waitReady(g)));
  }

  private spawn(g: GatewayProc): void {
    const env = {
      ...process.env, ...this.topology?.gatewayEnv(), ...this.o.env, ...this.o.gatewayEnv?.(g.index),
      HOST: this.o.host, PORT: String(g.port), GATEWAY_ID: g.id, REDIS_URL: this.redisUrl,
    };
    const proc = spawn(process.execPath, [...(this.o.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'server', 'main.ts')], {
      cwd: ROOT, env, stdio: ['ignore', this.o.logDir ? 'pipe' : 'ignore', 'pipe'], detached: this.o.ownProcessGroups ?? false,
    });
    if (this.o.logDir) {
      const out = createWriteStream(join(this.o.logDir, `${g.id}.log`), { flags: 'a' });
      proc.stdout!.pipe(out);
      proc.stderr!.pipe(out);
    } else {
      proc.stderr!.on('data', (d) => process.stderr.write(`[${g.id}] ${d}`));
    }
    g.proc = proc;
    this.o.onEvent?.({ kind: 'gateway-start', id: g.id, pid: proc.pid! });
    proc.once('exit', (code, signal) => {
      this.o.onEvent?.({ kind: 'gateway-exit', id: g.id, pid: proc.pid!, code, signal });
      if (this.stopping || g.proc !== proc || this.o.restartDelayMs <= 0) return;
      const t = setTimeout(() => {
        this.restartTimers.delete(t);
        if (this.stopping) return;
        g.restarts++;
        this.spawn(g);
        this.write();
        this.waitReady(g).catch(() => {});
      }, this.o.restartDelayMs);
      this.restartTimers.add(t);
    });
  }

  /** Resolves when the gateway answers /readyz 200 (bounded: 20 s). */
  async waitReady(g: GatewayProc, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.stopping) {
      if (!this.alive(g)) {
        if (this.o.restartDelayMs <= 0) throw new Error(`gateway ${g.id} exited while starting (see its log)`);
        await new Promise((r) => setTimeout(r, 100)); // the launcher restarts it
        continue;
      }
      const ok = await fetch(`${g.url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
      if (ok) { this.o.onEvent?.({ kind: 'gateway-ready', id: g.id }); return; }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`gateway ${g.id} not ready within ${timeoutMs} ms`);
  }

  describe() {
    return {
      redis: this.topology?.describe() ?? { url: this.redisUrl, pid: null, mode: 'single' as const, nodes: [] },
      gateways: this.gateways.map((g) => ({ id: g.id, pid: g.proc.pid!, url: g.url, ws: g.ws })),
    };
  }

  write(): void {
    if (!this.o.clusterFile || this.stopping) return;
    mkdirSync(dirname(this.o.clusterFile), { recursive: true });
    const tmp = `${this.o.clusterFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.describe(), null, 2)}\n`, { mode: 0o600 }); // holds REDIS_URL, credentials included
    renameSync(tmp, this.o.clusterFile);
  }

  alive(g: GatewayProc): boolean { return g.proc.exitCode === null && g.proc.signalCode === null; }

  kill(g: GatewayProc, signal: NodeJS.Signals = 'SIGKILL'): void { if (this.alive(g)) g.proc.kill(signal); }

  /** A connection URL of the node that is the primary now (asked of the Sentinels in sentinel mode). */
  async primaryUrl(): Promise<string> { return this.topology ? this.topology.primaryUrl() : this.redisUrl; }

  /** Stops every gateway (SIGTERM: drain, then SIGKILL after 12 s) and the Redis it started. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.restartTimers) clearTimeout(t);
    await Promise.all(this.gateways.map(async (g) => {
      if (!this.alive(g)) return;
      const done = new Promise<void>((res) => g.proc.once('exit', () => res()));
      g.proc.kill('SIGTERM');
      const t = setTimeout(() => g.proc.kill('SIGKILL'), 12_000);
      await done;
      clearTimeout(t);
    }));
    await this.topology?.stop();
    if (this.o.clusterFile) rmSync(this.o.clusterFile, { force: true });
  }
}
