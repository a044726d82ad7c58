// `npm run bench`: measures this machine's Redis ceiling for a move-like script (redis-benchmark,
// EVALSHA), then, for TRANSPORT=uws and TRANSPORT=ws, starts a cluster of its own and runs the
// scenarios at fixed sizes; writes docs/benchmarks.json and the table in docs/BENCHMARKS.md.
// Sizes are flags (see --help); the defaults finish in a few minutes.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../server/launcher/cluster.js';
import { GATEWAY_FILE_MARGIN, IDLE_PER_GATEWAY, idleGateways, startBenchCluster, type BenchCluster } from './bench/clusters.js';
import { machine } from './bench/machine.js';
import { topFunctions } from './bench/profile.js';
import { redisCeiling } from './bench/redis-ceiling.js';
import { describeShards, readShards, shardFigures, type ShardFigures } from './bench/shards.js';
import { writeDoc, type BenchResult, type BenchSizes, type Transport } from './bench/report.js';
import { openFileLimit } from './limits.js';
import { sleep, sourcesFor, type ScenarioOptions } from './scenarios/common.js';
import { IDLE_PER_PROCESS } from './scenarios/idle.js';
import { runScenario, type ScenarioName } from './scenarios/index.js';
import { SPECTATORS_PER_PROCESS } from './scenarios/watch.js';
import { summaryRows, table, type LoadReport } from './stats.js';

const USAGE = `usage: npm run bench -- [--transports uws,ws] [--only play,latency,watch,idle] [--duration S]
       [--sat-games N] [--games N] [--think MS] [--gateways N] [--ceiling-requests N] [--profile]
       [--spectators N] [--watch-think MS] [--spectators-per-process N]
       [--idle N] [--idle-gateways N] [--idle-per-process N] [--pin]
       [--out FILE.md] [--json FILE] [--no-write] [--redis single|sentinel|cluster (single)] [--appendfsync always|everysec (always)]
  watch: --spectators (10000) over the --gateways (3), held by client processes spawned by the bench,
         --spectators-per-process (${SPECTATORS_PER_PROCESS}) each; one move every ~--watch-think ms (1000: at 10,000
         spectators a version costs this machine ~0.5 s of CPU, a move every 200 ms would measure a queue).
  idle:  --idle (100000) connections over a cluster of its own of --idle-gateways (enough for
         ${IDLE_PER_GATEWAY.toLocaleString('en-US')} each: 6 for 100,000; each gateway stays below the open-file cap, ulimit -n), held by
         client processes of --idle-per-process (${IDLE_PER_PROCESS}) each; every one answers a ping at the end.
  --pin: the client processes run on CPU 1 only, the gateways and Redis on CPU 0 only (taskset);
         this process (the bench and the watched game's two players) is not pinned.`;

