// What variants cost: Redis' time for the win check of a move (server/store/lua/includes/variant.lua)
// on small and large boards, and the computer's think time (shared/computer.ts) per variant.
//   node --import tsx load/bench/variant-cost.ts [--calls 20000] [--games 40] [--json FILE]
// Redis' figures are its own (INFO commandstats: usec_per_call of EVALSHA, on a Redis of its own),
// each next to a baseline script that takes the same arguments and does no check, and a loop of
// checks inside one script (the pure Lua cost of one check).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisServer } from '../../server/launcher/redis-server.js';
import { computerMove, seededRng } from '../../shared/computer.js';
import { play, startGame, type GameState } from '../../shared/rules.js';
import { variantName, type Variant } from '../../shared/variant.js';
import { machine } from './machine.js';

const INCLUDE = readFileSync(new URL('../../server/store/lua/includes/variant.lua', import.meta.url), 'utf8');
const ARGS = 'local board, rows, cols, k, cell, mark = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]\n';
const SCRIPTS = {
  baseline: `${INCLUDE}\n${ARGS}return 0`,
  check: `${INCLUDE}\n${ARGS}local l = winning_line(board, rows, cols, k, cell, mark)\nif l then return #l end\nreturn 0`,
  loop: `${INCLUDE}\n${ARGS}local n = 0\nfor i = 1, tonumber(ARGV[7]) do if winning_line(board, rows, cols, k, cell, mark) then n = n + 1 end end\nreturn n`,
  // a whole move as the next step's move-2.lua will do it: decode the snapshot, apply, encode
  move: `${INCLUDE}\nlocal g = cjson.decode(ARGV[1])\nlocal err = variant_move(g, g.turn, tonumber(ARGV[2]))\nreturn err or #cjson.encode(g)`,
};
type ScriptName = keyof typeof SCRIPTS;

/** A board of `v` from random play, `fill` of it taken, no line yet, and an empty cell near the middle. */
function position(v: Variant, fill: number, seed: number): { state: GameState; cell: number } {
  const rng = seededRng(seed);
  let s = startGame(v);
  while (s.board.split('').filter((c) => c !== '.').length < fill * s.board.length) {
    const free = [...s.board].flatMap((c, i) => (c === '.' ? [i] : []));
    const r = play(s, s.turn!, free[Math.floor(rng() * free.length)]);
    if (r.ok && r.state.status === 'playing') s = r.state;
  }
  const middle = Math.floor(v.rows / 2) * v.cols + Math.floor(v.cols / 2);
  const free = [...s.board].flatMap((c, i) => (c === '.' ? [i] : [])).sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  return { state: s, cell: free[0] };
}

async function usecPerCall(r: Redis, sha: string, args: (string | number)[], calls: number): Promise<{ redis_us: number; roundtrip_us: number }> {
  await r.config('RESETSTAT');
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await r.evalsha(sha, 0, ...args);
  const roundtrip = ((performance.now() - t0) * 1000) / calls;
  const stats = String(await r.info('commandstats'));
  const us = Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats)?.[1]);
  return { redis_us: Math.round(us * 100) / 100, roundtrip_us: Math.round(roundtrip * 10) / 10 };
}

