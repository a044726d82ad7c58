// REDIS_MODE=sentinel: a primary, two replicas and three Sentinels on loopback ports, each data node
// with an append-only file and `min-replicas-to-write 1` (an isolated primary refuses writes
// within MAX_LAG_S), the Sentinels (quorum 2) tuned to fail over within seconds. A process that
// died is started again after RESTART_DELAY_MS; a data node always as a replica of the primary the
// Sentinels name now (so an old primary can never come back as a second primary), or as the
// primary only when the Sentinels still name it and no failover is under way.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { RedisServer } from './redis-server.js';
import { DOWN_AFTER_MS, FAILOVER_TIMEOUT_MS, SentinelServer } from './sentinel-server.js';
import { askNode, Restarter, type RedisNode, type RedisTopology, type TopologyOptions } from './topology.js';

export const SENTINEL_NAME = 'trine';
const QUORUM = 2;
/** min-replicas-max-lag: a replica counts for writes while it acknowledged within this many seconds. */
const MAX_LAG_S = 2;
const HOST = '127.0.0.1';

type Addr = { host: string; port: number };
const key = (a: Addr) => `${a.host}:${a.port}`;

interface DataNode { server: RedisServer; startedAs: 'primary' | 'replica' }

export class SentinelRedis implements RedisTopology {
  readonly mode = 'sentinel' as const;
  readonly data: DataNode[] = [];
  readonly sentinels: SentinelServer[] = [];
  private readonly restarter: Restarter;
  private primary: Addr = { host: HOST, port: 0 };
  private watch: NodeJS.Timeout | null = null;

  constructor(private readonly o: TopologyOptions & { dir: string }) {
    this.restarter = new Restarter(o.restartDelayMs, (e) => this.o.onEvent?.({ kind: 'redis-failed', role: 'replica', port: 0, why: String(e instanceof Error ? e.message : e) }));
    for (let i = 0; i < 3; i++) {
      const node: DataNode = { startedAs: i === 0 ? 'primary' : 'replica', server: null as unknown as RedisServer };
      node.server = new RedisServer({
        dataDir: join(o.dir, `redis-${i}`), appendfsync: o.appendfsync, detached: o.detached, logFile: o.logDir && join(o.logDir, `redis-${i}.log`),
        minReplicas: { toWrite: 1, maxLagS: MAX_LAG_S },
        onDeath: (s, code, signal) => {
          this.o.onEvent?.({ kind: 'redis-exit', role: node.startedAs, port: s.port, pid: null, code, signal });
          this.restarter.schedule(() => this.restartData(node));
        },
      });
      this.data.push(node);
    }
  }

  get url(): string { return `redis://${key(this.primary)}`; }
  get sentinelList(): string { return this.sentinels.map((s) => key(s.address)).join(','); }

  /**
   * Starts the group. The node that was primary when the folder was last used starts as the
   * primary (it has every write; the others catch up from it); the Sentinels' configurations of
   * that run named its ports and are written afresh.
   */
  async start(): Promise<void> {
    rmSync(join(this.o.dir, 'sentinel'), { recursive: true, force: true });
    const last = this.lastPrimary();
    const first = this.data[last];
    first.startedAs = 'primary';
    const replicas = this.data.filter((n) => n !== first);
    for (const n of replicas) n.startedAs = 'replica';
    await first.server.start();
    this.primary = { host: HOST, port: first.server.port };
    this.started(first);
    await Promise.all(replicas.map(async (n) => { await n.server.start(this.primary); this.started(n); }));
    for (let i = 0; i < 3; i++) {
      const s: SentinelServer = new SentinelServer({
        dir: join(this.o.dir, 'sentinel'), name: SENTINEL_NAME, primary: this.primary, quorum: QUORUM, detached: this.o.detached,
        logFile: this.o.logDir && join(this.o.logDir, `sentinel-${i}.log`),
        onDeath: (_s, code, signal) => {
          this.o.onEvent?.({ kind: 'redis-exit', role: 'sentinel', port: s.port, pid: null, code, signal });
          this.restarter.schedule(async () => { await s.start(); this.o.onEvent?.({ kind: 'redis-start', role: 'sentinel', port: s.port, pid: s.pid }); });
        },
      });
      this.sentinels.push(s);
    }
    await Promise.all(this.sentinels.map(async (s) => { await s.start(); this.o.onEvent?.({ kind: 'redis-start', role: 'sentinel', port: s.port, pid: s.pid }); }));
    await this.settled(20_000);
    // the launcher's own view of the primary, for cluster.json and its console: a failover is announced once
    this.watch = setInterval(() => { void this.follow(); }, 1000);
  }

  private get lastPrimaryFile(): string { return join(this.o.dir, 'last-primary'); }

