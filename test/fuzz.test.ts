// The protocol fuzzer, bounded: tens of thousands of hostile frames (see support/fuzz-frames.ts)
// against a live cluster of both transports (gw-0, gw-2 uWebSockets.js; gw-1, gw-3 ws; one Redis),
// plus raw RFC 6455 violations and HTTP garbage, while normal games are played across gateways.
// Afterwards: the gateways are the same processes and healthy, every frame was answered or its
// socket closed per the contract (support/fuzz-socket.ts), every normal game ended exactly as its
// moves say, and every game and index in Redis is well-formed (support/redis-audit.ts).
// FUZZ_FRAMES (default 40000), FUZZ_SECONDS (default 45) and FUZZ_SEED (default: random, printed) tune it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { GameSnapshot } from '../shared/protocol.js';
import { applyMove, legalMoves, type Mark } from '../shared/rules.js';
import { player, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { FrameGen, Pool, Rng } from './support/fuzz-frames.js';
import { httpGarbage, TOO_BIG_IN_FRAGMENTS, violation, VIOLATIONS, type RawOutcome } from './support/fuzz-raw.js';
import { FuzzSocket } from './support/fuzz-socket.js';
import { auditRedis } from './support/redis-audit.js';
import { until } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 40_000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 45);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SOCKETS_PER_GATEWAY = 4;
const BATCH = 32;
const ENV = { RATE_PER_S: '1000000', RATE_BURST: '1000000', ABUSE_LIMIT: '1000000', INVITE_TTL_MS: '3000', ABANDON_MS: '5000', LOG_LEVEL: 'warn' };

