// The wire contract end to end, against a real 3-gateway cluster, once per transport, on one Redis
// (REDIS_MODE=single) and on a Redis Cluster (REDIS_MODE=cluster: sharded keys, SPUBLISH/SSUBSCRIBE,
// WAIT per shard): the project's own cover of PROTOCOL.md (the ../shared checker runs in addition
// when present).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import { fence, player, TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { privateGameOn } from './support/play.js';
import { until } from './support/until.js';
import { Keys } from '../server/store/keys.js';

type C = Awaited<ReturnType<typeof startCluster>>;

/** Gateways subscribed to a game's channel: PUBSUB NUMSUB, or SHARDNUMSUB on the node that serves its slot. */
async function subscribersOf(cl: C, channel: string): Promise<number> {
  if (cl.describe().redis.mode !== 'cluster') {
    const r = new Redis(cl.redisUrl);
    try { return Number((await r.pubsub('NUMSUB', channel))[1]); } finally { r.disconnect(); }
  }
  const c = new Cluster(cl.describe().redis.nodes.map((n) => ({ host: n.host, port: n.port })));
  try {
    await until('cluster slots known', () => c.slots.length > 0 && c.status === 'ready');
    const node = c.slots[calculateSlot(channel)][0];
    const r = c.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === node)!;
    return Number((await r.call('PUBSUB', 'SHARDNUMSUB', channel) as unknown[])[1]);
  } finally { c.disconnect(); }
}

