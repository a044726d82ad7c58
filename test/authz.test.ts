// Authorization and sessions, on both transports (gw-0 uws, gw-1 ws): only the seat holder moves,
// resigns or asks a rematch; tokens are 192 random bits, stored in Redis only as their SHA-256; a
// forged, mangled or expired token starts a new guest and never reaches someone else's session.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { player, TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { privateGame } from './support/play.js';
import { until } from './support/until.js';
import { Keys } from '../server/store/keys.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('authorization and tokens (gw-0 uws, gw-1 ws)', () => {
  let cl: C;
  let redis: Redis;
  let urls: string[];
  before(async () => {
    cl = await startCluster({ gateways: 2, transport: 'mixed' });
    urls = cl.gateways.map((g) => g.ws);
    redis = new Redis(cl.redisUrl);
  });
  after(async () => { redis.disconnect(); await cl.stop(); });

  const snapshot = async (id: string) => JSON.parse((await redis.hget(new Keys().game(id), 's'))!);

  test('move, resign and rematch only from the seat holder: a spectator or a stranger gets NOT_A_PLAYER and changes nothing', async () => {
    for (const [ua, ub] of [[urls[0], urls[1]], [urls[1], urls[0]]]) {
      const A = await player(ua, 'A');
      const B = await player(ub, 'B');
      const S = await player(ub, 'spectator');
      const T = await player(ua, 'stranger');
      const { id } = await privateGame(A, B, [S]);
      await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'a1' });
      const before = await snapshot(id);
      for (const who of [S, T]) {
        for (const m of [
          { t: 'move', gameId: id, cell: 0, mid: 'x1' }, { t: 'move', gameId: id, cell: 0, mid: 'a1' }, // A's own mid replayed
          { t: 'resign', gameId: id }, { t: 'rematch', gameId: id },
        ]) assert.equal((await who.request(m)).code, 'NOT_A_PLAYER', `${who.label} ${JSON.stringify(m)}`);
      }
      assert.equal((await A.request({ t: 'move', gameId: id, cell: 0, mid: 'a2' })).code, 'NOT_YOUR_TURN', 'X cannot move for O');
      assert.deepEqual(await snapshot(id), before, 'the game is unchanged');
      await B.ok({ t: 'resign', gameId: id });
      for (const who of [S, T]) assert.equal((await who.request({ t: 'rematch', gameId: id })).code, 'NOT_A_PLAYER');
      await A.ok({ t: 'rematch', gameId: id });
      const end = await snapshot(id);
      assert.equal(end.status, 'won');
      assert.equal(end.reason, 'resign');
      assert.equal(end.winner, 'X');
      for (const c of [A, B, S, T]) c.close();
    }
  });

  test('tokens: PLAYERID.SECRET, the secret 32 base64url characters (192 bits), all different, resumable on any gateway; Redis holds only their SHA-256', async () => {
    const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => player(urls[i % 2], `t${i}`)));
    const tokens = clients.map((c) => c.token);
    for (const [i, t] of tokens.entries()) assert.match(t, new RegExp(`^${clients[i].player!.id}\\.[A-Za-z0-9_-]{32}$`));
    assert.equal(new Set(tokens).size, tokens.length);
    const again = await player(urls[1], 'again', { token: tokens[0] });
    const w = again.msgs.find((m) => m.t === 'welcome')!;
    assert.equal(w.resumed, true);
    assert.equal(w.player.id, clients[0].player!.id);
    assert.equal(w.token, tokens[0], 'a resumed token is unchanged');
    // every key and value in Redis: no token in clear, each session under the token's SHA-256
    const dump: string[] = [];
    for (const key of await redis.keys('*')) {
      dump.push(key);
      const type = await redis.type(key);
      if (type === 'string') dump.push((await redis.get(key)) ?? '');
      else if (type === 'hash') dump.push(...Object.entries(await redis.hgetall(key)).flat());
      else if (type === 'set') dump.push(...await redis.smembers(key));
      else if (type === 'zset') dump.push(...await redis.zrange(key, '0', '-1'));
    }
    const all = dump.join('\n');
    for (const t of tokens) {
      assert.ok(!all.includes(t), 'a token in clear in Redis');
      assert.equal(await redis.hget(new Keys().session(clients[tokens.indexOf(t)].player!.id, sha256(t)), 'pid'), clients[tokens.indexOf(t)].player!.id);
    }
    for (const c of [...clients, again]) c.close();
  });

  test('a forged, mangled or expired token starts a new guest, never someone else\'s session', async () => {
    const A = await player(urls[0], 'victim');
    const made = await A.ok({ t: 'create' });
    const tok = A.token;
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forged = [
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', flip(tok, 0), flip(tok, 31), tok.slice(0, 31), `${tok}x`, tok.slice(0, 16), tok.toUpperCase() === tok ? tok.toLowerCase() : tok.toUpperCase(),
      sha256(tok), // the name of its session key in Redis is no token
      ` ${tok}`, `${tok}\u0000`, 'short', 'x'.repeat(512), '\ud800'.repeat(20),
    ];
    for (const [i, token] of forged.entries()) {
      const c = await TestClient.open(urls[i % 2], `forged${i}`);
      const w = await c.hello({ token });
      assert.equal(w.resumed, false, `token #${i} resumed a session`);
      assert.match(w.player.id, /./, 'a player id'); // so that the comparisons below cannot pass on undefined
      assert.notEqual(w.player.id, A.player!.id);
      assert.match(w.token, /^[A-Za-z0-9]{16}\.[A-Za-z0-9_-]{32}$/, 'a new token');
      assert.notEqual(w.token, token);
      assert.deepEqual(w.games, []);
      c.close();
    }
    // expiry: the session key lapses in Redis (SESSION_TTL_S), then the token means nothing
    const B = await player(urls[1], 'expiring');
    const bGame = await B.ok({ t: 'create' });
    B.close();
    await B.waitClose();
    const session = new Keys().session(B.player!.id, sha256(B.token));
    await redis.pexpire(session, 1);
    await until('the session key lapsed', async () => (await redis.exists(session)) === 0);
    const late = await TestClient.open(urls[0], 'late');
    const w = await late.hello({ token: B.token });
    assert.equal(w.resumed, false);
    assert.match(w.player.id, /./, 'a player id');
    assert.notEqual(w.player.id, B.player!.id);
    assert.deepEqual(w.games, [], 'the expired player\'s game is not handed over');
    assert.equal((await late.request({ t: 'resign', gameId: bGame.gameId })).code, 'NOT_A_PLAYER');
    const victim = await snapshot(made.gameId);
    assert.equal(victim.players.X.id, A.player!.id);
    assert.equal(victim.status, 'waiting');
    late.close(); A.close();
  });
});
