// The bench's clusters: one for play, latency and watch (`--gateways`), one for idle sized so that
// no gateway holds more connections than its open-file cap allows; the forced full GC in every
// gateway before a memory reading; and the pinning of gateways and Redis to some CPUs (taskset).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../server/launcher/cluster.js';
import { freePortRange } from '../../server/launcher/ports.js';
import { collectGarbage, inspectorUrl } from './gc.js';
import type { Transport } from './report.js';

/** Open files a gateway needs besides its client sockets (Redis, logs, the inspector, listeners). */
export const GATEWAY_FILE_MARGIN = 300;
/** Idle connections per gateway unless told otherwise: 100,000 over 6 gateways of ~16,700. */
export const IDLE_PER_GATEWAY = 17_000;

export interface BenchClusterOptions {
  transport: Transport;
  gateways: number;
  store: { mode: 'single' | 'sentinel' | 'cluster'; appendfsync: 'always' | 'everysec' };
  /** --cpu-prof into the cluster's folder's profiles/. */
  profile?: boolean;
  /** CPUs for taskset -c (e.g. "0"): the gateways and Redis run only there. */
  cpus?: string;
  log(s: string): void;
}

export interface BenchCluster { cluster: Cluster; dir: string; profDir?: string; urls: string[]; settle(): Promise<void>; pinned: string[] }

export async function startBenchCluster(o: BenchClusterOptions): Promise<BenchCluster> {
  // a port of the free range taken meanwhile by another process, or a gateway too slow to start on a
  // loaded machine: a new cluster on new ports, at most 3 times
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o);
    } catch (e) {
      if (attempt >= 3) throw e;
      o.log(`  the cluster did not start (${e instanceof Error ? e.message : String(e)}): again on other ports`);
    }
  }
}

async function startOnce(o: BenchClusterOptions): Promise<BenchCluster> {
  const dir = mkdtempSync(join(tmpdir(), `trine-bench-${o.transport}-`));
  const profDir = o.profile ? join(dir, 'profiles') : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const cluster = new Cluster({
    gateways: o.gateways, host: '127.0.0.1', basePort: await freePortRange(o.gateways), restartDelayMs: 0,
    redisMode: o.store.mode, appendfsync: o.store.appendfsync, redisDataDir: join(dir, 'redis'),
    // bots of a few games move far faster than people: the per-connection rate limit is lifted
    env: { TRANSPORT: o.transport, LOG_LEVEL: 'warn', RATE_PER_S: '100000', RATE_BURST: '100000' },
    // the inspector lets the idle scenario force a full GC before each memory reading
    nodeArgs: ['--inspect=127.0.0.1:0', ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
    clusterFile: null, logDir: join(dir, 'logs'),
  });
  o.log(`${o.transport}: starting ${o.gateways} gateways, Redis ${{ single: 'single', sentinel: 'primary + 2 replicas + 3 Sentinels', cluster: 'Cluster of 3 primaries + 3 replicas' }[o.store.mode]} (AOF appendfsync ${o.store.appendfsync}) (logs in ${dir})`);
  try {
    await cluster.start();
  } catch (e) {
    await cluster.stop(); // a gateway that could not start: its Redis and the others stop too
    throw e;
  }
  const pinned = o.cpus ? pin(cluster, o.cpus, o.log) : [];
  const settle = async () => {
    const done = await Promise.all(cluster.gateways.map(async (g) => {
      const url = inspectorUrl(join(dir, 'logs', `${g.id}.log`));
      return url !== null && (await collectGarbage(url));
    }));
    if (done.some((d) => !d)) o.log('  (could not force a GC in every gateway: memory includes garbage)');
  };
  return { cluster, dir, profDir, urls: cluster.gateways.map((g) => g.ws), settle, pinned };
}

/** Pins every thread of Redis and of each gateway to `cpus` (taskset -a -p -c); returns what was pinned. */
function pin(cluster: Cluster, cpus: string, log: (s: string) => void): string[] {
  const d = cluster.describe();
  const procs = [...d.redis.nodes.map((n) => ({ what: `redis:${n.port}`, pid: n.pid })), ...d.gateways.map((g) => ({ what: g.id, pid: g.pid }))];
  const done: string[] = [];
  for (const p of procs) {
    if (!p.pid) continue;
    const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(p.pid)], { encoding: 'utf8' });
    if (r.status === 0) done.push(`${p.what} (pid ${p.pid})`); else log(`  could not pin ${p.what} (pid ${p.pid}) to CPU ${cpus}: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  log(`  pinned to CPU ${cpus}: ${done.join(', ')}`);
  return done;
}

/** The idle cluster's gateways: enough that none holds more than `perGateway` connections. */
export const idleGateways = (connections: number, perGateway = IDLE_PER_GATEWAY): number => Math.max(1, Math.ceil(connections / perGateway));
