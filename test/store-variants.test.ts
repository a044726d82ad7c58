// The wired scripts of every variant against a real Redis (PROTOCOL.md, additions of 2026-11-29):
// random variants played through create, join, move and resign agree with shared/rules.ts state by
// state; quick match grouped per variant (dead players dropped, one queue at a time, left on
// disconnect, held and given back across a reap); eliminations by the turn clock and abandonment;
// the computer's turn as a time rule (claimed once per lease, the short lease, its idempotent move);
// rematch rotation with the computer counting as having asked.
import assert from 'node:assert/strict';
import { tokenFor } from './support/store-redis.js';
import { bucketOf, rematchId } from '../server/store/keys.js';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { redisForFile, STORE_LIMITS, uid } from './support/store-redis.js';
import { COMPUTER_LEASE_MS, parseSnapshot, Store, type StoreLimits } from '../server/store/store.js';
import { goOut, play, startGame, type GameState, type Mark } from '../shared/rules.js';
import { seatsOf, variantName, type Variant } from '../shared/variant.js';
import { until, untilRedisClock, redisNowMs } from './support/until.js';
import { variantArb } from './support/variant-gen.js';

let redis: Redis;
redisForFile((r) => { redis = r; });
const LIMITS = STORE_LIMITS;
const v = (rows: number, cols: number, k: number, players: number): Variant => ({ rows, cols, k, players });

/** A store of its own prefix; `player(inst)` says hello on a live instance. */
function world(l: Partial<StoreLimits> = {}) {
  const s = new Store(redis, { ...LIMITS, ...l }, uid('v'));
  const live = uid('i');
  const player = async (inst = live) => {
    await s.heartbeat(inst, {}, 60_000);
    const r = await s.hello({ token: null, ...tokenFor(uid('p')), name: 'N', defaultName: 'G', instance: inst, conn: `${inst}|${uid('c')}` });
    return r.playerId;
  };
  /** A playing private game of `variant`, one new player per seat (in seat order). */
  const game = async (variant: Variant) => {
    const ps: string[] = [];
    for (let i = 0; i < variant.players; i++) ps.push(await player());
    const id = uid('g');
    const code = uid('C').toUpperCase();
    assert.ok((await s.create(ps[0], 'X', id, code, '', { variant })).ok);
    for (const p of ps.slice(1)) assert.ok((await s.join(p, 'P', code, id)).ok);
    return { id, ps, seat: (m: Mark) => ps[seatsOf(variant.players).indexOf(m)] };
  };
  const snap = async (id: string) => parseSnapshot((await s.readGame(id))!);
  const games = (pid: string) => redis.zrange(s.keys.playerGames(pid), '0', '-1');
  return { s, live, player, game, snap, games };
}

const view = (g: GameState | ReturnType<typeof parseSnapshot>) => ({
  board: g.board, status: g.status, turn: g.turn, winner: g.winner, line: g.line, reason: g.reason, out: g.out && g.out.length ? g.out : undefined,
});

