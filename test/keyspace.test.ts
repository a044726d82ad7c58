// The cluster-ready keyspace (docs/REDIS.md): every script and command of the Store keeps to one
// slot, no Lua script builds a key, and each multi-slot sequence cut short between two steps (a
// fault hook of the Store: the steps before it ran against Redis) is repaired by its reconciler.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { ROOT } from '../server/launcher/cluster.js';
import { bucketOf, Keys, rematchId } from '../server/store/keys.js';
import { checkSlots } from '../server/store/scripts.js';
import { parseSnapshot, Store, type FaultHook } from '../server/store/store.js';
import { redisForFile, STORE_LIMITS, tokenFor, uid } from './support/store-redis.js';

let redis: Redis;
redisForFile((r) => { redis = r; });

const slot = (k: string) => calculateSlot(k);

test('the keys of a game, of a player, of a queue, of an instance each share one slot', () => {
  const k = new Keys();
  const id = fc.stringMatching(/^[A-Za-z0-9]{1,16}$/);
  fc.assert(fc.property(id, (g) => {
    const b = bucketOf(g);
    const game = [k.game(g), k.gameChannel(g), k.deadlines(b), k.outbox(b), k.sweepClock(b), k.outages(b), k.game(rematchId(g))];
    assert.equal(new Set(game.map(slot)).size, 1, game.join(' '));
    const player = [k.session(g, 'h'), k.playerGames(g), k.playerConns(g), k.presenceSeq(g), k.playerQueue(g), k.heldQueuePlace(g), k.playerIdem(g, 'i'), k.playerChannel(g)];
    assert.equal(new Set(player.map(slot)).size, 1, player.join(' '));
    assert.equal(new Set([k.queue(g), k.queueNames(g), k.queuePending(g)].map(slot)).size, 1);
    assert.equal(new Set([k.instancePlayers(g), k.fence(g)].map(slot)).size, 1);
  }));
  assert.equal(new Set([k.instances(), k.registryClock(), k.queuesInUse()].map(slot)).size, 1);
  // the guard the whole suite runs with (TRINE_CHECK_SLOTS=1)
  assert.equal(process.env.TRINE_CHECK_SLOTS, '1');
  assert.throws(() => checkSlots('a call', [k.game('a'), k.playerGames('a')]), /keys span slots/);
  assert.doesNotThrow(() => checkSlots('a call', [k.playerGames('a'), k.playerConns('a')]));
});

test('no Lua script builds a key or a channel name: every one is passed in', () => {
  const dir = join(ROOT, 'server', 'store', 'lua');
  const files = [...readdirSync(dir).filter((f) => f.endsWith('.lua')), ...readdirSync(join(dir, 'includes')).map((f) => join('includes', f))];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => !/^\s*--/.test(l)).join('\n');
    assert.doesNotMatch(text, /\bfmt\(|\bT\.\w|__KEY_TEMPLATES__/, `${f} builds names from templates`);
    assert.doesNotMatch(text, /trine:|\{[tpqi]:|\{r\}|:ch:/, `${f} spells a key, a hash tag or a channel`);
  }
});

/** A store whose fault hook throws at `step` (as its gateway dying there would), and a sound one on the same keys. */
function stores(step: string, l: Partial<typeof STORE_LIMITS> = {}) {
  const prefix = uid('k');
  const fault: FaultHook = (s) => { if (s === step) throw new Error(`cut short at ${s}`); };
  const limits = { ...STORE_LIMITS, maxGamesPerPlayer: 2, ...l };
  return { cut: new Store(redis, limits, prefix, undefined, fault), ok: new Store(redis, limits, prefix) };
}

async function hello(s: Store, inst: string, pid = uid('p')) {
  await s.heartbeat(inst, {}, 60_000);
  return (await s.hello({ token: null, ...tokenFor(pid), name: pid, defaultName: 'G', instance: inst, conn: `${inst}|${pid}` })).playerId;
}

test('S2: a reserved seat whose game was never made is released by the next reader once its grace is over', async () => {
  const { cut, ok } = stores('create:game');
  const x = await hello(ok, uid('i'));
  const id = uid('g');
  await assert.rejects(cut.create(x, 'X', id, uid('C').toUpperCase()), /cut short/);
  assert.notEqual(await redis.zscore(ok.keys.playerGames(x), id), null, 'reserved (G1: before the game)');
  assert.deepEqual(await ok.unfinishedGames(x), [], 'not a game of the player');
  assert.notEqual(await redis.zscore(ok.keys.playerGames(x), id), null, 'kept while it may still be made');
  await redis.zadd(ok.keys.playerGames(x), 'XX', 0, id); // its grace is over
  await ok.unfinishedGames(x);
  assert.equal(await redis.zscore(ok.keys.playerGames(x), id), null, 'released (G2)');
});

test('S2: a create cut short is finished by its resend with the same idem: the same game, once', async () => {
  const { cut, ok } = stores('create:game');
  const x = await hello(ok, uid('i'));
  const [id, code] = [uid('g'), uid('C').toUpperCase()];
  await assert.rejects(cut.create(x, 'X', id, code, 'idem-1'), /cut short/);
  const again = await ok.create(x, 'X', uid('g'), uid('C').toUpperCase(), 'idem-1');
  assert.deepEqual(again, { ok: true, version: 1, gameId: id, code });
  assert.deepEqual(await ok.create(x, 'X', uid('g'), uid('C').toUpperCase(), 'idem-1'), { ok: true, repeated: true, version: 1, gameId: id, code });
  assert.deepEqual(await redis.zrange(ok.keys.playerGames(x), '0', '-1'), [id]);
});

