// What variants cost: Redis' time for a whole move through the real move script (move-2.lua as the
// gateways load it, on stored games of each variant), for the win check alone
// (server/store/lua/includes/variant.lua) on small and large boards, and the computer's think time
// (shared/computer.ts) per variant.
//   node --import tsx load/bench/variant-cost.ts [--calls 20000] [--moves 2000] [--games 40] [--json FILE]
// Redis' figures are its own (INFO commandstats: usec_per_call of EVALSHA, on a Redis of its own),
// each next to a baseline script that takes the same arguments and does no check, and a loop of
// checks inside one script (the pure Lua cost of one check).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisServer } from '../../server/launcher/redis-server.js';
import { parseSnapshot, Store } from '../../server/store/store.js';
import { computerMove, seededRng } from '../../shared/computer.js';
import { play, startGame, type GameState } from '../../shared/rules.js';
import { seatsOf, variantName, type Variant } from '../../shared/variant.js';
import { machine } from './machine.js';

const INCLUDE = readFileSync(new URL('../../server/store/lua/includes/variant.lua', import.meta.url), 'utf8');
const ARGS = 'local board, rows, cols, k, cell, mark = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]\n';
const SCRIPTS = {
  baseline: `${INCLUDE}\n${ARGS}return 0`,
  check: `${INCLUDE}\n${ARGS}local l = winning_line(board, rows, cols, k, cell, mark)\nif l then return #l end\nreturn 0`,
  loop: `${INCLUDE}\n${ARGS}local n = 0\nfor i = 1, tonumber(ARGV[7]) do if winning_line(board, rows, cols, k, cell, mark) then n = n + 1 end end\nreturn n`,
  // the rules part of a move: decode the snapshot, apply, encode
  move: `${INCLUDE}\nlocal g = cjson.decode(ARGV[1])\nlocal err = variant_move(g, g.turn, tonumber(ARGV[2]))\nreturn err or #cjson.encode(g)`,
};
type ScriptName = keyof typeof SCRIPTS;

/**
 * A board of `v` from random play, `fill` of it taken, no line yet, and an empty cell near the
 * middle (with `safe`, one whose move neither wins nor fills the board).
 */
