// `node --import tsx load/bench/durability-cost.ts [GAMES] [SECONDS]`: what the durability rule
// costs. Runs the `play` load scenario against 2 gateways on (1) one Redis with AOF fsync every
// second (the old setting, not durable), (2) one Redis with appendfsync always (REDIS_MODE=single),
// (3) the launcher's Sentinel topology (REDIS_MODE=sentinel: fence + WAIT per batch, outbox delivery).
// Prints moves/s and the move latency percentiles of each. Everything it starts, it stops.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Cluster, ROOT } from '../../server/launcher/cluster.js';
import { freePortRange } from '../../server/launcher/ports.js';
import { RedisServer } from '../../server/launcher/redis-server.js';
import { SentinelRedis } from '../../server/launcher/sentinel.js';

const games = process.argv[2] ?? '50';
const seconds = process.argv[3] ?? '10';

async function run(name: string, redisUrl: string, env: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-dur-'));
  const cluster = new Cluster({
    gateways: 2, host: '127.0.0.1', basePort: await freePortRange(2), restartDelayMs: 0, redisUrl,
    env: { LOG_LEVEL: 'warn', ...env }, clusterFile: join(dir, 'cluster.json'), logDir: join(dir, 'logs'),
  });
  await cluster.start();
  try {
    const json = join(dir, 'report.json');
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'load', 'cli.ts'), '--url', cluster.gateways.map((g) => g.ws).join(','),
      '--games', games, '--duration', seconds, '--json', json, '--quiet'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const r = JSON.parse(readFileSync(json, 'utf8')) as { moves_per_s: number; move_latency_ms: Record<string, number>; errors: Record<string, number> };
    console.log(`${name.padEnd(36)} ${Math.round(r.moves_per_s)} moves/s  move ms ${JSON.stringify(r.move_latency_ms)}  errors ${JSON.stringify(r.errors)}`);
  } finally {
    await cluster.stop();
  }
}

async function withRedis(o: { fsync: 'everysec' | 'always' }, fn: (url: string) => Promise<void>): Promise<void> {
  const server = new RedisServer({ dataDir: mkdtempSync(join(tmpdir(), 'trine-aof-')), appendfsync: o.fsync });
  await server.start();
  try { await fn(server.url); } finally { await server.stop(); }
}

await withRedis({ fsync: 'everysec' }, (url) => run('single, appendfsync everysec (old)', url, { REDIS_MODE: 'single' }));
await withRedis({ fsync: 'always' }, (url) => run('single, appendfsync always', url, { REDIS_MODE: 'single' }));
// the launcher's topology: a primary, two replicas (AOF always, min-replicas-to-write 1), three Sentinels
const sentinels = new SentinelRedis({ dir: mkdtempSync(join(tmpdir(), 'trine-sentinel-')), restartDelayMs: 0 });
await sentinels.start();
try {
  await run('sentinel: fence + WAIT, outbox', sentinels.url, { ...sentinels.gatewayEnv(), REDIS_MODE: 'sentinel' });
  // batching: WAITs per script call (one WAIT serves every caller that arrived during the round before)
  const r = new Redis(await sentinels.primaryUrl());
  const stats = await r.info('commandstats');
  r.disconnect();
  const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  console.log(`replica mode: ${calls('wait')} WAIT for ${calls('evalsha') + calls('eval')} script calls and ${calls('hmget') + calls('hget') + calls('smembers')} reads`);
} finally {
  await sentinels.stop();
}
