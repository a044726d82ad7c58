// The store-side fixes of issue 14 against a real Redis: rematch asks and the queue (3), idle games
// (4), outages recorded by the heartbeat (1, 2) and claimed sweeps (5).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { parseSnapshot, Store, type StoreLimits } from '../server/store/store.js';

let server: RedisServer;
let redis: Redis;
let n = 0;
const uid = (p: string) => `${p}${++n}x${Math.random().toString(36).slice(2, 8)}`;
const LIMITS: StoreLimits = { maxGamesPerPlayer: 1, turnMs: 0, abandonMs: 0, inviteTtlMs: 0, finishedTtlS: 60, sessionTtlS: 3600, gameIdleTtlS: 86400 };

before(async () => {
  server = new RedisServer();
  await server.start();
  redis = new Redis(server.url);
});
after(async () => { redis.disconnect(); await server.stop(); });

/** A store of its own prefix; `player()` says hello on a live instance. */
function world(l: Partial<StoreLimits> = {}) {
  const s = new Store(redis, { ...LIMITS, ...l }, uid('t'));
  const inst = uid('i');
  const player = async () => {
    await redis.set(s.keys.instance(inst), '{}', 'PX', 60_000);
    const r = await s.hello({ token: null, newToken: uid('token-xxxxxxxxxxxx'), newPlayerId: uid('p'), name: 'N', defaultName: 'G', instance: inst, conn: `${inst}|${uid('c')}` });
    return r.playerId;
  };
  const privateGame = async (x: string, o: string | null) => {
    const id = uid('g');
    const code = uid('C').toUpperCase();
    assert.ok((await s.create(x, 'X', id, code)).ok);
    if (o) assert.ok((await s.join(o, 'O', code, id)).ok);
    return { id, code };
  };
  const snap = async (id: string) => parseSnapshot((await s.readGame(id))!);
  return { s, inst, player, privateGame, snap };
}

/** A finished game between two players (X resigned). */
async function finished(w: ReturnType<typeof world>) {
  const [x, o] = [await w.player(), await w.player()];
  const { id } = await w.privateGame(x, o);
  assert.ok((await w.s.resign(x, id)).ok);
  return { id, x, o };
}

test('rematch: an ask refused for ALREADY_IN_GAME is not recorded, so it never starts a game later', async () => {
  const w = world();
  const f = await finished(w);
  assert.deepEqual(await w.s.rematch(f.x, f.id, uid('g')), { ok: true, started: null }, 'X asks');
  const busy = await w.privateGame(f.o, null); // O holds another unfinished game
  assert.deepEqual(await w.s.rematch(f.o, f.id, uid('g')), { ok: false, code: 'ALREADY_IN_GAME' });
  assert.ok((await w.s.resign(f.o, busy.id)).ok); // O is free again, but never asked successfully
  assert.deepEqual(await w.s.rematch(f.x, f.id, uid('g')), { ok: true, started: null }, 'X asking again starts nothing');
  const started = await w.s.rematch(f.o, f.id, uid('g'));
  assert.ok(started.ok && started.started, 'O asking now starts it');
  // a player holding another game is refused before its ask counts, even when asking first
  const g = await finished(w);
  const other = await w.privateGame(g.x, null);
  assert.deepEqual(await w.s.rematch(g.x, g.id, uid('g')), { ok: false, code: 'ALREADY_IN_GAME' });
  assert.equal(await redis.hget(w.s.keys.game(g.id), 'rX'), null);
  assert.ok((await w.s.resign(g.x, other.id)).ok);
  assert.deepEqual(await w.s.rematch(g.o, g.id, uid('g')), { ok: true, started: null });
});

test('rematch: starting the new game takes both players out of the quick-match queue', async () => {
  const w = world();
  const f = await finished(w);
  assert.deepEqual(await w.s.queue(f.x, 'X', uid('g')), { ok: true, matched: null }, 'X waits for a quick match');
  assert.deepEqual(await w.s.rematch(f.o, f.id, uid('g')), { ok: true, started: null });
  const r = await w.s.rematch(f.x, f.id, uid('g'));
  assert.ok(r.ok && r.started);
  assert.equal(await redis.zscore(w.s.keys.queue(), f.x), null, 'X left the queue');
  assert.equal(await redis.hget(w.s.keys.queueNames(), f.x), null);
  const z = await w.player();
  assert.deepEqual(await w.s.queue(z, 'Z', uid('g')), { ok: true, matched: null }, 'a newcomer is not matched with X');
});
