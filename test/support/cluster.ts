// A cluster for one test file: its own Redis and N gateways on free ports, stopped at the end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../../server/launcher/cluster.js';
import { freePortRange } from '../../server/launcher/ports.js';

// every script call and plain command of the Store keeps to one slot (server/store/scripts.ts checkSlots)
process.env.TRINE_CHECK_SLOTS ??= '1';

export interface TestClusterOptions {
  gateways?: number;
  /** Every gateway's transport, or 'mixed': even gateways uws, odd ones ws (one Redis for all). */
  transport?: 'uws' | 'ws' | 'mixed';
  env?: Record<string, string>;
  restartDelayMs?: number;
  redisUrl?: string;
  redisDataDir?: string;
  /** single (default), sentinel (a primary, two replicas and three Sentinels) or cluster (3 primaries + 3 replicas). */
  redisMode?: 'single' | 'sentinel' | 'cluster';
}

export async function startCluster(o: TestClusterOptions = {}): Promise<Cluster & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-test-'));
  const n = o.gateways ?? 3;
  const cluster = new Cluster({
    gateways: n, host: '127.0.0.1', basePort: await freePortRange(n), restartDelayMs: o.restartDelayMs ?? 0,
    redisUrl: o.redisUrl, redisDataDir: o.redisDataDir, redisMode: o.redisMode,
    env: { TRANSPORT: o.transport === 'mixed' ? 'uws' : o.transport ?? 'uws', LOG_LEVEL: 'info', ...o.env },
    gatewayEnv: o.transport === 'mixed' ? (i) => ({ TRANSPORT: i % 2 ? 'ws' : 'uws' }) : undefined,
    clusterFile: join(dir, 'cluster.json'), logDir: join(dir, 'logs'),
  });
  try {
    await cluster.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return Object.assign(cluster, { dir });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