test('create, join, move and resign through the scripts agree with shared/rules.ts on random variants', async () => {
  const w = world({ maxGamesPerPlayer: 100 });
  const pick = fc.oneof(
    { weight: 30, arbitrary: fc.record({ kind: fc.constant('legal' as const), n: fc.nat() }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('any' as const), n: fc.nat(), cell: fc.integer({ min: 0, max: 360 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('resign' as const), n: fc.nat() }) },
  );
  const cases = fc.sample(fc.tuple(variantArb, fc.array(pick, { minLength: 1, maxLength: 60 })), { numRuns: 40, seed: Date.now() % 1_000_000 });
  let outs = 0;
  for (const [variant, picks] of cases) {
    const g = await w.game(variant);
    let s = startGame(variant);
    const first = await w.snap(g.id);
    assert.deepEqual([first.variant, view(first)], [variant, view(s)]);
    let version = first.version;
    const seats = seatsOf(variant.players);
    for (const [i, p] of picks.entries()) {
      const seat = p.kind === 'legal' && s.status === 'playing' ? s.turn! : seats[p.n % seats.length];
      const free = [...s.board].flatMap((c, j) => (c === '.' ? [j] : []));
      const cell = p.kind === 'legal' ? free[p.n % Math.max(1, free.length)] ?? 0 : p.kind === 'any' ? p.cell : -1;
      const want = p.kind === 'resign' ? goOut(s, seat, 'resign') : play(s, seat, cell);
      const got = p.kind === 'resign' ? await w.s.resign(g.seat(seat), g.id) : await w.s.move(g.seat(seat), g.id, cell, uid('m'));
      const what = `${JSON.stringify(variant)} step ${i}: ${seat} ${p.kind} ${cell}`;
      if (!want.ok) { assert.deepEqual(got, { ok: false, code: want.code }, what); continue; }
      assert.equal(got.ok, true, `${what}: ${JSON.stringify(got)}`);
      s = want.state;
      version++;
      const now = await w.snap(g.id);
      assert.deepEqual(view(now), view(s), what);
      assert.equal(now.version, version, what);
      if (p.kind === 'resign' && s.status === 'playing') {
        outs++;
        assert.deepEqual(await w.games(g.seat(seat)), [], `${what}: the out player holds no seat`);
      }
    }
    for (const p of g.ps) await w.s.resign(p, g.id); // free the players' seats (refused once over)
  }
  assert.ok(outs > 0, 'some games went on after a resignation');
});

test('quick match per variant: N live players in queue order; dead ones dropped; one queue at a time; unqueue and disconnect leave it', async () => {
  const w = world();
  const four = v(4, 4, 3, 4);
  const q = (p: string, variant?: Variant) => w.s.queue(p, p, uid('qg'), '', { variant });
  const [a, b, c, d, e] = [await w.player(), await w.player(), await w.player(), await w.player(), await w.player()];
  const deadInst = uid('dead');
  const dead = await w.player(deadInst);
  assert.deepEqual(await q(e), { ok: true, matched: null }, 'e waits in the classic queue');
  assert.deepEqual(await q(e, four), { ok: true, matched: null }, 'and moves to the 4-player queue');
  assert.equal(await redis.zscore(w.s.keys.queue(), e), null);
  assert.equal(await redis.get(w.s.keys.playerQueue(e)), variantName(four));
  assert.deepEqual(await w.s.unqueue(e), { ok: true });
  assert.equal(await redis.zscore(w.s.keys.queue(variantName(four)), e), null);
  assert.equal(await redis.get(w.s.keys.playerQueue(e)), null);
  for (const p of [a, dead, b]) assert.deepEqual(await q(p, four), { ok: true, matched: null });
  // dead's gateway dies: the reaper takes it out of the queue (S1's reconciler)
  await w.s.unregister(deadInst);
  assert.deepEqual(await w.s.reap(deadInst, 10), { handled: 1, left: 0 });
  assert.deepEqual(await q(c, four), { ok: true, matched: null }, 'dead is dropped, so a, b, c are only three');
  assert.equal(await redis.zscore(w.s.keys.queue(variantName(four)), dead), null);
  const r = await q(d, four);
  assert.ok(r.ok && r.matched);
  const g = await w.snap(r.matched);
  assert.deepEqual(g.variant, four);
  assert.deepEqual(seatsOf(4).map((s) => g.players[s]?.id), [a, b, c, d], 'seats in queue order');
  assert.equal(await redis.zcard(w.s.keys.queue(variantName(four))), 0);
  for (const p of [a, b, c, d]) assert.equal(await redis.get(w.s.keys.playerQueue(p)), null);
  // a player left offline leaves a variant's queue too
  assert.deepEqual(await q(e, v(5, 5, 4, 2)), { ok: true, matched: null });
  const conn = (await redis.smembers(w.s.keys.playerConns(e)))[0];
  assert.equal(await w.s.disconnect(e, w.live, conn), false);
  assert.equal(await redis.zcard(w.s.keys.queue('5x5k4p2')), 0);
});

test('a reaped gateway\'s player waiting for a variant gets its place back when the gateway records it again', async () => {
  const w = world({ abandonMs: 60_000 });
  const cut = uid('cut');
  const p = await w.player(cut);
  const gomoku = v(15, 15, 5, 2);
  assert.deepEqual(await w.s.queue(p, 'P', uid('g'), '', { variant: gomoku }), { ok: true, matched: null });
  const place = await redis.zscore(w.s.keys.queue('15x15k5p2'), p);
  await w.s.unregister(cut);
  assert.deepEqual(await w.s.reap(cut, 10), { handled: 1, left: 0 });
  assert.equal(await redis.zscore(w.s.keys.queue('15x15k5p2'), p), null);
  assert.equal(await redis.get(w.s.keys.heldQueuePlace(p)), `15x15k5p2@${place} P`);
  await w.s.heartbeat(cut, {}, 60_000);
  await w.s.attach(cut, [[p, `${cut}|again`]]);
  assert.equal(await redis.zscore(w.s.keys.queue('15x15k5p2'), p), place);
  assert.equal(await redis.get(w.s.keys.playerQueue(p)), '15x15k5p2');
});

test('elimination by time rules: a turn clock puts the mover out; abandonment puts its seat out, or aborts when nobody else is online', async () => {
  const w = world({ turnMs: 150, abandonMs: 80, maxGamesPerPlayer: 5 });
  const t = await w.game(v(4, 4, 4, 3));
  await untilRedisClock(redis, (await w.snap(t.id)).deadline!, 'X\'s clock runs out');
  await until('X out on time', () => w.s.expire(t.id), { ok: (r) => r !== null });
  let s = await w.snap(t.id);
  assert.deepEqual([s.status, s.turn, s.out, s.reason], ['playing', 'O', ['X'], null]);
  assert.deepEqual(await w.games(t.ps[0]), [], 'X no longer holds a seat');
  assert.equal((await w.s.move(t.ps[0], t.id, 0, uid('m'))).ok, false);

  const w2 = world({ abandonMs: 80 });
  const a = await w2.game(v(4, 4, 4, 3));
  const off = async (pid: string) => w2.s.disconnect(pid, w2.live, (await redis.smembers(w2.s.keys.playerConns(pid)))[0]);
  await off(a.ps[2]); // Y offline: its seat goes out, the game goes on
  await untilRedisClock(redis, Number(await redis.hget(w2.s.keys.game(a.id), 'aY')), 'Y\'s abandonment due');
  assert.deepEqual(await w2.s.expire(a.id), { out: 'Y', reason: 'abandoned' });
  s = await w2.snap(a.id);
  assert.deepEqual([s.status, s.out, s.turn], ['playing', ['Y'], 'X']);
  assert.equal(await redis.hget(w2.s.keys.game(a.id), 'aY'), null);
  await off(a.ps[0]);
  await off(a.ps[1]); // nobody still in is online: aborted, whoever's clock comes first
  await untilRedisClock(redis, Number(await redis.hget(w2.s.keys.game(a.id), 'aO')), 'both abandonments due');
  assert.equal(await w2.s.expire(a.id), 'abandoned');
  s = await w2.snap(a.id);
  assert.deepEqual([s.status, s.reason, s.winner], ['aborted', 'abandoned', null]);
});

test('the computer\'s turn is a time rule: due at once, claimed by one caller per lease (the short lease), claimed again after a dead claimer\'s lease, moved idempotently', async () => {
  const w = world({ turnMs: 60_000 });
  const x = await w.player();
  const id = uid('g');
  const made = await w.s.create(x, 'X', id, 'IGNORED', '', { vs: 'computer', variant: v(3, 4, 3, 3) });
  assert.deepEqual(made, { ok: true, version: 1, gameId: id, code: '' });
  let s = await w.snap(id);
  assert.deepEqual([s.status, s.code, s.players.O?.computer, s.players.Y?.name, s.players.Y?.online], ['playing', null, true, 'Computer', true]);
  assert.equal(await redis.hget(w.s.keys.game(id), 'c'), null, 'X (a person) moves first');
  assert.deepEqual(await w.s.move(x, id, 5, 'm1'), { ok: true, version: 2, status: 'playing', computerTurn: true });
  const c = Number(await redis.hget(w.s.keys.game(id), 'c'));
  assert.equal(Number(await redis.zscore(w.s.keys.deadlines(bucketOf(id)), id)), c, 'scheduled at the computer\'s rule');
  const before = await redisNowMs(redis);
  assert.deepEqual(await w.s.claimDue(10, 5000), [id]);
  const claims = await Promise.all(Array.from({ length: 6 }, () => w.s.expire(id)));
  const won = claims.filter((r) => r && typeof r === 'object' && 'computer' in r);
  assert.equal(won.length, 1, 'one claimer per lease');
  // the sweep's claim is the long lease; the expire that claims the computer's turn makes it the short one
  const leased = Number(await redis.zscore(w.s.keys.deadlines(bucketOf(id)), id));
  assert.ok(leased >= before + COMPUTER_LEASE_MS && leased < before + 5000, `the computer lease (${leased - before} ms)`);
  assert.equal((won[0] as { computer: { version: number } }).computer.version, 2);
  // the claimer dies mid-thought: once the lease lapses (Redis' clock), the next sweep anywhere claims it again
  await untilRedisClock(redis, Number(await redis.hget(w.s.keys.game(id), 'c')), 'the computer lease lapses');
  assert.deepEqual(await w.s.claimDue(10, 5000), [id]);
  const again = await w.s.expire(id);
  assert.ok(again && typeof again === 'object' && 'computer' in again && again.computer.version === 2, JSON.stringify(again));
  const o = s.players.O!.id;
  assert.deepEqual(await w.s.move(o, id, 0, 'cpu:2'), { ok: true, version: 3, status: 'playing', computerTurn: true }, 'then Y, the computer too');
  assert.deepEqual(await w.s.move(o, id, 1, 'cpu:2'), { ok: true, version: 3, status: null }, 'a second claimer changes nothing');
  s = await w.snap(id);
  assert.equal(s.turn, 'Y');
  await w.s.move(s.players.Y!.id, id, 1, 'cpu:3');
  assert.equal(await redis.hget(w.s.keys.game(id), 'c'), null, 'back to the person: no computer rule');
});

test('rematch: seats rotate once every person asked (the computer always has); the computer opening says so', async () => {
  const w = world();
  const t = await w.game(v(3, 4, 3, 3));
  assert.ok((await w.s.resign(t.ps[0], t.id)).ok);
  assert.ok((await w.s.resign(t.ps[1], t.id)).ok); // Y wins
  for (const p of t.ps.slice(0, 2)) assert.deepEqual(await w.s.rematch(p, t.id, uid('g')), { ok: true, started: null });
  const r = await w.s.rematch(t.ps[2], t.id, uid('g'));
  assert.ok(r.ok && r.started);
  const g = await w.snap(r.started);
  assert.deepEqual(['X', 'O', 'Y'].map((s) => g.players[s as Mark]?.id), [t.ps[2], t.ps[0], t.ps[1]]);

  const x = await w.player();
  const id = uid('g');
  assert.ok((await w.s.create(x, 'X', id, '', '', { vs: 'computer' })).ok);
  assert.ok((await w.s.resign(x, id)).ok);
  const next = rematchId(id); // the same for every asker, in the old game's bucket
  assert.deepEqual(await w.s.rematch(x, id, uid('g')), { ok: true, started: next, computerTurn: true });
  const n2 = await w.snap(next);
  assert.deepEqual([n2.players.X?.id, n2.players.O?.id, n2.turn], [`cpu:${next}:X`, x, 'X']);
  assert.equal(await redis.zscore(w.s.keys.deadlines(bucketOf(next)), next), await redis.hget(w.s.keys.game(next), 'c'));
});
