// `npm run bench`: measures this machine's Redis ceiling for a move-like script (redis-benchmark,
// EVALSHA), then, for TRANSPORT=uws and TRANSPORT=ws, starts a cluster of its own and runs the
// scenarios at fixed sizes; writes docs/benchmarks.json and the table in docs/BENCHMARKS.md.
// Sizes are flags (see --help); the defaults finish in a few minutes.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster, ROOT } from '../server/launcher/cluster.js';
import { freePortRange } from '../server/launcher/ports.js';
import { collectGarbage, inspectorUrl } from './bench/gc.js';
import { machine } from './bench/machine.js';
import { topFunctions } from './bench/profile.js';
import { redisCeiling } from './bench/redis-ceiling.js';
import { writeDoc, type BenchResult, type BenchSizes, type Transport } from './bench/report.js';
import { socketBudget } from './limits.js';
import { sleep, sourcesFor, type ScenarioOptions } from './scenarios/common.js';
import { runScenario, type ScenarioName } from './scenarios/index.js';
import { summaryRows, table, type LoadReport } from './stats.js';

const USAGE = `usage: npm run bench -- [--transports uws,ws] [--only play,latency,watch,idle] [--duration S]
       [--sat-games N] [--games N] [--think MS] [--spectators N] [--watch-think MS] [--idle N] [--gateways N]
       [--ceiling-requests N] [--profile] [--out FILE.md] [--json FILE] [--no-write]
       [--redis single|sentinel (single)] [--appendfsync always|everysec (always)]`;

