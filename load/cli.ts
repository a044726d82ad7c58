// `npm run load -- --url WS_URL[,WS_URL...] --games N --duration SECONDS [--json FILE]`
// Plays real games through the wire contract against running gateways, shows one progress line a
// second, prints a table at the end and, with --json, writes the report of docs/OPERATIONS.md §10.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseVariantName } from '../shared/variant.js';
import { socketBudget } from './limits.js';
import { sourcesFor } from './scenarios/common.js';
import { runScenario, SCENARIOS, socketsOf, type ScenarioName } from './scenarios/index.js';
import { fmtMs, summaryRows, table, type LoadReport, type Percentiles } from './stats.js';

const USAGE = `usage: npm run load -- --url WS_URL[,WS_URL...] [--scenario play|private|computer|watch|idle] [--games N]
       [--variant RxCkKpN] [--duration SECONDS] [--think MS] [--spectators N] [--connections N] [--sources N] [--json FILE] [--quiet]
       [--per-process N] [--client-cpus LIST]
  play      N games found by quick match, moving as soon as it is their turn (--think: pause per move)
  private   N games whose bots create and join private games
  computer  N bots each playing against the computer (new games and rematches)
  --variant the variant of play/private/computer, e.g. 15x15k5p2 (rows x cols, k in a row, players); default classic
  watch     one game played every --think ms (default 200), followed by --spectators N over all --url, held by
            client processes of --per-process each (default 2000); delivery from the mover's ok to each spectator's state
  idle      --connections N players (connection i on gateway i % N) that say hello, stay silent, and answer a ping at
            the end (every one must); held by client processes of --per-process each (default 15000, below ulimit -n);
            the gateways' memory before and after
  --client-cpus  watch, idle: pin the client processes to these CPUs (taskset -c LIST, e.g. 1)`;

function fail(msg: string): never {
  console.error(`npm run load: ${msg}\n${USAGE}`);
  process.exit(2);
}

const { values: a } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string' }, variant: { type: 'string' }, scenario: { type: 'string', default: 'play' }, games: { type: 'string', default: '10' },
        duration: { type: 'string', default: '10' }, think: { type: 'string' }, spectators: { type: 'string', default: '100' },
        connections: { type: 'string', default: '1000' }, sources: { type: 'string' }, json: { type: 'string' },
        quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
        'per-process': { type: 'string' }, 'client-cpus': { type: 'string' },
      },
    });
  } catch (e) { fail(e instanceof Error ? e.message : String(e)); }
})();
if (a.help) { console.log(USAGE); process.exit(0); }
if (!a.url) fail('--url is required (the gateways\' WebSocket URLs, e.g. ws://127.0.0.1:8080/ws).');
const urls = a.url.split(',').map((u) => u.trim()).filter(Boolean);
for (const u of urls) if (!/^wss?:\/\/[^/]+\/ws$/.test(u)) fail(`"${u}" is not a gateway WebSocket URL (ws://HOST:PORT/ws).`);
if (!(SCENARIOS as readonly string[]).includes(a.scenario!)) fail(`unknown scenario "${a.scenario}".`);
const scenario = a.scenario as ScenarioName;
const num = (name: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) fail(`--${name} must be a number >= ${min}.`);
  return n;
};
const variant = a.variant === undefined ? undefined : parseVariantName(a.variant) ?? fail(`--variant "${a.variant}" is not RxCkKpN within the contract's bounds (e.g. 15x15k5p2).`);
const o = {
  urls, variant, durationS: num('duration', a.duration, 1), games: num('games', a.games, 1),
  thinkMs: num('think', a.think ?? (scenario === 'watch' ? '200' : '0'), 0),
  spectators: num('spectators', a.spectators, 1), connections: num('connections', a.connections, 1),
  sources: 0, progress: a.quiet ? null : process.stderr,
  perProcess: a['per-process'] ? num('per-process', a['per-process'], 1) : undefined,
  clientCpus: a['client-cpus'] === undefined ? undefined : /^[0-9,-]+$/.test(a['client-cpus']) ? a['client-cpus'] : fail('--client-cpus must be a CPU list such as 1 or 0-1.'),
};
const sockets = socketsOf(scenario, o);
o.sources = a.sources ? num('sources', a.sources, 1) : sourcesFor(sockets);
// watch and idle hold their connections in client processes of their own (each within the limit)
const inHere = scenario === 'watch' ? 2 : scenario === 'idle' ? 0 : sockets;
const perChild = scenario === 'watch' || scenario === 'idle' ? Math.min(sockets, o.perProcess ?? (scenario === 'watch' ? 2000 : 15_000)) : 0;
if (inHere > socketBudget() || perChild > socketBudget()) {
  fail(`${Math.max(inHere, perChild)} sockets in one process do not fit its open-file limit (ulimit -n ${socketBudget() + 100}); lower the count${perChild ? ' or --per-process' : ''} or raise the limit.`);
}

console.error(`load: ${scenario}${variant ? ` ${a.variant}` : ''} against ${urls.length} gateway(s) for ${o.durationS} s (${sockets} sockets${o.sources > 1 ? ` from ${o.sources} source addresses` : ''})`);
let report: LoadReport;
try {
  report = await runScenario(scenario, o);
} catch (e) {
  console.error(`npm run load: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const rows = summaryRows(report);
if (typeof report.gateway_cpu_us_per_move === 'number') rows.push(['CPU per move', `${report.gateway_cpu_us_per_move} µs in the gateways (all together), ${report.bot_cpu_us_per_move} µs in the bots`]);
if (typeof report.gateway_cpu_us_per_delivery === 'number') rows.push(['CPU per delivery', `${report.gateway_cpu_us_per_delivery} µs in the gateways (all together), ${report.client_cpu_us_per_delivery} µs in the ${report.client_processes} client processes`]);
if (report.delivery_ms) {
  rows.push(['delivery (each)', fmtMs(report.delivery_ms as Percentiles)], ['delivery (last)', fmtMs(report.delivery_last_ms as Percentiles)],
    ['spectators', `${report.spectators_watching}/${report.spectators} watching, ${report.deliveries} deliveries of ${report.versions} versions, ${report.versions_incomplete} not delivered to all`]);
}
if (report.rss_bytes_per_connection !== undefined) {
  rows.push(['connections', `${report.connections_welcomed}/${report.connections} welcomed (ramp-up ${report.ramp_up_s} s)`],
    ['gateway RSS', (report.gateways_rss as { url: string; before: number; after: number }[]).map((g) => `${g.url} ${mib(g.before)} -> ${mib(g.after)} MiB`).join('; ')],
    ['RSS per connection', report.rss_bytes_per_connection === null ? '-' : `${report.rss_bytes_per_connection} bytes`],
    ['final ping', `${report.pongs}/${report.connections} answered in ${report.ping_s} s${Object.keys(report.pings_failed as object).length ? ` (not: ${JSON.stringify(report.pings_failed)})` : ''}`]);
}
console.log(`\n${table(rows)}\n`);
if (a.json) writeFileSync(a.json, `${JSON.stringify(report, null, 2)}\n`);
// idle: every connection must answer its final ping
process.exit(report.connections_peak > 0 && (scenario !== 'idle' || report.pongs === report.connections) ? 0 : 1);

function mib(b: number | null): string { return b === null ? '?' : (b / 1048576).toFixed(1); }
