// A short smoke of each load scenario against a real 3-gateway cluster: the bots play complete
// games (classic, a three-player variant, gomoku through the CLI, against the computer), receive no
// error, and the reports are well formed; the bench's move-like script still makes a move. (Speed is
// measured by `npm run bench`, never asserted here.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../server/launcher/cluster.js';
import { withMoveLike } from '../load/bench/redis-ceiling.js';
import { bucketOf } from '../server/store/keys.js';
import { runScenario, type ScenarioName } from '../load/scenarios/index.js';
import type { LoadReport } from '../load/stats.js';
import { startCluster } from './support/cluster.js';

type C = Awaited<ReturnType<typeof startCluster>>;

function assertWellFormed(r: LoadReport): void {
  for (const k of ['games_completed', 'moves', 'moves_per_s', 'connections_peak'] as const) {
    assert.equal(typeof r[k], 'number', k);
    assert.ok(r[k] >= 0, k);
  }
  const l = r.move_latency_ms;
  for (const k of ['p50', 'p95', 'p99', 'max'] as const) assert.equal(typeof l[k], 'number', `move_latency_ms.${k}`);
  assert.ok(l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, 'percentiles in order');
  assert.equal(typeof r.errors, 'object');
}

describe('load bots', () => {
  let cl: C;
  let urls: string[];
  before(async () => {
    // the bots of a few games move far faster than a person: lift the per-connection rate limit
    cl = await startCluster({ gateways: 3, env: { RATE_PER_S: '5000', RATE_BURST: '5000', LOG_LEVEL: 'warn' } });
    urls = cl.gateways.map((g) => g.ws);
  });
  after(async () => { await cl.stop(); });

  const base = { durationS: 2, games: 4, thinkMs: 0, spectators: 30, connections: 200, sources: 1, progress: null };

  for (const name of ['play', 'private'] as ScenarioName[]) {
    test(`${name}: pairs play complete games without errors`, async () => {
      const r = await runScenario(name, { ...base, urls });
      assertWellFormed(r);
      assert.equal(r.scenario, name);
      assert.deepEqual(r.errors, {});
      assert.ok(r.games_completed > 0, 'games completed');
      assert.ok(r.moves >= r.games_completed * 5, 'at least 5 moves per completed game');
      assert.equal(r.connections_peak, 8);
    });
  }

  test('play of a three-player variant: groups of three found by quick match play complete games', async () => {
    const r = await runScenario('play', { ...base, urls, variant: { rows: 4, cols: 4, k: 3, players: 3 } });
    assertWellFormed(r);
    assert.deepEqual([r.errors, r.variant, r.connections_peak], [{}, { rows: 4, cols: 4, k: 3, players: 3 }, 12]);
    assert.ok(r.games_completed > 0, 'games completed');
  });

  for (const variant of [undefined, { rows: 5, cols: 5, k: 4, players: 3 }]) {
    test(`computer${variant ? ' (5x5, two computer seats)' : ''}: each bot plays the computer, games complete, its answers are timed`, async () => {
      const r = await runScenario('computer', { ...base, urls, variant });
      assertWellFormed(r);
      assert.deepEqual([r.scenario, r.errors, r.connections_peak], ['computer', {}, 4]);
      assert.ok(r.games_completed > 0, 'games completed');
      const a = r.computer_answer_ms as { p50: number; max: number };
      assert.ok(Number.isFinite(a.p50) && a.max >= a.p50, JSON.stringify(a));
    });
  }

  test('npm run load -- --variant 15x15k5p2 plays gomoku and says so in its report', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'trine-load-')), 'report.json');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'load/cli.ts', '--url', urls.join(','), '--variant', '15x15k5p2', '--games', '3', '--duration', '3', '--json', file],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stderr, /play 15x15k5p2/);
    const r = JSON.parse(readFileSync(file, 'utf8')) as LoadReport;
    assertWellFormed(r);
    assert.deepEqual([r.errors, r.variant], [{}, { rows: 15, cols: 15, k: 5, players: 2 }]);
    assert.ok(r.moves > 0, 'moves on the 15x15 boards');
  });

  /** The client processes (load/fleet/worker.ts) this process has spawned and that still run. */
  const workersLeft = () => spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout
    .split('\n').filter((l) => l.includes('fleet/worker.ts'));

  test('watch: every spectator, held by client processes of their own, gets every acknowledged version', async () => {
    const r = await runScenario('watch', { ...base, urls, thinkMs: 30, durationS: 3, perProcess: 15 });
    assertWellFormed(r);
    assert.deepEqual(r.errors, {});
    assert.deepEqual([r.spectators_watching, r.client_processes, r.connections_peak], [30, 2, 32]);
    assert.ok(r.moves > 5, 'moves played');
    assert.ok(r.games_completed >= 1, 'a game and its rematch');
    assert.equal(r.versions_incomplete, 0);
    assert.equal(r.versions, r.moves, 'a version per acknowledged move');
    assert.equal(r.deliveries, r.moves * 30, 'a delivery per spectator and move');
    assert.equal(typeof r.client_cpu_us_per_delivery, 'number');
    assert.deepEqual(workersLeft(), [], 'the client processes ended');
  });

  test('idle: players in two client processes, over two gateways, from two source addresses, all answer the final ping', async () => {
    const r = await runScenario('idle', { ...base, urls: urls.slice(0, 2), connections: 200, sources: 2, durationS: 1, perProcess: 100 });
    assertWellFormed(r);
    assert.deepEqual(r.errors, {});
    assert.deepEqual([r.connections_welcomed, r.connections_peak, r.client_processes, r.gateways], [200, 200, 2, 2]);
    assert.deepEqual([r.pings_sent, r.pongs, r.pings_failed], [200, 200, {}]);
    assert.equal(typeof r.rss_bytes_per_connection, 'number');
    assert.equal((r.gateways_rss as unknown[]).length, 2);
    assert.deepEqual(workersLeft(), [], 'the client processes ended');
  });

  test('npm run load writes the JSON report of the operator contract (docs/OPERATIONS.md §10)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'trine-load-')), 'report.json');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'load/cli.ts', '--url', urls.join(','), '--games', '3', '--duration', '2', '--json', file],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /moves acked/);
    const r = JSON.parse(readFileSync(file, 'utf8')) as LoadReport;
    for (const k of ['games_completed', 'moves', 'moves_per_s', 'move_latency_ms', 'errors', 'connections_peak']) assert.ok(k in r, k);
    assertWellFormed(r);
    assert.deepEqual(r.errors, {});
    assert.ok(r.games_completed > 0);
  });

  test('bad arguments get one clear sentence', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'load/cli.ts', '--url', 'http://nope'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /is not a gateway WebSocket URL/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'load/cli.ts', '--url', urls[0], '--variant', '20x20k5p2'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--variant "20x20k5p2" is not RxCkKpN within the contract's bounds/);
  });
});

describe('npm run bench: arguments', () => {
  test('idle connections that would pass a gateway\'s open-file cap are refused with one sentence, before anything starts', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'load/bench.ts', '--idle', '100000', '--idle-gateways', '1', '--no-write'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /100000 idle connections over 1 gateways is 100000 each: more than a process may open/);
  });
});

describe('npm run bench: the Redis ceiling', () => {
  test('the move-like script (move-3.lua patched for made-up games) makes a real move at every call', () => withMoveLike(async ({ redis: r, keys: k, sha }) => {
    // as redis-benchmark calls it: one game key per random number, the same player each time
    for (let i = 1; i <= 3; i++) {
      const b = bucketOf('7');
      const [, , reply] = await r.evalsha(sha, 3, k.game('7'), k.deadlines(b), k.outbox(b), 'bench-x', '0', String(i), '30000', '3600', k.gameChannel('7')) as unknown[][];
      assert.deepEqual(reply.slice(0, 2), ['OK', i + 1], `call ${i}: ${JSON.stringify(reply)}`);
    }
    const g = JSON.parse((await r.hget(k.game('7'), 's'))!);
    assert.equal(g.board, 'XOX......', 'each call placed the mark whose turn it was on the first free cell');
  }));
});
