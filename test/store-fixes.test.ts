// The store-side fixes of issue 14 against a real Redis: rematch asks and the queue (3), idle games
// (4), outages recorded by the heartbeat (1, 2) and claimed sweeps (5).
import assert from 'node:assert/strict';
import { tokenFor } from './support/store-redis.js';
import { bucketOf } from '../server/store/keys.js';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisForFile, STORE_LIMITS, uid } from './support/store-redis.js';
import { parseSnapshot, Store, type StoreLimits } from '../server/store/store.js';
import { until as pollUntil } from './support/until.js';

let redis: Redis;
redisForFile((r) => { redis = r; });
const LIMITS = STORE_LIMITS;

/** A store of its own prefix; `player()` says hello on a live instance. */
function world(l: Partial<StoreLimits> = {}) {
  const s = new Store(redis, { ...LIMITS, ...l }, uid('t'));
  const inst = uid('i');
  const player = async () => {
    await s.heartbeat(inst, {}, 60_000);
    const r = await s.hello({ token: null, ...tokenFor(uid('p')), name: 'N', defaultName: 'G', instance: inst, conn: `${inst}|${uid('c')}` });
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

/** A bounded poll (the shared helper of test/support/until.ts), in this file's argument order. */
const until = (check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<boolean> => pollUntil(what, check, { timeoutMs: ms, everyMs: 20 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Redis' clock, in ms. */
const redisNow = async () => { const [s, u] = await redis.time(); return Number(s) * 1000 + Math.floor(Number(u) / 1000); };

test('idle rule: with every clock off, an unfinished game nobody touches is aborted, its code and list entries freed', async () => {
  const w = world({ gameIdleTtlS: 1 });
  const [x, o, y] = [await w.player(), await w.player(), await w.player()];
  const playing = await w.privateGame(x, o);
  const waiting = await w.privateGame(y, null);
  for (const id of [playing.id, waiting.id]) assert.ok(Number(await redis.zscore(w.s.keys.deadlines(bucketOf(id)), id)) > await redisNow(), 'scheduled at its idle lifetime');
  const applied: string[] = [];
  await until(async () => {
    for (const id of await w.s.claimDue(10, 5000)) { const r = await w.s.expire(id); if (typeof r === 'string') applied.push(r); }
    return applied.length === 2;
  }, 5000, 'both games idle');
  assert.deepEqual(applied, ['idle', 'idle']);
  for (const id of [playing.id, waiting.id]) {
    const g = await w.snap(id);
    assert.deepEqual([g.status, g.reason], ['aborted', null]);
    assert.ok((await redis.ttl(w.s.keys.game(id))) > 0, 'a finished game expires');
  }
  assert.equal(await redis.exists(w.s.keys.code(waiting.code), w.s.keys.code(playing.code)), 0);
  for (const p of [x, o, y]) assert.equal(await redis.zcard(w.s.keys.playerGames(p)), 0);
  assert.equal(await w.s.deadlineCount(), 0);
});

test('claims: concurrent sweeps take disjoint slices of the due games, each applied once', async () => {
  const w = world({ inviteTtlMs: 1 });
  // 60 waiting games of 60 players, each due at once
  const due: string[] = [];
  for (let i = 0; i < 60; i++) {
    const q = await w.player();
    const id = uid('g');
    assert.ok((await w.s.create(q, 'X', id, uid('C').toUpperCase())).ok);
    due.push(id);
  }
  await until(async () => (await w.s.dueGames(100)).length === 60, 2000, 'all due');
  const slices = await Promise.all([w.s.claimDue(25, 5000), w.s.claimDue(25, 5000), w.s.claimDue(25, 5000)]);
  const all = slices.flat();
  assert.equal(new Set(all).size, all.length, 'no game in two slices');
  assert.deepEqual([...all].sort(), [...due].sort());
  assert.deepEqual(await w.s.claimDue(25, 5000), [], 'claimed games are off every sweep for the lease');
  const applied = await Promise.all([...all, ...all].map((id) => w.s.expire(id)));
  assert.equal(applied.filter((r) => r === 'expired').length, 60, 'each applied once');
  assert.equal(await w.s.deadlineCount(), 0);
});

/** Beats for `inst` every `every` ms until stopped (a live gateway). */
function beating(s: Store, inst: string, ttlMs: number, every = ttlMs / 3) {
  let on = true;
  const done = (async () => { while (on) { await s.heartbeat(inst, {}, ttlMs); await sleep(every); } })();
  return async () => { on = false; await done; };
}

test('outage: the first gateway back reaps nobody until the others had a fair chance to renew; their queued players stay queued', async () => {
  const TTL = 600; // 3 beats of 200 ms: an outage is a silence over 1000 ms (the floor), grace 800 ms
  const w = world();
  const [a, b] = [uid('a'), uid('b')];
  await w.s.heartbeat(a, {}, TTL);
  await w.s.heartbeat(b, {}, TTL);
  const q = await w.s.hello({ token: null, ...tokenFor(uid('q')), name: 'Q', defaultName: 'G', instance: b, conn: `${b}|c1` });
  assert.deepEqual(await w.s.queue(q.playerId, 'Q', uid('g')), { ok: true, matched: null });
  await sleep(1300); // nobody beats: the store is "down" for longer than the registrations live and the outage gap
  assert.ok(!(await w.s.liveInstanceIds()).includes(b), 'b lapsed');
  assert.equal(await w.s.heartbeat(a, {}, TTL), false, 'a is back first (its own registration lapsed too)');
  assert.ok(Number(await redis.hget(w.s.keys.registryClock(), 'up')) > 0, 'the outage is recorded');
  assert.equal(await w.s.reap(b, 10), null, 'b is not judged during the grace');
  assert.ok(await redis.zscore(w.s.keys.queue(), q.playerId), 'Q still queued');
  const r = await w.player();
  const m = await w.s.queue(r, 'R', uid('g'));
  assert.ok(m.ok && m.matched, 'a newcomer is matched with Q, whose gateway has not renewed yet');
  // b never comes back: once the grace is over it is reaped as dead
  const stopA = beating(w.s, a, TTL);
  try {
    await until(async () => (await w.s.reap(b, 10)) !== null, 3000, 'b reaped after the grace');
  } finally { await stopA(); }
});

test('a gateway cut off alone is reaped, and gets its queued players\' places back when it records them again', async () => {
  const TTL = 600;
  const w = world();
  const [a, b] = [uid('a'), uid('b')];
  await w.s.heartbeat(b, {}, TTL);
  const stopA = beating(w.s, a, TTL);
  try {
    const member = `${b}|c1`;
    const q = await w.s.hello({ token: null, ...tokenFor(uid('q')), name: 'Q', defaultName: 'G', instance: b, conn: member });
    assert.deepEqual(await w.s.queue(q.playerId, 'Q', uid('g')), { ok: true, matched: null });
    const place = await redis.zscore(w.s.keys.queue(), q.playerId);
    await until(async () => (await w.s.reap(b, 10)) !== null, 3000, 'b reaped (the store stayed up)');
    assert.equal(await redis.zscore(w.s.keys.queue(), q.playerId), null, 'out of the queue while its gateway is gone');
    assert.equal(await w.s.heartbeat(b, {}, TTL), false, 'b is back: its registration had lapsed');
    await w.s.attach(b, [[q.playerId, member]]);
    assert.equal(await redis.zscore(w.s.keys.queue(), q.playerId), place, 'Q is back at its old place');
    assert.equal(await redis.exists(w.s.keys.heldQueuePlace(q.playerId)), 0);
  } finally { await stopA(); }
});

test('outage: a turn clock stops while the store is down; the mover keeps the time it had, then the clock runs as before', async () => {
  const TTL = 600;
  const TURN = 600;
  const w = world({ turnMs: TURN });
  const a = uid('a');
  await w.s.heartbeat(a, {}, TTL);
  const [x, o] = [await w.player(), await w.player()];
  const { id } = await w.privateGame(x, o);
  const before = await w.snap(id);
  const b = bucketOf(id);
  assert.deepEqual(await w.s.claimDue(10, 5000, [b]), [], 'the bucket is swept');
  await sleep(1300); // nobody sweeps: the outage outlasts X's turn and the outage gap
  assert.equal(await w.s.expire(id), null, 'not judged before the outage is recorded');
  assert.deepEqual(await w.s.claimDue(10, 5000, [b]), [], 'back: the first sweep records the outage and claims nothing');
  assert.deepEqual(await w.s.claimDue(10, 5000, [b]), [id]);
  const [outage] = await redis.zrange(w.s.keys.outages(b), '0', '-1');
  const [from, to] = outage.split('-').map(Number);
  assert.equal(await w.s.expire(id), null, 'X did not lose on time');
  const after = await w.snap(id);
  assert.equal(after.status, 'playing');
  assert.equal(after.version, before.version + 1, 'a moved clock is a new version');
  assert.equal(after.deadline, before.deadline! + (to - Math.max(from, before.deadline! - TURN)), 'moved by the part of the outage within the turn');
  assert.equal(await w.s.expire(id), null, 'applied once');
  assert.equal((await w.snap(id)).version, after.version);
  const stop = beating(w.s, a, TTL);
  try {
    assert.deepEqual(await w.s.move(x, id, 4, 'm1'), { ok: true, version: after.version + 1, status: 'playing' });
    await until(async () => {
      for (const g of await w.s.claimDue(10, 5000, [b])) await w.s.expire(g);
      return (await w.snap(id)).status !== 'playing';
    }, 5000, 'O times out as usual');
    assert.deepEqual([(await w.snap(id)).reason, (await w.snap(id)).winner], ['timeout', 'X']);
  } finally { await stop(); }
});
