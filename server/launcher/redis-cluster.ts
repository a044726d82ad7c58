// REDIS_MODE=cluster: a Redis Cluster of three primaries with one replica each, on loopback ports,
// created by `redis-cli --cluster create --cluster-replicas 1`. A change is safe once a replica
// has it (the gateways WAIT for that per shard); every node also fsyncs its AOF on every write, so
// that a killed primary restarted before its replica was promoted comes back with every write it
// acknowledged (a replica that resynced from it then loses nothing), and keeps
// `min-replicas-to-write 1` (a primary without its replica refuses writes within MAX_LAG_S).
// A node that died is started again after RESTART_DELAY_MS on its port with its nodes.conf: it
// rejoins, and an old primary whose replica took over comes back as that one's replica (the
// cluster tells it so). The ports are kept in the folder, so that `npm start` again restarts the
// same cluster with its data; when they are taken, or the folder is new, a fresh cluster is made.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freeClusterPorts, portFree } from './ports.js';
import { RedisServer } from './redis-server.js';
import { askNode, Restarter, type RedisNode, type RedisTopology, type TopologyOptions } from './topology.js';

const HOST = '127.0.0.1';
const NODES = 6;
/** cluster-node-timeout: a primary unreachable this long is failed over to its replica. */
export const CLUSTER_NODE_TIMEOUT_MS = 1500;
const MAX_LAG_S = 2;

interface DataNode { server: RedisServer; startedAs: 'primary' | 'replica' }

export class ClusterRedis implements RedisTopology {
  readonly mode = 'cluster' as const;
  readonly data: DataNode[] = [];
  private readonly restarter: Restarter;
  /** Ports of the primaries as last seen, for the launcher's failover announcements. */
  private primaries = new Set<number>();
  private watch: NodeJS.Timeout | null = null;

  constructor(private readonly o: TopologyOptions & { dir: string }) {
    this.restarter = new Restarter(o.restartDelayMs, (e) => o.onEvent?.({ kind: 'redis-failed', role: 'replica', port: 0, why: String(e instanceof Error ? e.message : e) }));
  }

  private get portsFile(): string { return join(this.o.dir, 'ports.json'); }

  async start(): Promise<void> {
    const kept = await this.keptPorts();
    if (!kept) rmSync(this.o.dir, { recursive: true, force: true });
    mkdirSync(this.o.dir, { recursive: true });
    const base = kept ? 0 : await freeClusterPorts(NODES);
    for (let i = 0; i < NODES; i++) {
      const node: DataNode = { startedAs: i < 3 ? 'primary' : 'replica', server: null as unknown as RedisServer };
      node.server = new RedisServer({
        port: kept ? kept[i] : base + i, dataDir: join(this.o.dir, `node-${i}`), appendfsync: this.o.appendfsync ?? 'always',
        detached: this.o.detached, logFile: this.o.logDir && join(this.o.logDir, `redis-${i}.log`),
        cluster: { nodeTimeoutMs: CLUSTER_NODE_TIMEOUT_MS }, minReplicas: { toWrite: 1, maxLagS: MAX_LAG_S },
        onDeath: (s, code, signal) => {
          this.o.onEvent?.({ kind: 'redis-exit', role: node.startedAs, port: s.port, pid: null, code, signal });
          this.restarter.schedule(async () => { await s.start(); this.started(node); });
        },
      });
      this.data.push(node);
    }
    await Promise.all(this.data.map(async (n) => { await n.server.start(); }));
    writeFileSync(this.portsFile, `${JSON.stringify(this.data.map((n) => n.server.port))}\n`);
    if (!kept) await this.create();
    await this.settled(30_000);
    await this.learnRoles();
    for (const n of this.data) this.started(n);
    this.primaries = new Set(this.data.filter((n) => n.startedAs === 'primary').map((n) => n.server.port));
    // the launcher's own view of the primaries, for its console and the chaos experiment: a replica promoted is announced once
    this.watch = setInterval(() => { void this.follow(); }, 500);
  }

  private async follow(): Promise<void> {
    const now = await this.primaryPorts();
    for (const port of now) {
      if (this.primaries.has(port)) continue;
      const gone = [...this.primaries].find((p) => !now.has(p));
      this.o.onEvent?.({ kind: 'failover', from: gone ? `${HOST}:${gone}` : 'a primary', to: `${HOST}:${port}` });
    }
    if (now.size) this.primaries = now;
  }

  /** The ports of the cluster last made in this folder, when they are all free again; else null. */
  private async keptPorts(): Promise<number[] | null> {
    if (!existsSync(this.portsFile)) return null;
    try {
      const ports = JSON.parse(readFileSync(this.portsFile, 'utf8')) as number[];
      if (ports.length !== NODES || !existsSync(join(this.o.dir, 'node-0', 'nodes.conf'))) return null;
      for (const p of ports) if (!(await portFree(p, HOST)) || !(await portFree(p + 10000, HOST))) return null;
      return ports;
    } catch { return null; }
  }

