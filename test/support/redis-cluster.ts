// A Redis Cluster (3 primaries + 3 replicas) for one test file, on free loopback ports in a temp
// folder, through the launcher's startRedisCluster; stop() ends every node and removes the folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisCluster, type RunningRedisCluster } from '../../server/launcher/redis-cluster.js';
import type { RedisEvent } from '../../server/launcher/topology.js';

export interface TestRedisCluster extends RunningRedisCluster {
  dir: string;
  /** host:port of the nodes created as primaries (seeds for new Redis.Cluster(...)). */
  primaries: { host: string; port: number }[];
}

export async function startTestRedisCluster(o: { restartDelayMs?: number; onEvent?: (e: RedisEvent) => void } = {}): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-rc-'));
  const c = await startRedisCluster({ dir, ...o }).catch((e) => { rmSync(dir, { recursive: true, force: true }); throw e; });
  const stop = async () => { await c.stop(); rmSync(dir, { recursive: true, force: true }); };
  return { ...c, stop, dir, primaries: c.nodes.filter((n) => n.role === 'primary').map(({ host, port }) => ({ host, port })) };
}