  /** Index of the data node that was primary last in this folder (0 the first time). */
  private lastPrimary(): number {
    const i = existsSync(this.lastPrimaryFile) ? Number(readFileSync(this.lastPrimaryFile, 'utf8').trim()) : 0;
    return Number.isInteger(i) && i >= 0 && i < this.data.length ? i : 0;
  }

  private started(n: DataNode): void {
    this.o.onEvent?.({ kind: 'redis-start', role: n.startedAs, port: n.server.port, pid: n.server.pid });
  }

  /** Until the primary has both replicas online and every Sentinel knows both replicas and the two other Sentinels. */
  private async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const views = await Promise.all(this.sentinels.map((s) => this.ask(s.address, (r) => r.call('SENTINEL', 'MASTER', SENTINEL_NAME)).catch(() => null)));
      const ok = views.every((v) => {
        const m = v ? pairs(v as string[]) : null;
        return m && Number(m['num-slaves']) >= 2 && Number(m['num-other-sentinels']) >= 2 && !/down/.test(m.flags);
      });
      const online = await this.ask(this.primary, (r) => r.info('replication')).then((i) => (i.match(/state=online/g) ?? []).length, () => 0);
      if (ok && online >= 2) return;
      last = `${online} replicas online; Sentinels: ${JSON.stringify(views.map((v) => (v ? pairs(v as string[]).flags : 'no answer')))}`;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the Sentinel group did not settle within ${timeoutMs / 1000} s (${last})`);
  }

  /** The primary the Sentinels name now (the first that answers), and whether a failover is under way. */
  async askPrimary(): Promise<{ addr: Addr; failingOver: boolean } | null> {
    for (const s of this.sentinels) {
      try {
        const m = pairs(await this.ask(s.address, (r) => r.call('SENTINEL', 'MASTER', SENTINEL_NAME)) as string[]);
        return { addr: { host: m.ip, port: Number(m.port) }, failingOver: /o_down|failover/.test(m.flags) };
      } catch { /* the next one */ }
    }
    return null;
  }

  async primaryUrl(): Promise<string> {
    const p = await this.askPrimary();
    return `redis://${key(p?.addr ?? this.primary)}`;
  }

  /** The data node that is primary now (by the Sentinels), for the chaos experiment's primary-kill. */
  async currentPrimary(): Promise<RedisServer | null> {
    const p = await this.askPrimary();
    return this.data.find((n) => p && n.server.port === p.addr.port)?.server ?? null;
  }

  private async follow(): Promise<void> {
    const p = await this.askPrimary();
    if (!p || key(p.addr) === key(this.primary)) return;
    const from = key(this.primary);
    this.primary = p.addr;
    const i = this.data.findIndex((n) => n.server.port === p.addr.port);
    if (i >= 0) writeFileSync(this.lastPrimaryFile, `${i}\n`);
    this.o.onEvent?.({ kind: 'failover', from, to: key(p.addr) });
  }

  /**
   * Starts a data node again: as a replica of the primary the Sentinels name, or (when they still
   * name this very node and no failover is under way, or none came within the time a failover
   * takes) as the primary with its own AOF.
   */
  private async restartData(n: DataNode): Promise<void> {
    const deadline = Date.now() + DOWN_AFTER_MS + 2 * FAILOVER_TIMEOUT_MS;
    let p = await this.askPrimary();
    while (p && p.addr.port === n.server.port && p.failingOver && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      p = await this.askPrimary();
    }
    if (this.restarter.stopped) return;
    const target = p?.addr ?? this.primary; // no Sentinel answers: the primary they named last
    const self = target.port === n.server.port;
    n.startedAs = self ? 'primary' : 'replica';
    await n.server.start(self ? undefined : target);
    this.started(n);
  }

  async stop(): Promise<void> {
    this.restarter.stop();
    if (this.watch) clearInterval(this.watch);
    await Promise.all(this.sentinels.map((s) => s.stop()));
    await Promise.all(this.data.map((n) => n.server.stop()));
  }

  gatewayEnv(): Record<string, string> {
    return { REDIS_MODE: 'sentinel', REDIS_SENTINELS: this.sentinelList, REDIS_SENTINEL_NAME: SENTINEL_NAME };
  }

  describe() {
    const nodes: RedisNode[] = [
      ...this.data.map((n) => ({ role: n.startedAs, host: HOST, port: n.server.port, pid: n.server.pid })),
      ...this.sentinels.map((s) => ({ role: 'sentinel' as const, host: HOST, port: s.port, pid: s.pid })),
    ];
    const primary = this.data.find((n) => n.server.port === this.primary.port);
    return { url: this.url, pid: primary?.server.pid ?? null, mode: this.mode, nodes, sentinels: this.sentinelList, name: SENTINEL_NAME };
  }

  private ask<T>(a: Addr, q: (r: Redis) => Promise<T>): Promise<T> { return askNode(a, q); }
}

/** A flat [k1, v1, k2, v2...] reply as an object. */
function pairs(a: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[a[i]] = a[i + 1];
  return o;
}
