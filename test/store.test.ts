// The Lua scripts against a real Redis: same rules as shared/rules.ts, idempotent moves, atomic
// quick match, sessions stored by hash only, time rules applied exactly once.
import assert from 'node:assert/strict';
import { bucketOf } from '../server/store/keys.js';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { hashToken, parseSnapshot, Store } from '../server/store/store.js';
import { applyMove, type Mark } from '../shared/rules.js';
import { tokenFor } from './support/store-redis.js';
import { until, untilRedisClock } from './support/until.js';

let server: RedisServer;
let redis: Redis;
let store: Store;
let n = 0;
const uid = (p: string) => `${p}${++n}x${Math.random().toString(36).slice(2, 8)}`;
const limits = { maxGamesPerPlayer: 1, turnMs: 0, abandonMs: 0, inviteTtlMs: 0, finishedTtlS: 60, sessionTtlS: 3600, gameIdleTtlS: 86400 };

before(async () => {
  server = new RedisServer();
  await server.start();
  redis = new Redis(server.url);
  store = new Store(redis, limits);
});
after(async () => { redis.disconnect(); await server.stop(); });

/**
 * Collects what is published on `channel`. `stop` publishes a fence and waits for it: Redis delivers
 * one channel's messages in the order they were published, so everything the scripts published
 * before has arrived by then (no sleep guessing how long delivery takes).
 */
async function listen(channel: string) {
  const sub = new Redis(server.url);
  const got: string[] = [];
  await sub.subscribe(channel);
  sub.on('message', (_c, m) => got.push(m));
  const stop = async () => {
    const fence = `fence ${uid('f')}`;
    await redis.publish(channel, fence);
    await until(`the fence on ${channel}`, () => got.includes(fence));
    got.splice(got.indexOf(fence), 1);
    sub.disconnect();
  };
  return { got, stop };
}

/** Two players online (an instance key alive) in a new playing private game. */
async function newGame(s = store) {
  const inst = uid('inst');
  await s.heartbeat(inst, {}, 60_000);
  const [x, o] = [uid('px'), uid('po')];
  for (const p of [x, o]) await redis.sadd(s.keys.playerConns(p), `${inst}|c`);
  const id = uid('g');
  const code = uid('C').toUpperCase();
  assert.deepEqual(await s.create(x, 'X', id, code), { ok: true, version: 1, gameId: id, code });
  assert.deepEqual(await s.join(o, 'O', code, id), { ok: true, version: 2, gameId: id });
  return { id, x, o, inst };
}

test('moves through Lua follow exactly the rules of shared/rules.ts', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 14 }), async (steps) => {
    const g = await newGame();
    let board = '.........';
    let version = 2;
    let over = false;
    for (const [byX, cell] of steps) {
      const mark: Mark = byX ? 'X' : 'O';
      const expect = applyMove(board, mark, cell);
      const got = await store.move(byX ? g.x : g.o, g.id, cell, uid('m'));
      if (over) { assert.deepEqual(got, { ok: false, code: 'GAME_OVER' }); continue; }
      if (!expect.ok) { assert.deepEqual(got, { ok: false, code: expect.code }, `board ${board} ${mark}@${cell}`); continue; }
      version++;
      assert.deepEqual(got, { ok: true, version, status: expect.outcome.status });
      board = expect.board;
      const snap = parseSnapshot((await store.readGame(g.id))!);
      assert.equal(snap.board, board);
      assert.equal(snap.version, version);
      assert.equal(snap.status, expect.outcome.status);
      assert.equal(snap.winner, expect.outcome.winner);
      assert.deepEqual(snap.line, expect.outcome.line);
      assert.equal(snap.turn, expect.next);
      assert.equal(snap.reason, expect.outcome.status === 'won' ? 'line' : null);
      over = expect.outcome.status !== 'playing';
    }
  }), { numRuns: 60 });
});