async function redisCost(calls: number) {
  const server = new RedisServer();
  await server.start();
  const r = new Redis(server.url);
  try {
    const shas = {} as Record<ScriptName, string>;
    for (const [name, text] of Object.entries(SCRIPTS) as [ScriptName, string][]) shas[name] = String(await r.script('LOAD', text));
    const cases: { name: string; v: Variant; fill: number }[] = [
      { name: '3x3 classic, 4 marks', v: { rows: 3, cols: 3, k: 3, players: 2 }, fill: 0.45 },
      { name: '15x15 k5, half full', v: { rows: 15, cols: 15, k: 5, players: 2 }, fill: 0.5 },
      { name: '19x19 k5, half full', v: { rows: 19, cols: 19, k: 5, players: 2 }, fill: 0.5 },
      { name: '19x19 k5 p4, half full', v: { rows: 19, cols: 19, k: 5, players: 4 }, fill: 0.5 },
    ];
    const rows = [];
    for (const c of cases) {
      const { state, cell } = position(c.v, c.fill, 1);
      const args = [state.board, c.v.rows, c.v.cols, c.v.k, cell, state.turn!];
      const baseline = await usecPerCall(r, shas.baseline, args, calls);
      const check = await usecPerCall(r, shas.check, args, calls);
      const loops = 10_000;
      await r.config('RESETSTAT');
      await r.evalsha(shas.loop, 0, ...args, loops);
      const loopUs = Number(/cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(String(await r.info('commandstats')))?.[1]);
      const snapshot = JSON.stringify({ id: 'g', variant: c.v, board: state.board, turn: state.turn, status: 'playing', winner: null, line: null, reason: null, players: {}, version: 9, deadline: null });
      const move = await usecPerCall(r, shas.move, [snapshot, cell], calls);
      rows.push({
        case: c.name, variant: variantName(c.v), baseline_us: baseline.redis_us, check_us: check.redis_us,
        check_minus_baseline_us: Math.round((check.redis_us - baseline.redis_us) * 100) / 100,
        one_check_in_loop_us: Math.round((loopUs / loops) * 1000) / 1000,
        move_decode_apply_encode_us: move.redis_us, roundtrip_us: check.roundtrip_us,
      });
    }
    return rows;
  } finally {
    r.disconnect();
    await server.stop();
  }
}

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (x: number) => Math.round(x * 1000) / 1000;

const summary = (xs: number[]) => {
  xs.sort((a, b) => a - b);
  return { p50: ms(pct(xs, 0.5)), p99: ms(pct(xs, 0.99)), max: ms(xs[xs.length - 1]) };
};

/**
 * Times every computer move of `games` self-play games of `v` (ms): wall time, and the process'
 * CPU time (what the move costs even when a busy machine preempts the process in mid-move).
 */
function thinkTimes(v: Variant, games: number, sharedMemo: boolean) {
  const times: number[] = [];
  const cpu: number[] = [];
  let nodesMax = 0;
  const memo = new Map<number, number>();
  for (let g = 0; g < games; g++) {
    const rng = seededRng(g + 1);
    let s = startGame(v);
    while (s.status === 'playing') {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      const m = computerMove(s, { rng, memo: sharedMemo ? memo : undefined, maxNodes: 1000 });
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      nodesMax = Math.max(nodesMax, m.nodes);
      const r = play(s, s.turn!, m.cell);
      if (!r.ok) throw new Error(`illegal computer move ${m.cell}: ${r.code}`);
      s = r.state;
    }
  }
  const [wall, busy] = [summary(times), summary(cpu)];
  return {
    moves: times.length, wall_p50_ms: wall.p50, wall_p99_ms: wall.p99, wall_max_ms: wall.max,
    cpu_p50_ms: busy.p50, cpu_p99_ms: busy.p99, cpu_max_ms: busy.max, nodes_max: nodesMax,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '20000' }, games: { type: 'string', default: '40' }, json: { type: 'string' } } });
  const calls = Number(values.calls);
  const games = Number(values.games);
  const redis = await redisCost(calls);
  console.log(`Redis cost of the win check (${calls} EVALSHA calls each; µs by Redis' commandstats)`);
  console.table(redis);
  const variants: [string, Variant, boolean][] = [
    ['3x3 classic, memo kept between moves', { rows: 3, cols: 3, k: 3, players: 2 }, true],
    ['3x3 classic, fresh memo each move', { rows: 3, cols: 3, k: 3, players: 2 }, false],
    ['4x4 k3 p3', { rows: 4, cols: 4, k: 3, players: 3 }, false],
    ['15x15 k5 p2', { rows: 15, cols: 15, k: 5, players: 2 }, false],
    ['19x19 k5 p2', { rows: 19, cols: 19, k: 5, players: 2 }, false],
    ['19x19 k5 p4', { rows: 19, cols: 19, k: 5, players: 4 }, false],
  ];
  // one untimed round first: the JIT's warm-up is not the computer's think time
  for (const [, v] of variants) thinkTimes(v, 2, false);
  const computer = variants.map(([name, v, shared]) => ({ case: name, games, ...thinkTimes(v, games, shared) }));
  console.log(`Computer think time (self-play, ${games} games per variant, maxNodes 1000)`);
  console.table(computer);
  const m = machine();
  console.log(`machine: ${m.cores} cores, ${m.cpu}, Node ${m.node}, Redis ${m.redis}, load before ${m.load_before.join(' ')}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ at: new Date().toISOString(), machine: m, redis, computer }, null, 2));
}

await main();
