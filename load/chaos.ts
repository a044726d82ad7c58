// `npm run chaos -- [--duration SECONDS] [--kill-every SECONDS] [--fault gateway-kill,redis-restart] [--demo]`
// `npm run chaos -- --redis sentinel|cluster --fault primary-kill[,gateway-kill] [--primary-kill-every SECONDS (20)]`
// The kill-a-gateway experiment on a local cluster it starts itself: prints the hypothesis, runs
// the bots while faults are injected, checks the recorded history against Redis, prints the
// verdict and its figures. Exit 0 only when the hypothesis held.
import { parseArgs } from 'node:util';
import type { Cluster } from '../server/launcher/cluster.js';
import { eventPrinter, liveView } from './chaos/demo.js';
import { runChaos, type ChaosOptions, type Fault } from './chaos/experiment.js';
import { hypothesis, judge, report } from './chaos/report.js';

const USAGE = `usage: npm run chaos -- [--duration SECONDS (60)] [--kill-every SECONDS (3; 20 for primary-kill)]
       [--fault gateway-kill|redis-restart|both|primary-kill|primary-kill,gateway-kill] [--redis single|sentinel|cluster (single)]
       [--primary-kill-every SECONDS (20; --kill-every when primary-kill is the only fault)]
       [--gateways N (5)] [--games N (100)] [--rate MOVES_PER_S (260)] [--spectators N (50)] [--restart-delay MS (2000)]
       [--redis-down SECONDS (3)] [--classic-only] [--demo]
  By default 3 of every 10 bots queue for a three-player 7x7 variant and 1 plays against the computer; --classic-only: classic quick match only.`;

let a;
try {
  a = parseArgs({
    options: {
      duration: { type: 'string', default: '60' }, 'kill-every': { type: 'string' }, 'primary-kill-every': { type: 'string' }, fault: { type: 'string', default: 'gateway-kill' },
      redis: { type: 'string', default: 'single' },
      gateways: { type: 'string', default: '5' }, games: { type: 'string', default: '100' }, rate: { type: 'string', default: '260' },
      spectators: { type: 'string', default: '50' }, 'restart-delay': { type: 'string', default: '2000' }, 'redis-down': { type: 'string', default: '3' },
      demo: { type: 'boolean', default: false }, 'classic-only': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    },
  }).values;
} catch (e) {
  console.error(`npm run chaos: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  process.exit(2);
}
if (a.help) { console.log(USAGE); process.exit(0); }
const num = (k: keyof typeof a, min: number): number => {
  const v = Number(a[k]);
  if (!Number.isFinite(v) || v < min) { console.error(`npm run chaos: --${k} must be a number >= ${min}.\n${USAGE}`); process.exit(2); }
  return v;
};
const faults = (a.fault === 'both' ? 'gateway-kill,redis-restart' : a.fault!).split(',') as Fault[];
if (faults.some((f) => !['gateway-kill', 'redis-restart', 'primary-kill'].includes(f))) { console.error(`npm run chaos: unknown --fault "${a.fault}".\n${USAGE}`); process.exit(2); }
if (a.redis !== 'single' && a.redis !== 'sentinel' && a.redis !== 'cluster') {
  console.error(`npm run chaos: --redis must be single, sentinel or cluster, not "${a.redis}".\n${USAGE}`);
  process.exit(2);
}
if (faults.includes('primary-kill') && a.redis === 'single') { console.error(`npm run chaos: --fault primary-kill needs --redis sentinel or cluster (a replica to fail over to).\n${USAGE}`); process.exit(2); }
if (faults.includes('redis-restart') && a.redis !== 'single') { console.error(`npm run chaos: --fault redis-restart is for --redis single; use primary-kill with sentinel or cluster.\n${USAGE}`); process.exit(2); }
const primaryOnly = faults.includes('primary-kill') && !faults.includes('gateway-kill');
a['primary-kill-every'] ??= primaryOnly ? a['kill-every'] ?? '20' : '20';
a['kill-every'] ??= primaryOnly ? '20' : '3';
const duration = num('duration', 10);
let t0 = performance.now();
const o: ChaosOptions = {
  gateways: num('gateways', 2), durationS: duration, killEveryS: num('kill-every', 1), restartDelayMs: num('restart-delay', 1),
  mix: !a['classic-only'], games: num('games', 1), spectators: num('spectators', 0), rate: num('rate', 1), faults,
  redisMode: a.redis, primaryKillEveryS: num('primary-kill-every', 1),
  redisAtS: Math.round(duration / 2), redisDownS: num('redis-down', 1),
  onEvent: (e) => { if (e.kind === 'phase' && e.what.includes('connect')) t0 = e.at; print(e); },
  onCluster: (c) => { cluster = c; },
};
let cluster: Cluster | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.log('\nstopping: the experiment is interrupted, its cluster stops…');
    void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
const print = eventPrinter(process.stdout, () => t0, a.demo!);

console.log(`${hypothesis(o)}\n`);
const store = { single: 'a Redis with AOF of its own', sentinel: 'a Redis primary, two replicas and three Sentinels of its own', cluster: 'a Redis Cluster of its own (3 primaries, a replica each)' }[o.redisMode ?? 'single'];
const games = o.mix ? 'quick-match games (some of a three-player variant, some against the computer)' : 'classic quick-match games';
console.log(`Experiment: ${o.gateways} gateways and ${store}; ${o.games * 2} bots playing ${games} at ~${o.rate} moves/s and ${o.spectators} spectators for ${duration} s; faults: ${faults.join(', ')}.\n`);
try {
  const run = await runChaos(o, liveView(process.stdout, a.demo!));
  const v = judge(run);
  console.log(`\n${hypothesis(o)}\n${report(run, v)}`);
  process.exit(v.held ? 0 : 1);
} catch (e) {
  console.error(`npm run chaos: the experiment could not run: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(2);
}