const { values: a } = parseArgs({
  options: {
    transports: { type: 'string', default: 'uws,ws' }, only: { type: 'string', default: 'idle,play,latency,watch' },
    duration: { type: 'string', default: '10' }, 'sat-games': { type: 'string', default: '400' }, games: { type: 'string', default: '1000' },
    think: { type: 'string', default: '1000' }, spectators: { type: 'string', default: '5000' }, 'watch-think': { type: 'string', default: '200' },
    idle: { type: 'string', default: '20000' }, gateways: { type: 'string', default: '3' }, 'ceiling-requests': { type: 'string', default: '100000' },
    profile: { type: 'boolean', default: false }, out: { type: 'string', default: 'docs/BENCHMARKS.md' },
    json: { type: 'string', default: 'docs/benchmarks.json' }, 'no-write': { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
    // the price of durability: an fsynced AOF (always, the rule of single mode), everysec, or a replica (sentinel)
    redis: { type: 'string', default: 'single' }, appendfsync: { type: 'string', default: 'always' },
  },
});
if (a.help) { console.log(USAGE); process.exit(0); }
const int = (k: keyof typeof a) => {
  const v = Number(a[k]);
  if (!Number.isInteger(v) || v < 0) { console.error(`npm run bench: --${k} must be a whole number.\n${USAGE}`); process.exit(2); }
  return v;
};
const budget = socketBudget(300);
const sizes: BenchSizes = {
  durationS: int('duration'), satGames: int('sat-games'), games: int('games'), thinkMs: int('think'),
  spectators: int('spectators'), watchThinkMs: int('watch-think'), idle: Math.min(int('idle'), budget), gateways: int('gateways'),
};
if (sizes.idle < int('idle')) console.log(`bench: idle capped at ${sizes.idle} connections: this process may open ${budget + 300} files (ulimit -n), and so may each gateway.`);
if (a.redis !== 'single' && a.redis !== 'sentinel') { console.error(`npm run bench: --redis must be single or sentinel (cluster is not supported yet).\n${USAGE}`); process.exit(2); }
if (a.appendfsync !== 'always' && a.appendfsync !== 'everysec') { console.error(`npm run bench: --appendfsync must be always or everysec.\n${USAGE}`); process.exit(2); }
const store = { mode: a.redis as 'single' | 'sentinel', appendfsync: a.appendfsync as 'always' | 'everysec' };
const transports = a.transports!.split(',') as Transport[];
const only = new Set(a.only!.split(','));
const log = (s: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${s}`);

const result: BenchResult = {
  at: new Date().toISOString(), command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: machine(), sizes, store, ceiling: { script: '', runs: [], rps: 0 }, runs: {},
};

let current: Cluster | null = null;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log('interrupted: stopping the cluster');
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

log('Redis ceiling: redis-benchmark, EVALSHA of the move-like script');
result.ceiling = await redisCeiling({ requests: int('ceiling-requests') });
log(`  ${result.ceiling.runs.map((r) => `pipeline ${r.pipeline}: ${r.rps}/s`).join(', ')}`);

for (const transport of transports) {
  const runs: NonNullable<BenchResult['runs'][Transport]> = (result.runs[transport] = {});
  const dir = mkdtempSync(join(tmpdir(), `trine-bench-${transport}-`));
  const profDir = join(dir, 'profiles');
  if (a.profile) mkdirSync(profDir);
  const cluster = new Cluster({
    gateways: sizes.gateways, host: '127.0.0.1', basePort: await freePortRange(sizes.gateways), restartDelayMs: 0,
    redisMode: store.mode, appendfsync: store.appendfsync, redisDataDir: join(dir, 'redis'),
    // bots of a few games move far faster than people: the per-connection rate limit is lifted
    env: {
      TRANSPORT: transport, LOG_LEVEL: 'warn', RATE_PER_S: '100000', RATE_BURST: '100000',
    },
    // the inspector lets the idle scenario force a full GC before each memory reading
    nodeArgs: ['--inspect=127.0.0.1:0', ...(a.profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
    clusterFile: null, logDir: join(dir, 'logs'),
  });
  log(`${transport}: starting ${sizes.gateways} gateways, Redis ${store.mode === 'sentinel' ? 'primary + 2 replicas + 3 Sentinels' : 'single'} (AOF appendfsync ${store.appendfsync}) (logs in ${dir})`);
  current = cluster;
  try {
    await cluster.start();
  } catch (e) {
    await cluster.stop(); // a gateway that could not start: its Redis and the others stop too
    throw e;
  }
  const urls = cluster.gateways.map((g) => g.ws);
  const base: Omit<ScenarioOptions, 'sources'> = {
    urls, durationS: sizes.durationS, games: sizes.games, thinkMs: 0, spectators: sizes.spectators, connections: sizes.idle, progress: process.stdout,
  };
  const step = async (key: 'play' | 'latency' | 'watch' | 'idle', name: ScenarioName, o: Partial<ScenarioOptions>, what: string) => {
    if (!only.has(key)) return;
    const opts = { ...base, ...o } as ScenarioOptions;
    opts.sources = sourcesFor(name === 'idle' ? opts.connections : name === 'watch' ? opts.spectators : opts.games * 2);
    log(`${transport}: ${key} — ${what}`);
    const r: LoadReport = await runScenario(name, opts);
    runs[key] = r;
    console.log(table(summaryRows(r).slice(2)));
    await sleep(2000); // disconnections settle before the next scenario
  };
  try {
    const settle = async () => {
      const url = inspectorUrl(join(dir, 'logs', 'gw-0.log'));
      if (!url || !(await collectGarbage(url))) log('  (could not force a GC in gw-0: memory includes garbage)');
    };
    await step('idle', 'idle', { urls: [urls[0]], durationS: 5, settle }, `${sizes.idle} connections on one gateway`);
    await step('play', 'play', { games: sizes.satGames }, `${sizes.satGames} games at saturation`);
    await step('latency', 'play', { thinkMs: sizes.thinkMs }, `${sizes.games} games, think ${sizes.thinkMs} ms`);
    await step('watch', 'watch', { thinkMs: sizes.watchThinkMs }, `${sizes.spectators} spectators over ${urls.length} gateways`);
  } finally {
    await cluster.stop();
    current = null;
  }
  if (a.profile) {
    (result.profile ??= []).push({ transport, top: topFunctions(profDir, 25) });
    log(`${transport}: CPU profiles in ${profDir} (npx tsx load/bench/profile.ts ${profDir})`);
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