function position(v: Variant, fill: number, seed: number, safe = false): { state: GameState; cell: number } {
  const rng = seededRng(seed);
  let s = startGame(v);
  while (s.board.split('').filter((c) => c !== '.').length < fill * s.board.length) {
    const free = [...s.board].flatMap((c, i) => (c === '.' ? [i] : []));
    const r = play(s, s.turn!, free[Math.floor(rng() * free.length)]);
    if (r.ok && r.state.status === 'playing') s = r.state;
  }
  const middle = Math.floor(v.rows / 2) * v.cols + Math.floor(v.cols / 2);
  const free = [...s.board].flatMap((c, i) => (c === '.' ? [i] : [])).sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
  const cell = safe ? free.find((c) => { const r = play(s, s.turn!, c); return r.ok && r.state.status === 'playing'; }) : free[0];
  if (cell === undefined) return position(v, fill, seed + 1000, safe);
  return { state: s, cell };
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

const CASES: { name: string; v: Variant; fill: number }[] = [
  { name: '3x3 classic, 4 marks', v: { rows: 3, cols: 3, k: 3, players: 2 }, fill: 0.4 },
  { name: '15x15 k5, half full', v: { rows: 15, cols: 15, k: 5, players: 2 }, fill: 0.5 },
  { name: '19x19 k5, half full', v: { rows: 19, cols: 19, k: 5, players: 2 }, fill: 0.5 },
  { name: '19x19 k5 p4, half full', v: { rows: 19, cols: 19, k: 5, players: 4 }, fill: 0.5 },
];

/**
 * Redis' cost of one move through the real move script (Store.move, move-2.lua with its includes,
 * as a gateway loads it): `games` stored games of each case, created and joined through the scripts,
 * each set at its own position of random play (`fill` of the board, no line), then one move each at
 * a cell near the middle that does not win (the turn passes and the clock restarts). The moves go in
 * ROUNDS rounds, the cases interleaved in each, so that a busy spell of a shared machine lands on
 * one round of every case rather than on one case: the median and the lowest round are reported,
 * and Redis' main-thread CPU time per move (the script, the command's I/O and the AOF write).
 */
const ROUNDS = 5;
async function wiredMoveCost(r: Redis, games: number) {
  const prepared = [];
  for (const c of CASES) {
    const store = new Store(r, { maxGamesPerPlayer: 1e9, turnMs: 30_000, abandonMs: 60_000, inviteTtlMs: 0, finishedTtlS: 60, sessionTtlS: 3600, gameIdleTtlS: 86400 }, `bench${variantName(c.v)}`);
    const inst = 'bench-instance';
    await store.heartbeat(inst, {}, 3_600_000);
    const players = seatsOf(c.v.players).map((s) => `p${s}`);
    for (const p of players) await r.sadd(store.keys.playerConns(p), `${inst}|c`);
    const moves: { id: string; pid: string; cell: number }[] = [];
    for (let i = 0; i < games; i++) {
      const id = `g${i}`;
      const code = `C${i}`;
      if (!(await store.create(players[0], 'X', id, code, '', { variant: c.v })).ok) throw new Error('create refused');
      for (const p of players.slice(1)) if (!(await store.join(p, 'P', code, id)).ok) throw new Error('join refused');
      const { state, cell } = position(c.v, c.fill, i + 1, true);
      const g = parseSnapshot((await store.readGame(id))!);
      await r.hset(store.keys.game(id), 's', JSON.stringify({ ...g, board: state.board, turn: state.turn }));
      moves.push({ id, pid: players[seatsOf(c.v.players).indexOf(state.turn!)], cell });
    }
    prepared.push({ c, store, moves, us: [] as number[], cpu: [] as number[], rt: [] as number[] });
  }
  // Redis' main thread CPU time (s): unlike commandstats' wall time, a busy machine's preemption is not in it
  const cpu = async () => {
    const t = String(await r.info('cpu'));
    return Number(/used_cpu_user_main_thread:([\d.]+)/.exec(t)?.[1]) + Number(/used_cpu_sys_main_thread:([\d.]+)/.exec(t)?.[1]);
  };
  const per = Math.floor(games / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of prepared) {
      await r.config('RESETSTAT');
      const c0 = await cpu();
      const t0 = performance.now();
      for (const m of p.moves.slice(round * per, (round + 1) * per)) {
        const res = await p.store.move(m.pid, m.id, m.cell, 'bench');
        if (!res.ok || res.status !== 'playing') throw new Error(`bench move ${JSON.stringify(m)}: ${JSON.stringify(res)}`);
      }
      p.rt.push(((performance.now() - t0) * 1000) / per);
      p.cpu.push(((await cpu()) - c0) * 1e6 / per);
      p.us.push(Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(String(await r.info('commandstats')))?.[1]));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return prepared.map((p) => ({
    case: p.c.name, variant: variantName(p.c.v), moves: per * ROUNDS, move_script_us_median: r1(median(p.us)), move_script_us_min: r1(Math.min(...p.us)),
    redis_cpu_us_per_move_median: r1(median(p.cpu)), roundtrip_us_median: r1(median(p.rt)),
  }));
}

async function redisCost(calls: number) {
  const server = new RedisServer();
  await server.start();
  const r = new Redis(server.url);
  try {
    const shas = {} as Record<ScriptName, string>;
    for (const [name, text] of Object.entries(SCRIPTS) as [ScriptName, string][]) shas[name] = String(await r.script('LOAD', text));
    const rows = [];
    for (const c of CASES) {
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
  const { values } = parseArgs({ options: {
    calls: { type: 'string', default: '20000' }, moves: { type: 'string', default: '2000' }, games: { type: 'string', default: '40' }, json: { type: 'string' },
  } });
  const calls = Number(values.calls);
  const games = Number(values.games);
  const server = new RedisServer();
  await server.start();
  const r = new Redis(server.url);
  const wired = await wiredMoveCost(r, Number(values.moves)).finally(async () => { r.disconnect(); await server.stop(); });
  console.log(`Redis cost of a move through the real move script (one move on each of ${values.moves} stored games per variant; µs by Redis' commandstats)`);
  console.table(wired);
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
  if (values.json) writeFileSync(values.json, JSON.stringify({ at: new Date().toISOString(), machine: m, wired, redis, computer }, null, 2));
}

await main();
