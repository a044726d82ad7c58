// The limits a client meets, on both transports (one cluster: gw-0 on uWebSockets.js, gw-1 on ws,
// one Redis): rate limit and abuse close, the 4096-byte frame limit, unfinished games per player,
// queueing twice, spectators per game, the default Origin policy, and watch/unwatch ordering.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Keys } from '../server/store/keys.js';
import { fence, player, TestClient, type Msg } from './support/client.js';
import { sleep, startCluster } from './support/cluster.js';
import { privateGame } from './support/play.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const keys = new Keys();
const ENV = { RATE_PER_S: '10', RATE_BURST: '20', ABUSE_LIMIT: '30', MAX_SPECTATORS: '2', MAX_GAMES_PER_PLAYER: '2' };

/** Resolves once `n` answers (ok, pong, error) arrived after index `from`. */
const answers = (c: TestClient, from: number) => c.msgs.slice(from).filter((m) => m.t === 'ok' || m.t === 'pong' || m.t === 'error');
async function waitAnswers(c: TestClient, from: number, n: number): Promise<Msg[]> {
  await c.waitFor(() => answers(c, from).length >= n, `${n} answers`);
  return answers(c, from);
}

describe('limits (gw-0 uws, gw-1 ws)', () => {
  let cl: C;
  let redis: Redis;
  before(async () => {
    cl = await startCluster({ gateways: 2, transport: 'mixed', env: ENV });
    redis = new Redis(cl.redisUrl);
  });
  after(async () => { redis.disconnect(); await cl.stop(); });

  for (const gi of [0, 1]) {
    const name = gi ? 'ws' : 'uws';

    test(`${name}: a burst past RATE_BURST is answered RATE_LIMITED, the bucket refills, a sustained flood is closed 1008, a bystander is served`, async () => {
      const url = cl.gateways[gi].ws;
      const F = await player(url, 'flood');
      const by = await player(url, 'bystander');
      let from = F.msgs.length;
      for (let i = 0; i < 30; i++) F.send({ t: 'ping', rid: `b${i}` });
      const got = await waitAnswers(F, from, 30);
      const pongs = got.filter((m) => m.t === 'pong').length;
      const limited = got.filter((m) => m.t === 'error' && m.code === 'RATE_LIMITED').length;
      assert.equal(pongs + limited, 30, 'every frame answered: pong or RATE_LIMITED');
      assert.deepEqual(got.map((m) => m.rid).sort(), Array.from({ length: 30 }, (_, i) => `b${i}`).sort(), 'each answer echoes its rid');
      assert.ok(pongs >= 18 && pongs < 30, `about RATE_BURST (20) pongs, minus the hello, plus what refilled meanwhile: got ${pongs}`);
      // elapsed time is the input here, not a guess at when something finishes: the bucket gains
      // RATE_PER_S (10) tokens a second, so 1.1 s refills the 5 the next pings need, twice over
      await sleep(1100);
      from = F.msgs.length;
      for (let i = 0; i < 5; i++) F.send({ t: 'ping', rid: `r${i}` });
      assert.deepEqual((await waitAnswers(F, from, 5)).map((m) => m.t), ['pong', 'pong', 'pong', 'pong', 'pong'], 'refilled');
      for (let i = 0; i < 200 && !F.closed; i++) F.sendRaw(i % 2 ? `garbage ${i}` : JSON.stringify({ t: 'ping' }));
      assert.equal((await F.waitClose()).code, 1008, 'a sustained flood ends in 1008');
      assert.equal((await by.request({ t: 'ping' })).t, 'pong', 'the bystander on the same gateway is served');
      by.close();
    });

    test(`${name}: a frame of exactly 4096 bytes is served; 4097 bytes (counted in bytes, not characters) closes 1009`, async () => {
      const url = cl.gateways[gi].ws;
      const frame = (bytes: number, rid: string) => {
        const base = JSON.stringify({ t: 'ping', rid, pad: '' });
        const room = bytes - Buffer.byteLength(base);
        return JSON.stringify({ t: 'ping', rid, pad: 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) });
      };
      const c = await player(url, 'frames');
      assert.equal(Buffer.byteLength(frame(4096, 'ok4096')), 4096);
      assert.ok(frame(4097, 'big').length < 4096, 'fewer characters than bytes');
      const from = c.msgs.length;
      c.sendRaw(frame(4096, 'ok4096'));
      assert.equal((await c.waitFor((m) => m.rid === 'ok4096', 'pong', { from })).t, 'pong');
      c.sendRaw(frame(4097, 'big'));
      assert.equal((await c.waitClose()).code, 1009);
      assert.equal(c.msgs.filter((m) => m.rid === 'big').length, 0, 'an oversize frame is not processed');
    });
  }

  test('MAX_GAMES_PER_PLAYER=2: a third unfinished game is ALREADY_IN_GAME (create, queue, join); finishing one frees a place', async () => {
    const P = await player(cl.gateways[0].ws, 'P');
    const Q = await player(cl.gateways[1].ws, 'Q');
    const g1 = await P.ok({ t: 'create' });
    const g2 = await P.ok({ t: 'create' });
    const other = await Q.ok({ t: 'create' });
    for (const m of [{ t: 'create' }, { t: 'queue' }, { t: 'join', code: other.code }]) {
      const r = await P.request(m);
      assert.equal(r.code, 'ALREADY_IN_GAME', JSON.stringify(m));
    }
    await P.ok({ t: 'resign', gameId: g1.gameId }); // a waiting game resigned is aborted: no longer unfinished
    const j = await P.ok({ t: 'join', code: other.code });
    assert.equal(j.gameId, other.gameId);
    assert.equal((await P.request({ t: 'create' })).code, 'ALREADY_IN_GAME');
    await P.ok({ t: 'resign', gameId: g2.gameId });
    P.close(); Q.close();
  });

  test('queueing twice is harmless: both answered ok, matched once, never with oneself', async () => {
    const A = await player(cl.gateways[0].ws, 'QA');
    const B = await player(cl.gateways[1].ws, 'QB');
    await A.ok({ t: 'queue' });
    await A.ok({ t: 'queue' });
    // the queue script ran before each answer: A waits in the queue, seated nowhere
    assert.notEqual(await redis.zscore(keys.queue(), A.player!.id), null, 'A waits in the queue');
    assert.equal(await redis.zcard(keys.playerGames(A.player!.id)), 0, 'A is seated in no game');
    await fence(A);
    assert.equal(A.msgs.filter((m) => m.t === 'matched').length, 0, 'not matched with itself');
    await B.ok({ t: 'queue' });
    const [mA, mB] = await Promise.all([A, B].map((c) => c.waitFor((m) => m.t === 'matched', 'matched')));
    assert.match(mA.gameId, /./, 'matched names a game');
    assert.equal(mA.gameId, mB.gameId);
    const g = await A.stateWhere(mA.gameId, (s) => s.status === 'playing', 'playing');
    assert.deepEqual(new Set([g.players.X!.id, g.players.O!.id]), new Set([A.player!.id, B.player!.id]));
    assert.equal(await redis.zscore(keys.queue(), A.player!.id), null, 'A left the queue');
    assert.deepEqual(await redis.zrange(keys.playerGames(A.player!.id), '0', '-1'), [mA.gameId], 'A is seated in one game');
    await fence(A);
    assert.equal(A.msgs.filter((m) => m.t === 'matched').length, 1, 'matched once');
    await A.ok({ t: 'resign', gameId: mA.gameId });
    A.close(); B.close();
  });

  test('MAX_SPECTATORS=2 per game and gateway: a third spectator is GAME_FULL; players do not count; a freed place can be taken', async () => {
    const [u0, u1] = cl.gateways.map((g) => g.ws);
    const A = await player(u0, 'SA');
    const B = await player(u0, 'SB');
    const made = { gameId: (await privateGame(A, B)).id };
    const S = await Promise.all([1, 2, 3].map((i) => player(u0, `S${i}`)));
    await S[0].ok({ t: 'watch', gameId: made.gameId });
    await S[1].ok({ t: 'watch', gameId: made.gameId });
    assert.equal((await S[2].request({ t: 'watch', gameId: made.gameId })).code, 'GAME_FULL');
    const elsewhere = await player(u1, 'S-other-gateway');
    await elsewhere.ok({ t: 'watch', gameId: made.gameId });
    await S[0].ok({ t: 'unwatch', gameId: made.gameId });
    await S[2].ok({ t: 'watch', gameId: made.gameId });
    await A.ok({ t: 'move', gameId: made.gameId, cell: 4, mid: 'm1' });
    for (const c of [S[1], S[2], elsewhere]) await c.stateAt(made.gameId, 3);
    for (const c of [A, B, ...S, elsewhere]) c.close();
  });

  test('watch then unwatch sent back to back: the unwatch wins, no later update arrives', async () => {
    for (const g of cl.gateways) {
      const A = await player(g.ws, 'WA');
      const B = await player(g.ws, 'WB');
      const made = { gameId: (await privateGame(A, B)).id };
      const W = await player(g.ws, 'W');
      W.send({ t: 'watch', rid: 'w', gameId: made.gameId });
      const un = await W.request({ t: 'unwatch', gameId: made.gameId });
      assert.equal(un.t, 'ok');
      await A.ok({ t: 'move', gameId: made.gameId, cell: 0, mid: 'm' });
      await B.stateAt(made.gameId, 3); // the gateway fanned version 3 out to its sockets (W's too, had it still watched)
      await fence(W);
      assert.equal(W.states(made.gameId).filter((s) => s.version >= 3).length, 0, `${g.id}: an update after unwatch`);
      for (const c of [A, B, W]) c.close();
    }
  });

  test('Origin, default policy: no Origin and loopback Origins may upgrade; any other Origin is refused (403)', async () => {
    for (const g of cl.gateways) {
      for (const origin of [undefined, g.url, 'http://localhost:5173', 'http://127.0.0.1']) {
        const c = await TestClient.open(g.ws, 'o', origin ? { Origin: origin } : undefined);
        await c.hello();
        c.close();
      }
      for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example', 'not a url']) {
        await assert.rejects(TestClient.open(g.ws, 'o', { Origin: origin }), /HTTP 403/, `${g.id} ${origin}`);
      }
    }
  });
});
