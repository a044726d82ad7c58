// Time rules and presence against a real 3-gateway cluster with short clocks, gateways SIGKILLed
// under the players: turn clocks apply once whoever survives, abandonment needs no disconnect
// script, presence travels without versions, the queue never matches a vanished player, and an
// expired invite is gone.
// Clocks: the turn clock (5 s) is longer than abandonment (1.5 s after a dead gateway is noticed,
// which takes up to 3 heartbeats of 300 ms), so each rule can be seen on its own.
import assert from 'node:assert/strict';
import { bucketOf } from '../server/store/keys.js';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { GameSnapshot } from '../shared/protocol.js';
import { Keys } from '../server/store/keys.js';
import { fence, player, type Msg, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { privateGameOn } from './support/play.js';
import { until, untilRedisClock } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const TURN_MS = 5000;
const ABANDON_MS = 1500;
const keys = new Keys();

const presence = (id: string, X: boolean, O: boolean) => (m: Msg) =>
  m.t === 'presence' && m.gameId === id && m.online?.X === X && m.online?.O === O;

/** The versions a client received of a game, in order, and that they run without gap or repeat. */
function assertVersions(c: TestClient, id: string, first: number, last: number): void {
  assert.deepEqual(c.states(id).map((g) => g.version), Array.from({ length: last - first + 1 }, (_, i) => first + i), `${c.label} versions`);
}

describe('turn clocks, abandonment and presence', () => {
  let cl: C;
  let ws: string[];
  let redis: Redis;
  before(async () => {
    cl = await startCluster({
      restartDelayMs: 300,
      env: { TURN_MS: String(TURN_MS), ABANDON_MS: String(ABANDON_MS), INVITE_TTL_MS: '1000', HEARTBEAT_MS: '300', SWEEP_MS: '100' },
    });
    ws = cl.gateways.map((g) => g.ws);
    redis = new Redis(cl.redisUrl);
  });
  after(async () => { redis.disconnect(); await cl.stop(); });

  /** A (X) on gateway `ax`, B (O) on `bo`, spectator S on `sg`, in a playing private game at version 2. */
  const privateGame = (ax: number, bo: number, sg: number, tag: string) => privateGameOn({ x: ws[ax], o: ws[bo], watcher: ws[sg] }, tag);

  /**
   * The instance id under which gateway `gatewayId` is registered now: waits until there is exactly
   * one (the registration of an instance killed earlier lives on for up to 3 heartbeats).
   */
  async function liveInstanceOf(gatewayId: string): Promise<string> {
    const registered = async () => {
      const mine: string[] = [];
      const [sec] = await redis.time();
      for (const [instance, v] of Object.entries(await redis.hgetall(keys.instances()))) {
        const m = /^(\d+) (.*)$/s.exec(v); // `EXPIRES DESCRIPTION` (lua/heartbeat-2.lua)
        if (m && Number(m[1]) > Number(sec) * 1000 && JSON.parse(m[2]).id === gatewayId) mine.push(instance);
      }
      return mine;
    };
    return (await until(`one live registration of ${gatewayId}`, registered, { ok: (mine) => mine.length === 1 }))[0];
  }

  /** SIGKILLs gateway `i`, runs `during` with the instance it killed, and waits until the gateway is back. */
  async function killAndRestart(i: number, during: (killed: string) => Promise<void>): Promise<void> {
    const killed = await liveInstanceOf(cl.gateways[i].id);
    cl.kill(cl.gateways[i]);
    try { await during(killed); } finally { await cl.waitReady(cl.gateways[i]); }
  }

  /** Waits until a surviving gateway has reaped `instance`: every rule its death could start is scheduled by then. */
  const reaped = (instance: string) =>
    until(`the dead instance ${instance} reaped`, async () => (await redis.hexists(keys.instances(), instance)) === 0, { timeoutMs: 8000 });

  /** What Redis holds for a game: the stored version and the instant of its next time rule (null: none). */
  async function stored(id: string): Promise<{ version: number; nextRule: number | null }> {
    const s = await redis.hget(keys.game(id), 's');
    const score = await redis.zscore(keys.deadlines(bucketOf(id)), id);
    return { version: s === null ? NaN : JSON.parse(s).version, nextRule: score === null ? null : Number(score) };
  }

  test('the player to move loses on time exactly once, though the gateway of both players is SIGKILLed just before', async () => {
    const { A, B, S, id } = await privateGame(0, 0, 1, 'T');
    const before = Date.now();
    await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'a' });
    const v3 = await S.stateAt(id, 3);
    assert.ok(v3.deadline! >= before + TURN_MS - 1000 && v3.deadline! <= Date.now() + TURN_MS + 1000, `deadline ${v3.deadline}`);
    const beforeB = Date.now();
    await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'b' });
    const v4 = await S.stateAt(id, 4);
    // a move restarts the clock (both moves may fall in the same millisecond of Redis' clock)
    assert.ok(v4.deadline! >= v3.deadline! && v4.deadline! >= beforeB + TURN_MS - 1000, `deadline ${v4.deadline} after ${v3.deadline}`);
    await untilRedisClock(redis, v4.deadline! - 400, 'Redis\' clock 400 ms before the turn deadline', TURN_MS + 2000);
    await killAndRestart(0, async (killed) => {
      const end = await S.stateAt(id, 5, TURN_MS);
      assert.deepEqual([end.status, end.winner, end.reason, end.turn, end.deadline], ['won', 'O', 'timeout', null, null]);
      // the killed gateway's players reaped (their abandonment is the other rule this game could get):
      // if nothing is scheduled now and Redis holds version 5, no second application can ever show
      await reaped(killed);
      assert.deepEqual(await stored(id), { version: 5, nextRule: null }, 'applied once, nothing left to apply');
      await fence(S);
      assertVersions(S, id, 1, 5);
      const A2 = await player(ws[2], 'TA2', { token: A.token });
      assert.deepEqual(A2.msgs.find((m) => m.t === 'welcome')!.games, []);
      await A2.ok({ t: 'watch', gameId: id });
      assert.equal(A2.latest(id)!.version, 5);
      for (const c of [A2, S]) c.close();
    });
  });

  test('a player whose gateway dies and who never comes back forfeits (abandoned); both gone: aborted', async () => {
    const one = await privateGame(0, 1, 2, 'Ab');
    const both = await privateGame(0, 0, 2, 'Bb');
    await killAndRestart(0, async () => {
      await one.B.waitFor(presence(one.id, false, true), 'X offline', { timeout: 4000 });
      const won = await one.S.stateAt(one.id, 3, 6000);
      assert.deepEqual([won.status, won.winner, won.reason], ['won', 'O', 'abandoned']);
      assert.equal(won.players.X!.online, false);
      const aborted = await both.S.stateAt(both.id, 3, 6000);
      assert.deepEqual([aborted.status, aborted.winner, aborted.reason], ['aborted', null, 'abandoned']);
      await one.B.stateAt(one.id, 3); // B's gateway delivers it on its own schedule
      assertVersions(one.B, one.id, 2, 3);
      for (const c of [one.B, one.S, both.S]) c.close();
    });
  });

  test('a player who comes back in time keeps playing', async () => {
    const { A, B, S, id } = await privateGame(0, 1, 2, 'K');
    await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'k1' });
    await killAndRestart(0, async () => {
      await B.waitFor(presence(id, false, true), 'X offline', { timeout: 4000 });
      const forfeitAt = Number(await redis.hget(keys.game(id), 'aX')); // set by the reap that published X offline
      assert.ok(Number.isFinite(forfeitAt) && forfeitAt > 0, `X's abandonment scheduled: ${forfeitAt}`);
      const from = B.msgs.length;
      const A2 = await player(ws[2], 'KA2', { token: A.token });
      assert.deepEqual(A2.msgs.find((m) => m.t === 'welcome')!.games, [id]);
      await A2.waitFor(presence(id, true, true), 'own presence on resume');
      await B.waitFor(presence(id, true, true), 'X back', { from });
      await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'k2' });
      await untilRedisClock(redis, forfeitAt, 'past the time X would have forfeited');
      const { nextRule } = await stored(id);
      assert.ok(nextRule !== null && nextRule > forfeitAt, `no rule was due when X would have forfeited (next: ${nextRule})`);
      const r = await A2.ok({ t: 'move', gameId: id, cell: 8, mid: 'k3' });
      assert.equal(r.version, 5);
      const s = await S.stateAt(id, 5);
      assert.equal(s.status, 'playing');
      assertVersions(S, id, 1, 5);
      for (const c of [A2, B, S]) c.close();
    });
  });

  test('a queued player whose gateway died is never matched', async () => {
    const queue = keys.queue();
    const P = await player(ws[0], 'QP');
    await P.ok({ t: 'queue' });
    await killAndRestart(0, async () => {
      await until('the vanished player left the queue', async () => (await redis.zscore(queue, P.player!.id)) === null);
      const Q = await player(ws[1], 'QQ');
      await Q.ok({ t: 'queue' });
      // the queue script ran before the answer: Q waits in the queue, seated nowhere
      assert.notEqual(await redis.zscore(queue, Q.player!.id), null, 'Q waits in the queue');
      assert.equal(await redis.zcard(keys.playerGames(Q.player!.id)), 0, 'Q is seated in no game');
      await fence(Q);
      assert.ok(!Q.msgs.some((m) => m.t === 'matched'), 'not matched with the vanished player');
      const R = await player(ws[2], 'QR');
      await R.ok({ t: 'queue' });
      const [mQ, mR] = await Promise.all([Q, R].map((c) => c.waitFor((m) => m.t === 'matched', 'matched')));
      assert.match(mQ.gameId, /./, 'matched names a game');
      assert.equal(mQ.gameId, mR.gameId);
      const g = await Q.stateWhere(mQ.gameId, (s) => s.status === 'playing', 'playing');
      assert.deepEqual([g.players.X!.id, g.players.O!.id].sort(), [Q.player!.id, R.player!.id].sort());
      for (const c of [Q, R]) { await c.ok({ t: 'resign', gameId: mQ.gameId }).catch(() => {}); c.close(); }
    });
  });

  test('an expired invite is aborted once and its code answers NOT_FOUND', async () => {
    const A = await player(ws[0], 'IA');
    const made = await A.ok({ t: 'create' });
    const end = await A.stateAt(made.gameId, 2, 4000);
    assert.equal(end.status, 'aborted');
    const B = await player(ws[1], 'IB');
    const e = await B.request({ t: 'join', code: made.code });
    assert.equal(e.code, 'NOT_FOUND');
    assert.deepEqual(await stored(made.gameId), { version: 2, nextRule: null }, 'aborted once, nothing left to apply');
    await fence(A);
    assertVersions(A, made.gameId, 1, 2);
    A.close(); B.close();
  });

  test('presence flips when the last socket closes and on resume, without a version', async () => {
    const { A, B, S, id } = await privateGame(0, 1, 2, 'P');
    const v2 = A.latest(id)!;
    assert.deepEqual([v2.players.X!.online, v2.players.O!.online], [true, true]);
    assert.ok(S.msgs.some(presence(id, true, false)), 'a watcher gets the presence with the snapshot');
    const B2 = await player(ws[0], 'PB2', { token: B.token }); // a second socket: closing one keeps B online
    const from = A.msgs.length;
    const presenceSeq = await redis.hget(keys.game(id), 'pv');
    B.close();
    // the disconnect script dropped B's connection; had it published a presence, it would have bumped pv in the same step
    await until('B\'s first socket forgotten in Redis', async () => (await redis.scard(keys.playerConns(B.player!.id))) === 1);
    assert.equal(await redis.hget(keys.game(id), 'pv'), presenceSeq, 'no presence published');
    assert.equal(await redis.hget(keys.game(id), 'oO'), '1', 'O still online');
    await fence(A);
    assert.ok(!A.msgs.slice(from).some((m) => m.t === 'presence'), 'still online through another socket');
    B2.close();
    await Promise.all([A, S].map((c) => c.waitFor(presence(id, true, false), 'O offline', { from })));
    const B3 = await player(ws[2], 'PB3', { token: B.token });
    await Promise.all([A, S].map((c) => c.waitFor(presence(id, true, true), 'O back', { from })));
    // the resumed socket gets the snapshot (flags as of version 2), then the current presence
    await B3.stateAt(id, 2);
    await B3.waitFor(presence(id, true, true), 'presence on resume');
    const i = B3.msgs.findIndex((m) => m.t === 'state' && m.game.id === id);
    assert.ok(presence(id, true, true)(B3.msgs[i + 1]), JSON.stringify(B3.msgs.slice(i, i + 2)));
    for (const c of [A, S]) assertVersions(c, id, 1, 2);
    const r = await A.ok({ t: 'move', gameId: id, cell: 0, mid: 'p1' });
    assert.equal(r.version, 3);
    const v3: GameSnapshot = await B3.stateAt(id, 3);
    assert.deepEqual([v3.players.X!.online, v3.players.O!.online], [true, true]);
    for (const c of [A, B3, S]) c.close();
  });
});