  /** redis-cli --cluster create: the first three nodes primaries, one replica each. */
  private create(): Promise<void> {
    const addrs = this.data.map((n) => `${HOST}:${n.server.port}`);
    return new Promise((resolve, reject) => {
      const p = spawn('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '1', '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      const t = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.on('error', (e) => { clearTimeout(t); reject(e); });
      p.on('exit', (code) => {
        clearTimeout(t);
        if (code === 0 && /All 16384 slots covered/.test(out)) resolve();
        else reject(new Error(`redis-cli --cluster create failed: ${out.trim().split('\n').filter((l) => /ERR|error|\[ERR/i.test(l)).pop() ?? `exit ${code}`}`));
      });
    });
  }

  /** Until every node says cluster_state:ok and every primary has a replica online. */
  private async settled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const states = await Promise.all(this.data.map((n) => this.ask(n.server.port, async (r) => ({
        ok: /cluster_state:ok/.test(String(await r.call('CLUSTER', 'INFO'))),
        role: String((await r.call('ROLE') as unknown[])[0]),
        replicas: Number(/connected_slaves:(\d+)/.exec(await r.info('replication'))?.[1] ?? 0),
      })).catch(() => null)));
      const primaries = states.filter((s) => s?.role === 'master');
      if (states.every((s) => s?.ok) && primaries.length === 3 && primaries.every((s) => s!.replicas >= 1)) return;
      last = JSON.stringify(states);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the Redis Cluster did not settle within ${timeoutMs / 1000} s (${last})`);
  }

  private async learnRoles(): Promise<void> {
    for (const n of this.data) {
      const role = await this.ask(n.server.port, async (r) => String((await r.call('ROLE') as unknown[])[0])).catch(() => null);
      if (role) n.startedAs = role === 'master' ? 'primary' : 'replica';
    }
  }

  private started(n: DataNode): void {
    this.o.onEvent?.({ kind: 'redis-start', role: n.startedAs, port: n.server.port, pid: n.server.pid });
  }

  /**
   * The data nodes that are primaries now, by the cluster's own view: the primaries of the slot map
   * (CLUSTER SLOTS) that most live nodes report. (A killed primary restarted before its replica was
   * promoted briefly calls itself a master; the others do not.) The chaos experiment kills one.
   */
  async currentPrimaries(): Promise<RedisServer[]> {
    const ports = await this.primaryPorts();
    return this.data.filter((n) => ports.has(n.server.port) && n.server.alive).map((n) => n.server);
  }

  /** The ports of the primaries in the slot map most live nodes report (a dead primary stays until it is failed over). */
  private async primaryPorts(): Promise<Set<number>> {
    const views = await Promise.all(this.data.map((n) => this.ask(n.server.port, async (r) => {
      const ranges = await r.call('CLUSTER', 'SLOTS') as [number, number, [string, number]][];
      return [...new Set(ranges.map((x) => Number(x[2][1])))].sort((a, b) => a - b).join(',');
    }).catch(() => null)));
    const votes = new Map<string, number>();
    for (const v of views) if (v) votes.set(v, (votes.get(v) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    return new Set((best ?? '').split(',').filter(Boolean).map(Number));
  }

  get url(): string { return `redis://${HOST}:${this.data[0]?.server.port ?? 0}`; }
  get nodeList(): string { return this.data.map((n) => `${HOST}:${n.server.port}`).join(','); }

  async primaryUrl(): Promise<string> {
    const p = (await this.currentPrimaries())[0];
    return p ? p.url : this.url;
  }

  async stop(): Promise<void> {
    this.restarter.stop();
    if (this.watch) clearInterval(this.watch);
    await Promise.all(this.data.map((n) => n.server.stop()));
  }

  gatewayEnv(): Record<string, string> { return { REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: this.nodeList }; }

  describe() {
    const nodes: RedisNode[] = this.data.map((n) => ({ role: n.startedAs, host: HOST, port: n.server.port, pid: n.server.pid }));
    return { url: this.url, pid: null, mode: this.mode, nodes, clusterNodes: this.nodeList };
  }

  private ask<T>(port: number, q: (r: Redis) => Promise<T>): Promise<T> { return askNode({ host: HOST, port }, q); }
}

export interface RunningRedisCluster {
  /** Every node with the role it was created with (pid of the process now). */
  nodes: RedisNode[];
  topology: ClusterRedis;
  /** host:port of every node, as REDIS_CLUSTER_NODES. */
  seeds: string;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster (3 primaries + 3 replicas) on free loopback ports in `dir`, resolved once whole
 * (every node cluster_state:ok, every primary with a replica online). For tests and tools; the
 * launcher uses ClusterRedis through its topology. `restartDelayMs` > 0 restarts a dead node.
 */
export async function startRedisCluster(o: { dir: string; log?: (line: string) => void; restartDelayMs?: number } & Partial<TopologyOptions>): Promise<RunningRedisCluster> {
  const topology = new ClusterRedis({ ...o, restartDelayMs: o.restartDelayMs ?? 0, dir: o.dir });
  try {
    await topology.start();
  } catch (e) {
    await topology.stop();
    throw e;
  }
  o.log?.(`redis cluster up: ${topology.nodeList}`);
  return { nodes: topology.describe().nodes, topology, seeds: topology.nodeList, stop: () => topology.stop() };
}
