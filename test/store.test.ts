// The Lua scripts against a real Redis: same rules as shared/rules.ts, idempotent moves, atomic
// quick match, sessions stored by hash only, time rules applied exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { hashToken, parseSnapshot, Store } from '../server/store/store.js';
import { applyMove, type Mark } from '../shared/rules.js';

let server: RedisServer;
let redis: Redis;
let store: Store;
let n = 0;
const uid = (p: string) => `${p}${++n}x${Math.random().toString(36).slice(2, 8)}`;
const limits = { maxGamesPerPlayer: 1, turnMs: 0, inviteTtlMs: 0, finishedTtlS: 60, sessionTtlS: 3600 };

before(async () => {
  server = new RedisServer();
  await server.start();
  redis = new Redis(server.url);
  store = new Store(redis, limits);
});
after(async () => { redis.disconnect(); await server.stop(); });

/** Two players online (an instance key alive) in a new playing private game. */
async function newGame(s = store) {
  const inst = uid('inst');
  await redis.set(s.keys.instance(inst), '{}', 'PX', 60_000);
  const [x, o] = [uid('px'), uid('po')];
  for (const p of [x, o]) await redis.sadd(s.keys.playerConns(p), `${inst}|c`);
  const id = uid('g');
  const code = uid('C').toUpperCase();
  assert.deepEqual(await s.create(x, 'X', id, code), { ok: true, version: 1 });
  assert.deepEqual(await s.join(o, 'O', code, id), { ok: true, version: 2 });
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
      assert.deepEqual(got, { ok: true, version });
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
  assert.deepEqual(await store.move(g.x, g.id, 4, 'same'), { ok: true, version: 3 });
  assert.deepEqual(await store.move(g.x, g.id, 4, 'same'), { ok: true, version: 3 });
  assert.deepEqual(await store.move(g.x, g.id, 0, 'same'), { ok: true, version: 3 }, 'same mid, other cell: still the first answer');
  const results = await Promise.all(Array.from({ length: 20 }, () => store.move(g.o, g.id, 0, 'o-mid')));
  assert.ok(results.every((r) => r.ok && r.version === 4));
  assert.equal(parseSnapshot((await store.readGame(g.id))!).board, 'O...X....');
});

test('every change publishes the full snapshot with its version, once', async () => {
  const g = await newGame();
  const sub = new Redis(server.url);
  const got: string[] = [];
  await sub.subscribe(store.keys.gameChannel(g.id));
  sub.on('message', (_c, m) => got.push(m));
  await store.move(g.x, g.id, 0, 'a');
  await store.move(g.x, g.id, 0, 'a'); // repeat: no publish
  await store.move(g.o, g.id, 0, 'b'); // refused: no publish
  await store.resign(g.o, g.id);
  await new Promise((r) => setTimeout(r, 100));
  sub.disconnect();
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
  await redis.set(store.keys.instance(inst), '{}', 'PX', 60_000);
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

test('a queued player with no live connection is never matched', async () => {
  const gone = uid('gone');
  const live = uid('live');
  const inst = uid('inst');
  await redis.set(store.keys.instance(inst), '{}', 'PX', 60_000);
  await redis.sadd(store.keys.playerConns(gone), `dead-instance|c`);
  await redis.sadd(store.keys.playerConns(live), `${inst}|c`);
  assert.deepEqual(await store.queue(gone, 'gone', uid('g')), { ok: true, matched: null });
  assert.deepEqual(await store.queue(live, 'live', uid('g')), { ok: true, matched: null });
  assert.equal(await redis.zscore(store.keys.queue(), gone), null);
});

test('sessions are stored under the token hash, never the token', async () => {
  const token = 'tok-' + 'a'.repeat(40);
  const r = await store.hello({ token: null, newToken: token, newPlayerId: uid('p'), name: 'Ada', defaultName: 'Guest', conn: 'i|c' });
  assert.equal(r.resumed, false);
  const keys = await redis.keys('*');
  assert.ok(!keys.some((k) => k.includes(token)));
  for (const k of keys) {
    const type = await redis.type(k);
    const dump = type === 'hash' ? JSON.stringify(await redis.hgetall(k)) : type === 'string' ? await redis.get(k) : '';
    assert.ok(!String(dump).includes(token), `token in ${k}`);
  }
  assert.ok(keys.includes(store.keys.session(hashToken(token))));
  const again = await store.hello({ token, newToken: 'other-token-xxxxxxxx', newPlayerId: uid('p'), name: '', defaultName: 'G', conn: 'i|d' });
  assert.deepEqual(again, { resumed: true, playerId: r.playerId, name: 'Ada' });
  assert.ok((await redis.ttl(store.keys.session(hashToken(token)))) > 3000);
});

test('game keys carry a hash tag per game', () => {
  assert.equal(store.keys.game('abc'), 'trine:game:{g:abc}');
  assert.equal(store.keys.gameChannel('abc'), 'trine:ch:game:{g:abc}');
  assert.deepEqual(store.keys.parseChannel('trine:ch:player:{p:P1}'), { kind: 'player', id: 'P1' });
  assert.equal(store.keys.parseChannel('other:ch:game:{g:x}'), null);
});

test('a due turn clock is applied exactly once, whoever calls', async () => {
  const clocked = new Store(redis, { ...limits, turnMs: 50 }, 'clk');
  const g = await newGame(clocked);
  const before = parseSnapshot((await clocked.readGame(g.id))!);
  assert.ok(typeof before.deadline === 'number');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(await clocked.dueGames(10), [g.id]);
  const applied = await Promise.all(Array.from({ length: 8 }, () => clocked.expire(g.id)));
  assert.equal(applied.filter(Boolean).length, 1);
  const s = parseSnapshot((await clocked.readGame(g.id))!);
  assert.equal(s.status, 'won');
  assert.equal(s.reason, 'timeout');
  assert.equal(s.winner, 'O');
  assert.equal(s.version, before.version + 1);
  assert.equal(s.deadline, null);
});