for (const [transport, redisMode] of [['uws', 'single'], ['ws', 'single'], ['uws', 'cluster'], ['ws', 'cluster']] as const) {
  describe(`gateway over ${transport}, REDIS_MODE=${redisMode}`, () => {
    let cl: C;
    let ws: string[];
    before(async () => {
      cl = await startCluster({ transport, redisMode, restartDelayMs: 500, env: { HELLO_TIMEOUT_MS: '1000' } });
      ws = cl.gateways.map((g) => g.ws);
    });
    after(async () => { await cl.stop(); });

    /** A (X) on gw-0, B (O) on gw-1, spectator S on gw-2, in a playing private game at version 2. */
    const privateGame = () => privateGameOn({ x: ws[0], o: ws[1], watcher: ws[2] });

    test('two players on two gateways play to a win; a spectator on a third sees every version in order', async () => {
      const { A, B, S, id } = await privateGame();
      const cells = [4, 0, 2, 6, 3, 8, 5];
      let v = 2;
      for (const [i, cell] of cells.entries()) {
        const r = await (i % 2 ? B : A).ok({ t: 'move', gameId: id, cell, mid: `m${i}` });
        assert.equal(r.version, ++v);
      }
      for (const c of [A, B, S]) {
        const s = await c.stateAt(id, v);
        assert.equal(s.status, 'won');
        assert.equal(s.winner, 'X');
        assert.deepEqual([...s.line!].sort(), [3, 4, 5]);
        assert.equal(s.turn, null);
      }
      await fence(S, B); // whatever either gateway queued for S and B has arrived: nothing more, nothing twice
      assert.deepEqual(S.states(id).map((g) => g.version), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(B.states(id).map((g) => g.version), [2, 3, 4, 5, 6, 7, 8, 9]);
      for (const c of [A, B, S]) c.close();
    });

    test('every socket of one player, on any gateway, gets the updates of its games', async () => {
      const A1 = await player(ws[0], 'A1');
      const A2 = await player(ws[2], 'A2', { token: A1.token });
      const made = await A1.ok({ t: 'create' });
      await A2.stateAt(made.gameId, 1);
      const B = await player(ws[1], 'B');
      await B.ok({ t: 'join', code: made.code });
      await A2.ok({ t: 'move', gameId: made.gameId, cell: 0, mid: 'x' });
      await A1.stateAt(made.gameId, 3);
      for (const c of [A1, A2, B]) c.close();
    });

    test('quick match across gateways, then rematch with seats swapped', async () => {
      const A = await player(ws[0], 'QA');
      const B = await player(ws[1], 'QB');
      await A.ok({ t: 'queue' });
      await B.ok({ t: 'queue' });
      const [mA, mB] = await Promise.all([A, B].map((c) => c.waitFor((m) => m.t === 'matched', 'matched')));
      assert.match(mA.gameId, /./, 'matched names a game');
      assert.equal(mA.gameId, mB.gameId);
      const g = await A.stateWhere(mA.gameId, (s) => s.status === 'playing', 'playing');
      const X = g.players.X!.id === A.player!.id ? A : B;
      await X.ok({ t: 'resign', gameId: g.id });
      await A.ok({ t: 'rematch', gameId: g.id });
      await B.ok({ t: 'rematch', gameId: g.id });
      const r = await A.waitFor((m) => m.t === 'rematch', 'rematch');
      const n = await B.stateWhere(r.gameId, (s) => s.status === 'playing', 'rematch game');
      assert.equal(n.players.O!.id, X.player!.id, 'seats swapped');
      A.close(); B.close();
    });

    test('rematch of a game still being played: GAME_IN_PROGRESS, nothing reserved', async () => {
      const { A, B, S, id } = await privateGame();
      const e = await A.request({ t: 'rematch', gameId: id });
      assert.equal(e.code, 'GAME_IN_PROGRESS');
      await A.ok({ t: 'resign', gameId: id });
      await A.ok({ t: 'rematch', gameId: id });
      await B.ok({ t: 'rematch', gameId: id });
      const r = await B.waitFor((m) => m.t === 'rematch', 'rematch');
      await A.stateWhere(r.gameId, (g) => g.status === 'playing', 'rematch playing');
      for (const c of [A, B, S]) c.close();
    });

    test('SIGKILL of a gateway mid-move: resume elsewhere, resend the same mid, applied once, game ends', async () => {
      const { A, B, S, id } = await privateGame();
      await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'k1' });
      await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'k2' });
      await B.stateAt(id, 4);
      A.send({ t: 'move', rid: 'inflight', gameId: id, cell: 8, mid: 'k3' });
      cl.kill(cl.gateways[0]);
      await A.waitClose();
      const A2 = await player(ws[2], 'A2', { token: A.token });
      const resumed = A2.msgs.find((m) => m.t === 'welcome')!;
      assert.equal(resumed.resumed, true);
      assert.deepEqual(resumed.games, [id]);
      const r = await A2.ok({ t: 'move', gameId: id, cell: 8, mid: 'k3' });
      assert.equal(r.version, 5);
      await B.ok({ t: 'move', gameId: id, cell: 1, mid: 'k4' });
      await A2.ok({ t: 'move', gameId: id, cell: 2, mid: 'k5' }); // no win yet: X has 4 8 2
      await B.ok({ t: 'move', gameId: id, cell: 6, mid: 'k6' });
      const end = await A2.ok({ t: 'move', gameId: id, cell: 5, mid: 'k7' }); // X 2 5 8
      for (const c of [A2, B, S]) {
        const s = await c.stateAt(id, end.version);
        assert.equal(s.status, 'won');
        assert.equal(s.board, 'OOX.XXO.X');
      }
      assert.deepEqual([...new Set(S.states(id).map((s) => s.version))], S.states(id).map((s) => s.version), 'no version twice');
      for (const c of [A2, B, S]) c.close();
      await cl.waitReady(cl.gateways[0]);
    });

    test('frames: over 4096 bytes close 1009; binary frames and garbage get BAD_MESSAGE', async () => {
      const c = await player(ws[1], 'F');
      c.sendRaw(Buffer.from([1, 2, 3]));
      const e = await c.waitFor((m) => m.t === 'error', 'binary error');
      assert.equal(e.code, 'BAD_MESSAGE');
      c.sendRaw('{"t":');
      await c.waitFor((m, ) => m.t === 'error' && c.msgs.filter((x) => x.t === 'error').length === 2, 'garbage error');
      c.sendRaw(JSON.stringify({ t: 'ping', pad: 'x'.repeat(5000) }));
      assert.equal((await c.waitClose()).code, 1009);
    });

    test('no hello within HELLO_TIMEOUT_MS: close 1008; requests before hello: HELLO_FIRST', async () => {
      const c = await TestClient.open(ws[0], 'silent');
      const e = await c.request({ t: 'create' });
      assert.equal(e.code, 'HELLO_FIRST');
      assert.equal((await c.waitClose(3000)).code, 1008);
    });

    test('a gateway follows a game channel only while one of its sockets does', async () => {
      {
        const { A, B, S, id } = await privateGame();
        const ch = new Keys().gameChannel(id);
        const subscribers = () => subscribersOf(cl, ch);
        assert.equal(await subscribers(), 3);
        S.close();
        await S.waitClose();
        await until('gw-2 unsubscribed once its only follower left', subscribers, { ok: (n) => n === 2 });
        A.close(); B.close();
        await Promise.all([A.waitClose(), B.waitClose()]);
        await until('no gateway subscribed once nobody follows the game', subscribers, { ok: (n) => n === 0 });
      }
    });
  });
}