test('a repeated mid changes nothing and answers the version it was applied at', async () => {
  const g = await newGame();
  assert.deepEqual(await store.move(g.x, g.id, 4, 'same'), { ok: true, version: 3, status: 'playing' });
  assert.deepEqual(await store.move(g.x, g.id, 4, 'same'), { ok: true, version: 3, status: null }, 'a repeat reports no status: nothing was applied');
  assert.deepEqual(await store.move(g.x, g.id, 0, 'same'), { ok: true, version: 3, status: null }, 'same mid, other cell: still the first answer');
  const results = await Promise.all(Array.from({ length: 20 }, () => store.move(g.o, g.id, 0, 'o-mid')));
  assert.ok(results.every((r) => r.ok && r.version === 4));
  assert.equal(parseSnapshot((await store.readGame(g.id))!).board, 'O...X....');
});

test('every change publishes the full snapshot with its version, once', async () => {
  const g = await newGame();
  const { got, stop } = await listen(store.keys.gameChannel(g.id));
  await store.move(g.x, g.id, 0, 'a');
  await store.move(g.x, g.id, 0, 'a'); // repeat: no publish
  await store.move(g.o, g.id, 0, 'b'); // refused: no publish
  await store.resign(g.o, g.id);
  await stop();
  assert.equal(got.length, 2);
  assert.match(got[0], /^3 \{"t":"state","game":\{/);
  assert.match(got[1], /^4 /);
  const last = JSON.parse(got[1].slice(2)).game;
  assert.equal(last.status, 'won');
  assert.equal(last.reason, 'resign');
  assert.equal(last.winner, 'X');
});

test('quick match pairs concurrent players atomically, each into exactly one game', async () => {
  const inst = uid('inst');
  await store.heartbeat(inst, {}, 60_000);
  const players = Array.from({ length: 40 }, () => uid('q'));
  for (const p of players) await redis.sadd(store.keys.playerConns(p), `${inst}|c`);
  const results = await Promise.all(players.map((p) => store.queue(p, p, uid('qg'))));
  assert.ok(results.every((r) => r.ok));
  const games = new Set(results.map((r) => r.ok && r.matched).filter(Boolean));
  assert.equal(games.size, 20);
  const seats = new Map<string, number>();
  for (const id of games) {
    const s = parseSnapshot((await store.readGame(id as string))!);
    assert.equal(s.status, 'playing');
    for (const p of [s.players.X!.id, s.players.O!.id]) seats.set(p, (seats.get(p) ?? 0) + 1);
  }
  assert.equal(seats.size, 40);
  assert.ok([...seats.values()].every((v) => v === 1));
  assert.equal(await redis.zcard(store.keys.queue()), 0);
});

test('a queued player whose last connection closes leaves the queue and is never matched', async () => {
  const inst = uid('inst');
  await store.heartbeat(inst, {}, 60_000);
  const hello = (pid: string) => store.hello({ token: null, ...tokenFor(pid), name: pid, defaultName: 'G', instance: inst, conn: `${inst}|${pid}` });
  const gone = (await hello(uid('gone'))).playerId;
  const live = (await hello(uid('live'))).playerId;
  assert.deepEqual(await store.queue(gone, 'gone', uid('g')), { ok: true, matched: null });
  assert.equal(await store.disconnect(gone, inst, `${inst}|${gone}`), false);
  assert.deepEqual(await store.queue(live, 'live', uid('g')), { ok: true, matched: null });
  assert.equal(await redis.zscore(store.keys.queue(), gone), null);
  assert.equal(await redis.get(store.keys.playerQueue(gone)), null, 'its ticket went too');
});

test('sessions are stored under the token hash, never the token', async () => {
  const pid = uid('p');
  const token = `${pid}.tok-${'a'.repeat(40)}`;
  const r = await store.hello({ token: null, newToken: token, newPlayerId: pid, name: 'Ada', defaultName: 'Guest', instance: 'i', conn: 'i|c' });
  assert.equal(r.resumed, false);
  const keys = await redis.keys('*');
  assert.ok(!keys.some((k) => k.includes(token)));
  for (const k of keys) {
    const type = await redis.type(k);
    const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : type === 'string' ? await redis.get(k) : '';
    assert.ok(!String(dump).includes(token), `token in ${k}`);
  }
  assert.ok(keys.includes(store.keys.session(r.playerId, hashToken(token))));
  const again = await store.hello({ token, ...tokenFor(uid('p')), name: '', defaultName: 'G', instance: 'i', conn: 'i|d' });
  assert.deepEqual(again, { resumed: true, playerId: r.playerId, name: 'Ada' });
  assert.ok((await redis.ttl(store.keys.session(r.playerId, hashToken(token)))) > 3000);
});

test('a game, its channel and its time rules carry the hash tag of its bucket; a player\'s keys its own', () => {
  const b = bucketOf('abc');
  assert.equal(store.keys.game('abc'), `trine:game:{t:${b}}:abc`);
  assert.equal(store.keys.gameChannel('abc'), `trine:ch:game:{t:${b}}:abc`);
  assert.equal(store.keys.deadlines(b), `trine:deadlines:{t:${b}}`);
  assert.deepEqual(store.keys.parseChannel(`trine:ch:game:{t:${b}}:abc`), { kind: 'game', id: 'abc' });
  assert.deepEqual(store.keys.parseChannel('trine:ch:player:{p:P1}'), { kind: 'player', id: 'P1' });
  assert.equal(store.keys.parseChannel(`other:ch:game:{t:${b}}:abc`), null);
  assert.match(store.keys.session('P1', 'h'), /\{p:P1\}/);
});

test('a due turn clock is applied exactly once, whoever calls', async () => {
  const clocked = new Store(redis, { ...limits, turnMs: 50 }, 'clk');
  const g = await newGame(clocked);
  const before = parseSnapshot((await clocked.readGame(g.id))!);
  assert.ok(typeof before.deadline === 'number');
  await until('the turn clock due', () => clocked.dueGames(10), { ok: (ids) => ids.length > 0 });
  assert.deepEqual(await clocked.dueGames(10), [g.id]);
  const applied = await Promise.all(Array.from({ length: 8 }, () => clocked.expire(g.id)));
  assert.deepEqual(applied.filter(Boolean), ['timeout']);
  const s = parseSnapshot((await clocked.readGame(g.id))!);
  assert.equal(s.status, 'won');
  assert.equal(s.reason, 'timeout');
  assert.equal(s.winner, 'O');
  assert.equal(s.version, before.version + 1);
  assert.equal(s.deadline, null);
});

// ---- presence, abandonment, dead instances (issue 6) ----

/** A store with its own prefix and limits; players say hello on instance `inst` (alive). */
async function timed(prefix: string, l: Partial<typeof limits>) {
  const s = new Store(redis, { ...limits, ...l }, prefix);
  const hello = async (inst: string, token: string | null = null) => {
    await s.heartbeat(inst, {}, 60_000);
    const { newToken, newPlayerId } = tokenFor(uid('p'));
    const r = await s.hello({ token, newToken, newPlayerId, name: 'N', defaultName: 'G', instance: inst, conn: `${inst}|${uid('c')}` });
    return { ...r, token: token ?? newToken };
  };
  const game = async (instX: string, instO: string) => {
    const [x, o] = [await hello(instX), await hello(instO)];
    const id = uid('g');
    const code = uid('C').toUpperCase();
    assert.ok((await s.create(x.playerId, 'X', id, code)).ok);
    assert.ok((await s.join(o.playerId, 'O', code, id)).ok);
    return { id, x, o, code };
  };
  const snap = async (id: string) => parseSnapshot((await s.readGame(id))!);
  return { s, hello, game, snap, listen: (id: string) => listen(s.keys.gameChannel(id)) };
}
/** Waits until Redis' clock has made these games due (the deadlines set, as the gateways' sweep reads it). */
const dueBy = (s: Store, ids: string[]) =>
  until(`${ids.length} games due`, () => s.dueGames(10), { ok: (due) => ids.every((id) => due.includes(id)) });
/** The conn member of a player's only connection. */
const connOf = async (s: Store, pid: string) => (await redis.smembers(s.keys.playerConns(pid)))[0];

test('presence flips without a version: snapshot flags, P messages, abandonment clock set and cancelled', async () => {
  const t = await timed('prs', { abandonMs: 100 });
  const inst = uid('i');
  const g = await t.game(inst, inst);
  const v2 = await t.snap(g.id);
  assert.equal(v2.version, 2);
  assert.deepEqual([v2.players.X!.online, v2.players.O!.online], [true, true]);
  const l = await t.listen(g.id);
  assert.equal(await t.s.disconnect(g.o.playerId, inst, await connOf(t.s, g.o.playerId)), false);
  const due = Number(await redis.zscore(t.s.keys.deadlines(bucketOf(g.id)), g.id));
  assert.ok(due > Date.now() - 1000, 'abandonment of O scheduled');
  await t.hello(inst, g.o.token); // back in time: cancelled
  assert.equal(await redis.zscore(t.s.keys.deadlines(bucketOf(g.id)), g.id), await redis.hget(t.s.keys.game(g.id), 'il'), 'only the idle rule left (clocks off)');
  await l.stop();
  assert.equal(l.got.length, 2);
  assert.match(l.got[0], /^P \d+ \{"t":"presence","gameId":"[^"]+","online":\{"X":true,"O":false\}\}$/);
  assert.match(l.got[1], /"online":\{"X":true,"O":true\}\}$/);
  assert.equal((await t.snap(g.id)).version, 2, 'presence is not a game change');
  const room = await t.s.readRoom(g.id);
  assert.equal(room!.presence!.frame, l.got[1].replace(/^P \d+ /, ''));
  assert.ok(room!.presence!.seq > 1);
});

test('a seat offline for ABANDON_MS forfeits once (abandoned); both offline, or a waiting creator gone: aborted', async () => {
  const t = await timed('abn', { abandonMs: 60 });
  const inst = uid('i');
  const one = await t.game(inst, inst);
  const both = await t.game(inst, inst);
  const lone = await t.hello(inst); // creator of a private game nobody joined yet
  const waiting = uid('g');
  assert.ok((await t.s.create(lone.playerId, 'W', waiting, uid('C').toUpperCase())).ok);
  await t.s.disconnect(one.x.playerId, inst, await connOf(t.s, one.x.playerId));
  for (const p of [both.x, both.o, lone]) await t.s.disconnect(p.playerId, inst, await connOf(t.s, p.playerId));
  await dueBy(t.s, [one.id, both.id, waiting]);
  assert.deepEqual((await t.s.dueGames(10)).sort(), [one.id, both.id, waiting].sort());
  const applied = await Promise.all([one.id, both.id, waiting, one.id, both.id, waiting].map((id) => t.s.expire(id)));
  assert.deepEqual(applied.filter(Boolean), ['abandoned', 'abandoned', 'abandoned']);
  const w = await t.snap(waiting);
  assert.deepEqual([w.status, w.reason, w.version], ['aborted', 'abandoned', 2]);
  const a = await t.snap(one.id);
  assert.deepEqual([a.status, a.winner, a.reason, a.version, a.players.X!.online, a.players.O!.online], ['won', 'O', 'abandoned', 3, false, true]);
  const b = await t.snap(both.id);
  assert.deepEqual([b.status, b.winner, b.reason, b.version], ['aborted', null, 'abandoned', 3]);
  assert.equal(await t.s.deadlineCount(), 0);
});

test('a dead instance is reaped once, by any number of callers: its players go offline, leave the queue, start abandonment', async () => {
  const t = await timed('rip', { abandonMs: 60_000 });
  const [live, dead] = [uid('live'), uid('dead')];
  const g = await t.game(live, dead);
  const q = await t.hello(dead);
  assert.deepEqual(await t.s.queue(q.playerId, 'Q', uid('g')), { ok: true, matched: null });
  assert.equal(await t.s.reap(dead, 10), null, 'alive: nothing to reap');
  await t.s.unregister(dead); // SIGKILL: the key lapses, no disconnect ran
  assert.deepEqual(await t.s.deadInstances(live), [dead]);
  const l = await t.listen(g.id);
  // concurrent reapers may pick the same player in a round (each finishes it; the last step counts it
  // once): rounds until none is left, and every player counted exactly once over all of them
  let handled = 0;
  for (let round = 0; round < 10; round++) {
    const runs = await Promise.all(Array.from({ length: 4 }, () => t.s.reap(dead, 1)));
    handled += runs.reduce((n, r) => n + r!.handled, 0);
    if (runs.every((r) => r!.left === 0)) break;
  }
  assert.equal(handled, 2, 'each player handled once');
  assert.deepEqual(await t.s.reap(dead, 10), { handled: 0, left: 0 });
  assert.deepEqual(await t.s.deadInstances(live), []);
  await l.stop();
  assert.equal(l.got.length, 1);
  assert.match(l.got[0], /"online":\{"X":true,"O":false\}/);
  assert.equal(await redis.zscore(t.s.keys.queue(), q.playerId), null);
  assert.deepEqual(await redis.smembers(t.s.keys.playerConns(g.o.playerId)), []);
  assert.ok(Number(await redis.hget(t.s.keys.game(g.id), 'aO')) > Date.now(), 'O forfeits later unless back');
  assert.equal((await t.snap(g.id)).version, 2);
  // a gateway that was only stalled records its connections again: online, abandonment cancelled
  await t.s.heartbeat(dead, {}, 60_000);
  await t.s.attach(dead, [[g.o.playerId, `${dead}|again`]]);
  assert.equal(await redis.hget(t.s.keys.game(g.id), 'aO'), null);
  assert.equal(await redis.hget(t.s.keys.game(g.id), 'oO'), '1');
});

test('one deadline per game: the earliest rule applies, a cancelled one reschedules to the next', async () => {
  const t = await timed('one', { abandonMs: 40, turnMs: 300 });
  const inst = uid('i');
  const g = await t.game(inst, inst);
  const turnAt = (await t.snap(g.id)).deadline!;
  assert.equal(Number(await redis.zscore(t.s.keys.deadlines(bucketOf(g.id)), g.id)), turnAt);
  await t.s.disconnect(g.o.playerId, inst, await connOf(t.s, g.o.playerId));
  const abandonAt = await redis.zscore(t.s.keys.deadlines(bucketOf(g.id)), g.id);
  assert.ok(abandonAt !== null && Number(abandonAt) < turnAt, `abandonment of O comes first (${abandonAt})`);
  await t.hello(inst, g.o.token);
  assert.equal(Number(await redis.zscore(t.s.keys.deadlines(bucketOf(g.id)), g.id)), turnAt, 'back to the turn clock');
  await untilRedisClock(redis, Number(abandonAt), 'past the cancelled abandonment');
  assert.equal(await t.s.expire(g.id), null, 'nothing due yet');
  await dueBy(t.s, [g.id]);
  assert.deepEqual(await Promise.all([t.s.expire(g.id), t.s.expire(g.id)]), ['timeout', null]);
  const s = await t.snap(g.id);
  assert.deepEqual([s.status, s.winner, s.reason, s.version], ['won', 'O', 'timeout', 3]);
});

test('an expired invite aborts once and its code answers NOT_FOUND', async () => {
  const t = await timed('inv', { inviteTtlMs: 40, abandonMs: 60_000 });
  const inst = uid('i');
  const x = await t.hello(inst);
  const id = uid('g');
  const code = uid('C').toUpperCase();
  assert.ok((await t.s.create(x.playerId, 'X', id, code)).ok);
  await dueBy(t.s, [id]);
  assert.deepEqual(await Promise.all([t.s.expire(id), t.s.expire(id)]), ['expired', null]);
  const s = await t.snap(id);
  assert.deepEqual([s.status, s.reason, s.version], ['aborted', null, 2]);
  assert.equal(await t.s.gameOfCode(code), null);
  const o = await t.hello(inst);
  assert.deepEqual(await t.s.join(o.playerId, 'O', code, id), { ok: false, code: 'NOT_FOUND' });
});
