// `npm start`: the local cluster in the foreground until Ctrl-C (or SIGTERM).
import { join } from 'node:path';
import { z } from 'zod';
import { Cluster, ROOT } from './cluster.js';

const env = z.object({
  GATEWAYS: z.coerce.number().int().min(1).max(64).default(3),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  RESTART_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//).optional(),
});
const parsed = env.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
if (!parsed.success) {
  const i = parsed.error.issues[0];
  console.error(`npm start: invalid value for ${String(i.path[0])}: ${i.message.toLowerCase()}.`);
  process.exit(2);
}
const o = parsed.data;
const runDir = join(ROOT, '.run');
let stopping = false;
const cluster = new Cluster({
  gateways: o.GATEWAYS, host: o.HOST, basePort: o.PORT, redisUrl: o.REDIS_URL, restartDelayMs: o.RESTART_DELAY_MS,
  redisDataDir: o.REDIS_URL ? undefined : join(runDir, 'redis'),
  clusterFile: join(runDir, 'cluster.json'), logDir: join(runDir, 'logs'),
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