/** Normal games between two players on different gateways and transports, watched from the other two. */
async function normalGames(urls: string[], pool: Pool, stop: () => boolean, problems: string[]): Promise<number> {
  const rng = new Rng(SEED ^ 0x5eed);
  const A = await player(urls[0], 'normal-A');
  const B = await player(urls[3], 'normal-B');
  const watchers = [await player(urls[1], 'normal-S1'), await player(urls[2], 'normal-S2')];
  const ask = async (c: TestClient, body: Record<string, unknown>) => {
    const r = await c.request(body, 20_000);
    if (r.t !== 'ok') throw new Error(`${c.label} ${JSON.stringify(body)}: ${JSON.stringify(r)}`);
    return r;
  };
  let games = 0;
  try {
    const made = await ask(A, { t: 'create' });
    let id = made.gameId as string;
    for (const w of watchers) await ask(w, { t: 'watch', gameId: id });
    await ask(B, { t: 'join', code: made.code });
    let version = 2;
    let seats: Record<'X' | 'O', TestClient> = { X: A, O: B };
    for (;;) {
      pool.protect(id);
      let board = '.........';
      let mark: Mark = 'X';
      for (;;) {
        const cell = rng.pick(legalMoves(board));
        const r = await ask(seats[mark as "X" | "O"], { t: 'move', gameId: id, cell, mid: `n${version}` });
        if (r.version !== ++version) throw new Error(`move answered version ${r.version}, expected ${version}`);
        const res = applyMove(board, mark, cell);
        if (!res.ok) throw new Error(`the rules refuse ${cell} on ${board}`);
        board = res.board;
        if (res.outcome.status !== 'playing') {
          for (const c of [A, B, ...watchers]) {
            const s: GameSnapshot = await c.stateAt(id, version, 20_000);
            if (s.board !== board || s.status !== res.outcome.status || s.winner !== res.outcome.winner || JSON.stringify(s.line) !== JSON.stringify(res.outcome.line)) {
              throw new Error(`${c.label} sees ${JSON.stringify(s)} after ${board}`);
            }
            const seen = c.states(id).map((g) => g.version);
            if (seen.some((v, i) => i > 0 && v !== seen[i - 1] + 1) || seen[seen.length - 1] !== version) throw new Error(`${c.label} saw versions ${seen}`);
          }
          break;
        }
        mark = res.next!;
      }
      games++;
      if (stop()) break;
      // a rematch: seats swapped, spectators follow the new game
      await ask(A, { t: 'rematch', gameId: id });
      const r = await ask(B, { t: 'rematch', gameId: id });
      const next = (r.gameId as string | undefined) ?? (await A.waitFor((m) => m.t === 'rematch' && m.from === id, 'rematch', { timeout: 20_000 })).gameId;
      for (const w of watchers) await ask(w, { t: 'watch', gameId: next });
      const first = await A.stateAt(next, 1, 20_000);
      if (first.players.X?.id !== seats.O.player!.id) throw new Error('rematch did not swap seats');
      seats = { X: seats.O, O: seats.X };
      id = next;
      version = 1;
    }
  } catch (e) {
    problems.push(`normal game: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    for (const c of [A, B, ...watchers]) c.close();
  }
  return games;
}

describe('protocol fuzzer (gw-0, gw-2 uws; gw-1, gw-3 ws)', () => {
  let cl: C;
  before(async () => { cl = await startCluster({ gateways: 4, transport: 'mixed', env: ENV }); });
  after(async () => { await cl.stop(); });

  test(`hostile frames never crash a gateway, are each answered per the contract, leave normal games and Redis intact`, async (t) => {
    t.diagnostic(`seed ${SEED} (FUZZ_SEED=${SEED} replays the frames), up to ${FRAMES} frames or ${SECONDS} s`);
    const urls = cl.gateways.map((g) => g.ws);
    const pids = cl.gateways.map((g) => g.proc.pid);
    const pool = new Pool();
    const problems: string[] = [];
    const started = Date.now();
    const deadline = started + SECONDS * 1000;
    let sent = 0;
    let sockets = 0;
    let fuzzing = true;
    let failing = 0; // sockets that found a problem: a few are enough to stop early
    // the floor of frames is reached however slow a loaded machine is (up to 4x the time), so the
    // amount of fuzzing does not depend on timing; FRAMES within SECONDS is the usual case
    const floor = Math.min(FRAMES, 10_000);
    const hardDeadline = started + SECONDS * 4000;
    const done = () => sent >= FRAMES || (Date.now() >= deadline && sent >= floor) || Date.now() >= hardDeadline || failing >= 4;

    const referee = normalGames(urls, pool, () => !fuzzing, problems);

    const fuzzer = async (url: string, label: string, seed: number) => {
      const gen = new FrameGen(seed, pool, `${label}.`);
      const rng = new Rng(seed);
      let token = '';
      while (!done()) {
        const s = await FuzzSocket.open(url, `${label}#${++sockets}`, pool);
        if (rng.chance(0.3)) sent += await s.batch(Array.from({ length: 10 }, () => gen.next(false)));
        if (s.closed === null) await s.hello(token && rng.chance(0.5) ? token : undefined);
        while (s.closed === null && !done() && !s.problems.length) sent += await s.batch(Array.from({ length: BATCH }, () => gen.next(true)));
        const strays = (await s.strays(s.received)).filter((m) => s.closed === null || m.t !== 'error');
        if (strays.length) problems.push(`${s.label}: ${strays.length} answers after the last batch: ${JSON.stringify(strays[0]).slice(0, 200)}`);
        problems.push(...s.problems);
        if (s.problems.length) failing++;
        token = s.token || token;
        s.close();
      }
    };

    const raw: RawOutcome[] = [];
    const rawPhase = async (url: string, gi: number) => {
      for (const [name, act] of VIOLATIONS) {
        const o = await violation(url, name, act);
        raw.push({ ...o, name: `gw-${gi} ${name}` });
        if (!o.ended && !(name === 'unmasked frame' || name === 'half a header, then silence')) problems.push(`gw-${gi} ${name}: connection still open`);
        if (name.startsWith('utf8') && o.code !== null && o.code !== 1007) problems.push(`gw-${gi} ${name}: close ${o.code}`);
      }
      const big = await violation(url, 'fragments past 4096 bytes', TOO_BIG_IN_FRAGMENTS);
      if (big.code !== 1009) problems.push(`gw-${gi} fragments past 4096 bytes: close ${big.code}, expected 1009`);
      raw.push({ ...big, name: `gw-${gi} ${big.name}` });
      for (const o of await httpGarbage(url)) raw.push({ ...o, name: `gw-${gi} http: ${o.name}${o.status ? ` (HTTP ${o.status})` : ''}` });
    };

    await Promise.all([
      ...urls.flatMap((url, gi) => Array.from({ length: SOCKETS_PER_GATEWAY }, (_, k) => fuzzer(url, `gw${gi}.${k}`, SEED + gi * 101 + k))),
      ...urls.map((url, gi) => rawPhase(url, gi)),
    ]);
    fuzzing = false;
    const games = await referee;
    const secs = (Date.now() - started) / 1000;
    t.diagnostic(`${sent} frames on ${sockets} sockets in ${secs.toFixed(1)} s; ${raw.length} raw violations; ${games} normal games played meanwhile`);
    for (const gi of [0, 1]) {
      const mine = raw.filter((o) => o.name.startsWith(`gw-${gi} `));
      t.diagnostic(`raw violations on ${gi ? 'ws' : 'uws'}: ${mine.map((o) => `${o.name.slice(5)} -> ${o.ended ? `closed ${o.code ?? 'without close frame'}` : 'open'}`).join('; ')}`);
    }

    // the gateways: same processes, healthy, nothing logged at error level
    for (const [i, g] of cl.gateways.entries()) {
      assert.ok(cl.alive(g) && g.proc.pid === pids[i], `${g.id} crashed or restarted`);
      assert.equal((await fetch(`${g.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${g.url}/readyz`)).status, 200);
      const log = readFileSync(join(cl.dir, 'logs', `${g.id}.log`), 'utf8');
      for (const line of log.split('\n').filter((l) => /"level":(5|6)\d/.test(l) || /command failed|uncaught|unhandled/i.test(l))) problems.push(`${g.id} log: ${line.slice(0, 300)}`);
    }
    // Redis: every game well-formed, every index consistent, once the sockets just closed are
    // forgotten (their disconnect scripts run after the close): audited until clean, or its problems after 5 s
    const redis = new Redis(cl.redisUrl);
    try {
      const audit = await until('a consistent Redis', () => auditRedis(redis), { ok: (a) => a.problems.length === 0 })
        .catch(() => auditRedis(redis));
      t.diagnostic(`${audit.games} games in Redis audited: ${Object.entries(audit.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      problems.push(...audit.problems);
      assert.ok(audit.games > games, 'the fuzzer made games of its own');
    } finally { redis.disconnect(); }

    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problems (seed ${SEED})`);
    assert.ok(games >= 1, 'a normal game was played to its end');
    assert.ok(sent >= floor, `only ${sent} frames in ${SECONDS * 4} s`);
  });
});