test('S4: a finished game left in a player\'s index is released by the next reader', async () => {
  const { cut, ok } = stores('end:release');
  const inst = uid('i');
  const [x, o] = [await hello(ok, inst), await hello(ok, inst)];
  const [id, code] = [uid('g'), uid('C').toUpperCase()];
  assert.ok((await ok.create(x, 'X', id, code)).ok);
  assert.ok((await ok.join(o, 'O', code, id)).ok);
  assert.deepEqual(await cut.resign(x, id), { ok: true, version: 3, status: 'won' }, 'the end is written; its release was cut short');
  assert.notEqual(await redis.zscore(ok.keys.playerGames(o), id), null, 'left in the index');
  assert.equal(await ok.gameOfCode(code), id, 'and its code');
  assert.deepEqual(await ok.unfinishedGames(o), []);
  assert.equal(await redis.zscore(ok.keys.playerGames(o), id), null, 'released by the reader');
});

test('S3: a pending match of a gateway that died is finished by any gateway: one game, both seated, tickets gone', async () => {
  for (const step of ['queue:seat', 'queue:matched', 'queue:done']) {
    const { cut, ok } = stores(step);
    const inst = uid('i');
    const [a, b] = [await hello(ok, inst), await hello(ok, inst)];
    assert.deepEqual(await ok.queue(a, 'A', uid('g')), { ok: true, matched: null });
    const id = uid('g');
    await assert.rejects(cut.queue(b, 'B', id), /cut short/, step);
    assert.equal(await ok.reconcileMatches(60_000), 0, 'a young pending match is its own gateway\'s');
    assert.equal(await ok.reconcileMatches(0), 1, `${step}: finished`);
    assert.equal(await ok.reconcileMatches(0), 0, 'once');
    const g = parseSnapshot((await ok.readGame(id))!);
    assert.deepEqual([g.status, g.players.X?.id, g.players.O?.id], ['playing', a, b]);
    for (const p of [a, b]) {
      assert.deepEqual((await ok.unfinishedGames(p)).map((u) => u.id), [id], `${step}: ${p} has the game`);
      assert.equal(await redis.get(ok.keys.playerQueue(p)), null, `${step}: ticket gone`);
    }
    assert.equal(await redis.hlen(ok.keys.queuePending()), 0);
  }
});

test('S1: a dead gateway\'s players go offline in their games, though its disconnects were cut short (the reaper)', async () => {
  const { cut, ok } = stores('disconnect:presence', { abandonMs: 60_000 });
  const [live, dead] = [uid('live'), uid('dead')];
  const x = await hello(ok, live);
  const o = await hello(ok, dead);
  const [id, code] = [uid('g'), uid('C').toUpperCase()];
  assert.ok((await ok.create(x, 'X', id, code)).ok);
  assert.ok((await ok.join(o, 'O', code, id)).ok);
  await assert.rejects(cut.disconnect(o, dead, `${dead}|${o}`), /cut short/);
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '1', 'the game still shows O online');
  assert.equal(await redis.sismember(ok.keys.instancePlayers(dead), o), 1, 'P1: still in the index');
  await ok.unregister(dead); // the gateway dies
  assert.deepEqual(await ok.reap(dead, 10), { handled: 1, left: 0 });
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '0', 'offline');
  assert.ok(Number(await redis.hget(ok.keys.game(id), 'aO')) > 0, 'its abandonment clock runs');
  assert.equal(await redis.hget(ok.keys.game(id), 'oX'), '1');
});

test('S1: presence steps arriving late or twice change nothing (P2); a hello cut short is repaired by the next hello', async () => {
  const { cut, ok } = stores('hello:presence', { abandonMs: 60_000 });
  const inst = uid('i');
  const [x, o] = [await hello(ok, inst), await hello(ok, inst)];
  const [id, code] = [uid('g'), uid('C').toUpperCase()];
  assert.ok((await ok.create(x, 'X', id, code)).ok);
  assert.ok((await ok.join(o, 'O', code, id)).ok);
  assert.equal(await ok.disconnect(o, inst, `${inst}|${o}`), false);
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '0');
  const seq = Number(await redis.get(ok.keys.presenceSeq(o)));
  const step = (online: 0 | 1, s: number) => ok.exec('presence',
    [ok.keys.game(id), ok.keys.deadlines(bucketOf(id)), ok.keys.outbox(bucketOf(id))], [o, online, s, 60_000, ok.keys.gameChannel(id)], false);
  assert.equal(await step(1, seq - 1), 0, 'an older step is not applied');
  assert.equal(await step(0, seq), 0, 'nor one applied already');
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '0');
  await assert.rejects(cut.hello({ token: null, ...tokenFor(o), name: 'O', defaultName: 'G', instance: inst, conn: `${inst}|${o}2` }), /cut short/);
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '0', 'the presence step was lost');
  await hello(ok, inst, o);
  assert.equal(await redis.hget(ok.keys.game(id), 'oO'), '1', 'the next hello carries it again');
  assert.equal(await redis.hget(ok.keys.game(id), 'aO'), null);
});
