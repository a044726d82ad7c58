// `npm start`: the local cluster in the foreground until Ctrl-C (or SIGTERM), which drains every
// gateway (clients closed with 1012, in-flight work finished) before Redis is stopped. One cluster
// per run folder (RUN_DIR): a second `npm start` there names the pid that holds it and stops.
import { isAbsolute, join } from 'node:path';
import { ConfigError, loadLauncherConfig, type LauncherConfig } from '../config.js';
import { Cluster, ROOT, type ClusterEvent } from './cluster.js';
import { LockHeld, lockFolder, type FolderLock } from './lock.js';

let o: LauncherConfig;
try {
  // every gateway setting is checked here too: a bad one stops `npm start` with its sentence
  o = loadLauncherConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}
const runDir = isAbsolute(o.RUN_DIR) ? o.RUN_DIR : join(ROOT, o.RUN_DIR);
let lock: FolderLock;
try {
  lock = lockFolder(runDir);
} catch (e) {
  if (!(e instanceof LockHeld)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(3);
}
let stopping = false;
const cluster = new Cluster({
  gateways: o.GATEWAYS, host: o.HOST, basePort: o.PORT, redisUrl: o.REDIS_URL, restartDelayMs: o.RESTART_DELAY_MS,
  redisMode: o.REDIS_MODE,
  redisDataDir: o.REDIS_URL ? undefined : join(runDir, { single: 'redis', sentinel: 'sentinel', cluster: 'redis-cluster' }[o.REDIS_MODE]),
  clusterFile: join(runDir, 'cluster.json'), logDir: join(runDir, 'logs'), ownProcessGroups: true,
  onEvent: (e) => {
    const line = describeEvent(e);
    if (line) console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
    if (e.kind !== 'gateway-exit' && e.kind !== 'redis') cluster.write();
  },
});

function describeEvent(e: ClusterEvent): string | null {
  const restarting = o.RESTART_DELAY_MS > 0 && !stopping ? `; restarting in ${o.RESTART_DELAY_MS} ms` : '';
  if (e.kind === 'gateway-exit') return `${e.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with ${e.code}`}${restarting}`;
  if (e.kind === 'gateway-start') return `${e.id} started (pid ${e.pid})`;
  if (e.kind === 'gateway-ready') return `${e.id} ready`;
  const r = e.e;
  if (r.kind === 'redis-exit') return `redis ${r.role} on port ${r.port} exited${r.signal ? ` on ${r.signal}` : ` with ${r.code}`}${restarting}`;
  if (r.kind === 'redis-start') return `redis ${r.role} on port ${r.port} started (pid ${r.pid})`;
  if (r.kind === 'redis-failed') return `a Redis process could not be restarted (${r.why}); trying again`;
  return `failover: ${r.to} is the primary now (was ${r.from})`;
}

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('stopping the cluster…');
  await cluster.stop();
  lock.release();
  console.log('stopped.');
  process.exit(code);
}
process.on('SIGINT', () => { void stop(0); });
process.on('SIGTERM', () => { void stop(0); });

try {
  await cluster.start();
} catch (e) {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  await stop(1);
}
const d = cluster.describe();
const store = d.redis.mode === 'sentinel'
  ? `a Redis primary, 2 replicas and 3 Sentinels (${d.redis.sentinels}, primary ${d.redis.url})`
  : d.redis.mode === 'cluster' ? `a Redis Cluster of 3 primaries with a replica each (${d.redis.clusterNodes})`
  : `Redis at ${d.redis.url.replace(/\/\/[^@]*@/, '//***@')}`;
console.log(`\nTrine is up: ${d.gateways.length} gateways, ${store}`);
console.log(`Open ${cluster.gateways[0].url}/ in a browser (any gateway serves the page):`);
for (const g of d.gateways) console.log(`  ${g.id}  ${g.url}  ${g.ws}  pid ${g.pid}`);
console.log(`Cluster file: ${join(o.RUN_DIR, 'cluster.json')}   Logs: ${join(o.RUN_DIR, 'logs')}/   Ctrl-C stops everything.\n`);