const { values: a } = parseArgs({
  options: {
    transports: { type: 'string', default: 'uws,ws' }, only: { type: 'string', default: 'idle,play,latency,watch' },
    duration: { type: 'string', default: '10' }, 'sat-games': { type: 'string', default: '400' }, games: { type: 'string', default: '1000' },
    think: { type: 'string', default: '1000' }, spectators: { type: 'string', default: '10000' }, 'watch-think': { type: 'string', default: '1000' },
    'spectators-per-process': { type: 'string', default: String(SPECTATORS_PER_PROCESS) },
    idle: { type: 'string', default: '100000' }, 'idle-gateways': { type: 'string' }, 'idle-per-process': { type: 'string', default: String(IDLE_PER_PROCESS) },
    pin: { type: 'boolean', default: false },
    gateways: { type: 'string', default: '3' }, 'ceiling-requests': { type: 'string', default: '100000' },
    profile: { type: 'boolean', default: false }, out: { type: 'string', default: 'docs/BENCHMARKS.md' },
    json: { type: 'string', default: 'docs/benchmarks.json' }, 'no-write': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    // the price of durability: an fsynced AOF (always, the rule of single mode), everysec, or a replica (sentinel)
    redis: { type: 'string', default: 'single' }, appendfsync: { type: 'string', default: 'always' },
  },
});
if (a.help) { console.log(USAGE); process.exit(0); }
const fail = (msg: string): never => { console.error(`npm run bench: ${msg}\n${USAGE}`); process.exit(2); };
const int = (k: keyof typeof a, min = 0) => {
  const v = Number(a[k]);
  if (!Number.isInteger(v) || v < min) fail(`--${k} must be a whole number${min ? ` >= ${min}` : ''}.`);
  return v;
};
const sizes: Required<BenchSizes> = {
  durationS: int('duration'), satGames: int('sat-games'), games: int('games'), thinkMs: int('think'),
  spectators: int('spectators'), watchThinkMs: int('watch-think'), idle: int('idle'), gateways: int('gateways', 1),
  idleGateways: a['idle-gateways'] === undefined ? idleGateways(int('idle')) : int('idle-gateways', 1),
  spectatorsPerProcess: int('spectators-per-process', 1), idlePerProcess: int('idle-per-process', 1), pinned: a.pin!,
};
// every process (gateway or client) may open `ulimit -n` files: the gateways share the connections, each client process its part
const files = openFileLimit() ?? Number.MAX_SAFE_INTEGER;
const perGateway = Math.ceil(sizes.idle / sizes.idleGateways);
if (perGateway + GATEWAY_FILE_MARGIN > files) fail(`${sizes.idle} idle connections over ${sizes.idleGateways} gateways is ${perGateway} each: more than a process may open (ulimit -n ${files}, less ${GATEWAY_FILE_MARGIN} for the gateway's own files); raise --idle-gateways.`);
for (const [k, per] of [['idle-per-process', sizes.idlePerProcess], ['spectators-per-process', sizes.spectatorsPerProcess]] as const) {
  if (per + 100 > files) fail(`--${k} ${per} is more sockets than a process may open (ulimit -n ${files}, less 100).`);
}
if (a.redis !== 'single' && a.redis !== 'sentinel' && a.redis !== 'cluster') fail('--redis must be single, sentinel or cluster.');
if (a.appendfsync !== 'always' && a.appendfsync !== 'everysec') fail('--appendfsync must be always or everysec.');
const store = { mode: a.redis as 'single' | 'sentinel' | 'cluster', appendfsync: a.appendfsync as 'always' | 'everysec' };
const transports = a.transports!.split(',') as Transport[];
const only = new Set(a.only!.split(','));
const log = (s: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${s}`);
// with --pin: the gateways and Redis on CPU 0, the client processes on CPU 1
const pins = a.pin ? { servers: '0', clients: '1' } : { servers: undefined, clients: undefined };

const result: BenchResult = {
  at: new Date().toISOString(), command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: machine(), sizes, store, ceiling: { script: '', runs: [], rps: 0 }, runs: {},
};

let current: BenchCluster | null = null;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  // a second signal (e.g. from a wrapper that forwards it) does not cut the stop short
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted: stopping the cluster (the client processes are killed on exit)');
    void (current?.cluster.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
// an exit that did not stop the cluster (an uncaught error): its gateways and Redis are killed by pid
process.on('exit', () => {
  if (!current) return;
  const d = current.cluster.describe();
  for (const pid of [...d.gateways.map((g) => g.pid), ...d.redis.nodes.map((n) => n.pid)]) {
    try { if (pid) process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

if (only.has('play')) {
  log('Redis ceiling: redis-benchmark, EVALSHA of the move-like script');
  result.ceiling = await redisCeiling({ requests: int('ceiling-requests') });
  log(`  ${result.ceiling.runs.map((r) => `pipeline ${r.pipeline}: ${r.rps}/s`).join(', ')}`);
}

/** Starts a cluster, runs `body` against it, stops it (also on failure). */
async function withCluster(transport: Transport, gateways: number, profile: boolean, body: (c: BenchCluster) => Promise<void>): Promise<void> {
  const c = await startBenchCluster({ transport, gateways, store, profile, cpus: pins.servers, log });
  current = c;
  try {
    await body(c);
  } finally {
    await c.cluster.stop();
    current = null;
  }
}

for (const transport of transports) {
  const runs: NonNullable<BenchResult['runs'][Transport]> = (result.runs[transport] = {});
  const step = async (c: BenchCluster, key: 'play' | 'latency' | 'watch' | 'idle', name: ScenarioName, o: Partial<ScenarioOptions>, what: string) => {
    if (!only.has(key)) return;
    const opts = {
      urls: c.urls, durationS: sizes.durationS, games: sizes.games, thinkMs: 0, spectators: sizes.spectators, connections: sizes.idle,
      progress: process.stdout, clientCpus: pins.clients, ...o,
    } as ScenarioOptions;
    opts.sources = sourcesFor(name === 'idle' ? opts.connections : name === 'watch' ? opts.spectators : opts.games * 2);
    log(`${transport}: ${key} — ${what}`);
    const nodes = c.cluster.describe().redis.nodes;
    const before = key === 'idle' ? [] : await readShards(nodes);
    const r: LoadReport = await runScenario(name, opts);
    if (key !== 'idle') r.shards = shardFigures(before, await readShards(nodes), r.moves);
    runs[key] = r;
    console.log(table(summaryRows(r).slice(2)));
    if (r.shards) console.log(describeShards(r.shards as ShardFigures[]));
    await sleep(2000); // disconnections settle before the next scenario
  };
  // play, latency and watch first: the idle run's 100,000 connections leave the machine busy for a while after they close
  if (['play', 'latency', 'watch'].some((k) => only.has(k))) {
    let profDir: string | undefined;
    await withCluster(transport, sizes.gateways, a.profile!, async (c) => {
      profDir = c.profDir;
      await step(c, 'play', 'play', { games: sizes.satGames }, `${sizes.satGames} games at saturation`);
      await step(c, 'latency', 'play', { thinkMs: sizes.thinkMs }, `${sizes.games} games, think ${sizes.thinkMs} ms`);
      await step(c, 'watch', 'watch', { thinkMs: sizes.watchThinkMs, perProcess: sizes.spectatorsPerProcess }, `${sizes.spectators} spectators over ${c.urls.length} gateways`);
    });
    if (profDir) {
      (result.profile ??= []).push({ transport, top: topFunctions(profDir, 25) });
      log(`${transport}: CPU profiles in ${profDir} (npx tsx load/bench/profile.ts ${profDir})`);
    }
  }
  if (only.has('idle')) {
    await withCluster(transport, sizes.idleGateways, false, (c) => step(c, 'idle', 'idle', { durationS: 5, settle: c.settle, perProcess: sizes.idlePerProcess },
      `${sizes.idle} connections over ${sizes.idleGateways} gateways (~${perGateway} each), clients in processes of ${sizes.idlePerProcess}`));
  }
}

const json = JSON.stringify(result, null, 2);
if (!a['no-write']) {
  writeFileSync(resolve(ROOT, a.json!), `${json}\n`);
  writeDoc(resolve(ROOT, a.out!), result);
  log(`wrote ${relative(ROOT, resolve(ROOT, a.json!))} and the table in ${a.out}`);
} else {
  console.log(json);
}
process.exit(0);
