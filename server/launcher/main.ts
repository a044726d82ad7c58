// `npm start`: the local cluster in the foreground until Ctrl-C (or SIGTERM), which drains every
// gateway (clients closed with 1012, in-flight work finished) before Redis is stopped.
import { join } from 'node:path';
import { ConfigError, loadLauncherConfig, type LauncherConfig } from '../config.js';
import { Cluster, ROOT } from './cluster.js';

let o: LauncherConfig;
try {
  // every gateway setting is checked here too: a bad one stops `npm start` with its sentence
  o = loadLauncherConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}
const runDir = join(ROOT, '.run');
let stopping = false;
const cluster = new Cluster({
  gateways: o.GATEWAYS, host: o.HOST, basePort: o.PORT, redisUrl: o.REDIS_URL, restartDelayMs: o.RESTART_DELAY_MS,
  redisDataDir: o.REDIS_URL ? undefined : join(runDir, 'redis'),
  clusterFile: join(runDir, 'cluster.json'), logDir: join(runDir, 'logs'), ownProcessGroups: true,
  onEvent: (e) => {
    const t = new Date().toISOString().slice(11, 19);
    if (e.kind === 'gateway-exit') console.log(`${t} ${e.id} (pid ${e.pid}) exited${e.signal ? ` on ${e.signal}` : ` with ${e.code}`}${o.RESTART_DELAY_MS > 0 && !stopping ? `; restarting in ${o.RESTART_DELAY_MS} ms` : ''}`);
    else if (e.kind === 'gateway-start') console.log(`${t} ${e.id} started (pid ${e.pid})`);
    else console.log(`${t} ${e.id} ready`);
    if (e.kind !== 'gateway-exit') cluster.write();
  },
});

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('stopping the cluster…');
  await cluster.stop();
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
console.log(`\nTrine is up: ${d.gateways.length} gateways, Redis at ${d.redis.url.replace(/\/\/[^@]*@/, '//***@')}`);
console.log(`Open ${cluster.gateways[0].url}/ in a browser (any gateway serves the page):`);
for (const g of d.gateways) console.log(`  ${g.id}  ${g.url}  ${g.ws}  pid ${g.pid}`);
console.log(`Cluster file: .run/cluster.json   Logs: .run/logs/   Ctrl-C stops everything.\n`);
