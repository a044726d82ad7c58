// `idem` (PROTOCOL.md, additions of 2026-11-29) end to end: for every state change, a resend with
// the same idem by the same player gets the answer of the first application and changes nothing,
// on the same gateway or another, also when the first socket closed before its answer; without
// idem the old behaviour. Versions and sets are read from Redis itself. Then every request type
// once more with its answer lost for good: the socket that sent it is closed the instant the
// request is out, and the player resends it unchanged on its other socket, on the other gateway.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Keys } from '../server/store/keys.js';
import { player, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { idemCases, untilApplied, type World } from './support/idem-cases.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const keys = new Keys('trine');

describe('idem', () => {
  let cl: C;
  let ws: string[];
  let redis: Redis;
  const open: TestClient[] = [];
  const who = async (url: string, label: string, token?: string) => {
    const c = await player(url, label, token ? { token } : {});
    open.push(c);
    return c;
  };
  const version = async (gameId: string) => JSON.parse((await redis.hget(keys.game(gameId), 's'))!).version as number;
  const without = (m: Record<string, unknown>) => { const { rid: _rid, ...rest } = m; return rest; };

  before(async () => {
    cl = await startCluster({ gateways: 2 });
    ws = cl.gateways.map((g) => g.ws);
    redis = new Redis(cl.redisUrl);
  });
  after(async () => {
    for (const c of open) c.close();
    redis.disconnect();
    await cl.stop();
  });

  test('create, join, move (mid), resign: a resend answers the first answer and changes nothing', async () => {
    const A = await who(ws[0], 'A');
    const A2 = await who(ws[1], 'A2', A.token);
    const B = await who(ws[1], 'B');
    const made = await A.ok({ t: 'create', idem: 'c1' });
    assert.deepEqual(without(await A.ok({ t: 'create', idem: 'c1' })), without(made), 'same gateway');
    assert.deepEqual(without(await A2.ok({ t: 'create', idem: 'c1' })), without(made), 'another gateway, another socket');
    assert.equal(await version(made.gameId), 1);
    assert.deepEqual(await redis.zrange(keys.playerGames(A.player!.id), '0', '-1'), [made.gameId], 'one game created');
    assert.equal((await A.request({ t: 'create' })).code, 'ALREADY_IN_GAME', 'without idem: as before');
    assert.equal((await A.request({ t: 'create', idem: 'c2' })).code, 'ALREADY_IN_GAME', 'another idem is another request');

    const joined = await B.ok({ t: 'join', code: made.code, idem: 'j1' });
    assert.deepEqual([joined.gameId, joined.version], [made.gameId, 2]);
    assert.deepEqual(without(await B.ok({ t: 'join', code: made.code, idem: 'j1' })), without(joined));
    assert.equal((await B.request({ t: 'join', code: made.code })).code, 'ALREADY_IN_GAME', 'without idem: as before');
    assert.equal(await version(made.gameId), 2);

    const mv = await A.ok({ t: 'move', gameId: made.gameId, cell: 4, mid: 'm1' });
    assert.equal((await A2.ok({ t: 'move', gameId: made.gameId, cell: 4, mid: 'm1' })).version, mv.version);
    assert.equal(await version(made.gameId), 3);

    const resigned = await B.ok({ t: 'resign', gameId: made.gameId, idem: 'r1' });
    assert.equal(resigned.version, 4);
    const B2 = await who(ws[0], 'B2', B.token);
    assert.deepEqual(without(await B2.ok({ t: 'resign', gameId: made.gameId, idem: 'r1' })), without(resigned));
    assert.equal((await B.request({ t: 'resign', gameId: made.gameId })).code, 'GAME_OVER', 'without idem: as before');
    assert.equal(await version(made.gameId), 4);

    // the game is over: its invite code names nothing any more, yet the join's resend is answered
    assert.equal(await redis.exists(keys.code(made.code)), 0);
    assert.deepEqual(without(await B2.ok({ t: 'join', code: made.code, idem: 'j1' })), without(joined));
    assert.equal((await B2.request({ t: 'join', code: made.code })).code, 'NOT_FOUND', 'without idem: as before');
    // the resending socket follows the game it joined
    await B2.stateAt(made.gameId, 4);
  });

  test('rematch: each ask and the start are answered the same on a resend', async () => {
    const A = await who(ws[0], 'RA');
    const B = await who(ws[1], 'RB');
    const made = await A.ok({ t: 'create' });
    await B.ok({ t: 'join', code: made.code });
    await A.ok({ t: 'resign', gameId: made.gameId });
    const asked = await A.ok({ t: 'rematch', gameId: made.gameId, idem: 'x1' });
    assert.deepEqual(without(await A.ok({ t: 'rematch', gameId: made.gameId, idem: 'x1' })), without(asked));
    const started = await B.ok({ t: 'rematch', gameId: made.gameId, idem: 'x2' });
    assert.ok(started.gameId);
    const B2 = await who(ws[0], 'RB2', B.token);
    assert.deepEqual(without(await B2.ok({ t: 'rematch', gameId: made.gameId, idem: 'x2' })), without(started));
    assert.deepEqual(without(await A.ok({ t: 'rematch', gameId: made.gameId, idem: 'x1' })), without(asked), 'the first answer, not the later state');
    assert.equal(await version(started.gameId), 1);
    await B2.stateAt(started.gameId, 1);
  });

  test('queue and unqueue: a resend changes nothing a second time', async () => {
    const Q = await who(ws[0], 'Q');
    await Q.ok({ t: 'queue', idem: 'q1' });
    await Q.ok({ t: 'unqueue', idem: 'u1' });
    assert.equal(await redis.zscore(keys.queue(), Q.player!.id), null);
    await Q.ok({ t: 'queue', idem: 'q1' });
    assert.equal(await redis.zscore(keys.queue(), Q.player!.id), null, 'the resent queue did not queue again');
    await Q.ok({ t: 'queue', idem: 'q2' });
    assert.notEqual(await redis.zscore(keys.queue(), Q.player!.id), null);
    await Q.ok({ t: 'unqueue', idem: 'u1' });
    assert.notEqual(await redis.zscore(keys.queue(), Q.player!.id), null, 'the resent unqueue did not unqueue again');
    await Q.ok({ t: 'unqueue' });
    assert.equal(await redis.zscore(keys.queue(), Q.player!.id), null, 'without idem: as before');

    const P = await who(ws[0], 'P');
    const R = await who(ws[1], 'R');
    await P.ok({ t: 'queue', idem: 'p1' });
    await R.ok({ t: 'queue', idem: 'r1' });
    const m = await R.waitFor((x) => x.t === 'matched', 'matched');
    const R2 = await who(ws[0], 'R2', R.token);
    await R2.ok({ t: 'queue', idem: 'r1' });
    await R2.stateAt(m.gameId, 1);
    assert.deepEqual(await redis.zrange(keys.playerGames(R.player!.id), '0', '-1'), [m.gameId], 'matched once');
    assert.equal(await version(m.gameId), 1);
    assert.equal((await R.request({ t: 'queue' })).code, 'ALREADY_IN_GAME', 'without idem: as before');
  });

  test('a socket closed before its answer: the resend elsewhere answers the one application', async () => {
    const F = await who(ws[0], 'F');
    F.send({ t: 'create', rid: 'lost', idem: 'cf' });
    F.ws.terminate();
    const F2 = await who(ws[1], 'F2', F.token);
    const made = await F2.ok({ t: 'create', idem: 'cf' });
    assert.deepEqual(await redis.zrange(keys.playerGames(F2.player!.id), '0', '-1'), [made.gameId]);
    assert.deepEqual(without(await F2.ok({ t: 'create', idem: 'cf' })), without(made));
    assert.equal(await version(made.gameId), 1);
    await F2.stateAt(made.gameId, 1);
  });
  // the request is applied (its record is in Redis) but its sender's socket is gone: the answer is lost
  const lostWorld: World = {
    get ws() { return ws; },
    get redis() { return redis; },
    open,
    async firstTry(c, body) {
      await new Promise<void>((res, rej) => c.ws.send(JSON.stringify({ ...body, rid: 'lost' }), (e) => (e ? rej(e) : res())));
      c.ws.terminate();
      await untilApplied(redis, c, body);
    },
    resender: (_c, twin) => twin,
  };
  for (const k of idemCases(lostWorld)) {
    test(`${k.name}: its answer lost with its socket, the resend on the other gateway answers the one application`, () => k.run());
  }
});
