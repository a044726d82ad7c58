// Issue 14 end to end, on real gateways and a real Redis with AOF: a store outage longer than the
// registrations live costs nobody a queue place, a presence or a game, and turn clocks stop while
// the store is down (1, 2); with every clock off, every key Trine writes still has a bounded
// lifetime (4); a backlog of due time rules is swept once each, in parallel, past a broken game (5).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { bucketOf, Keys } from '../server/store/keys.js';
import { ALL_BUCKETS, Store } from '../server/store/store.js';
import { player, type Msg } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { BlackholeProxy } from './support/blackhole.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-proc.js';
import { scrape, total } from './support/metrics.js';
import { until as pollUntil } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;

/** A bounded poll (the shared helper of test/support/until.ts), in this file's argument order. */
const until = (check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<boolean> => pollUntil(what, check, { timeoutMs: ms });
const readyz = (url: string) => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
const redisNow = async (r: Redis) => { const [s, u] = await r.time(); return Number(s) * 1000 + Math.floor(Number(u) / 1000); };
/** Whether a message shows some seated player offline. */
const offline = (m: Msg) => (m.t === 'presence' && Object.values(m.online ?? {}).includes(false))
  || (m.t === 'state' && Object.values(m.game?.players ?? {}).some((p: any) => p && p.online === false));

/** A describe block's own Redis (with AOF when `aof`) and gateways on it, stopped after the block. */
function ownCluster(gateways: number, env: Record<string, string>, aof = false) {
  const ctx = {} as { server: RedisServer; cl: C; redis: Redis };
  let dataDir = '';
  before(async () => {
    if (aof) dataDir = mkdtempSync(join(tmpdir(), 'trine-recovery-redis-'));
    ctx.server = new RedisServer(aof ? { dataDir } : {});
    await ctx.server.start();
    ctx.cl = await startCluster({ gateways, redisUrl: ctx.server.url, env });
    ctx.redis = new Redis(ctx.server.url, { maxRetriesPerRequest: 1 });
    ctx.redis.on('error', () => {});
  });
  after(async () => {
    ctx.redis?.disconnect();
    await ctx.cl?.stop();
    await ctx.server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return ctx;
}

describe('a Redis outage of about 4 heartbeats (stopped, restarted on the same port with its AOF)', () => {
  const TURN_MS = 4000;
  const ABANDON_MS = 3000;
  const ctx = ownCluster(3, { TURN_MS: String(TURN_MS), ABANDON_MS: String(ABANDON_MS), HEARTBEAT_MS: '1000' }, true);

  test('no queue place, presence or game is lost, and the player to move keeps its time', async () => {
    const { server, cl, redis } = ctx;
    const keys = new Keys();
    const ws = cl.gateways.map((g) => g.ws);
    const A = await player(ws[0], 'oA');
    const B = await player(ws[1], 'oB');
    const Q = await player(ws[2], 'oQ');
    const made = await A.ok({ t: 'create' });
    await B.ok({ t: 'join', code: made.code });
    const id = made.gameId as string;
    const before = await A.stateAt(id, 2);
    await Q.ok({ t: 'queue' });
    const seen = [A, B, Q].map((c) => c.msgs.length);

    await server.stop();
    const down = Date.now();
    await Promise.all(cl.gateways.map((g) => until(async () => (await readyz(g.url)) === 503, 3000, `${g.id} not ready`)));
    await until(() => Date.now() - down >= 4500, 6000, 'the outage lasts 4.5 heartbeats');
    await server.start(); // same port, same AOF: every registration has lapsed meanwhile
    const outage = Date.now() - down;
    assert.ok(before.deadline! - down < outage, 'the outage outlasts the time X had left');
    await Promise.all(cl.gateways.map((g) => until(async () => (await readyz(g.url)) === 200, 15_000, `${g.id} ready again`)));

    // the turn clock stopped: X gets its time back (a new version with a later deadline), and moves
    const moved = await A.stateWhere(id, (g) => g.version === 3, 'the clock moved later', 8000);
    assert.equal(moved.status, 'playing', 'X did not lose on time');
    assert.ok(moved.deadline! - before.deadline! >= outage - 1500, `deadline moved by about the outage (${moved.deadline! - before.deadline!} ms for ${outage} ms)`);
    assert.equal((await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'r0' })).version, 4);
    assert.equal((await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'r1' })).version, 5, 'the game goes on');

    // the queued player kept its place: a newcomer is matched with it
    const R = await player(ws[0], 'oR');
    await R.ok({ t: 'queue' });
    const m = await Q.waitFor((x) => x.t === 'matched', 'Q matched', { timeout: 5000 });
    assert.equal((await R.waitFor((x) => x.t === 'matched', 'R matched')).gameId, m.gameId);

    // nobody was judged gone: once the grace after the outage is over, still nobody offline, no
    // abandonment clock set
    const up = Number(await redis.hget(keys.registryClock(), 'up'));
    assert.ok(up > 0, 'the outage was recorded');
    await until(async () => (await redisNow(redis)) > up + 4000 + 1000, 10_000, 'the grace after the outage is over');
    assert.deepEqual(await redis.hmget(keys.game(id), 'aX', 'aO', 'oX', 'oO'), [null, null, '1', '1']);
    for (const [i, c] of [A, B, Q].entries()) {
      assert.deepEqual(c.msgs.slice(seen[i]).filter(offline), [], `${c.label} never saw a player offline`);
    }
    assert.ok(!A.states(id).some((g) => g.reason === 'abandoned'), 'nobody abandoned');
    for (const c of [A, B, Q, R]) c.close();
  });
});

describe('with TURN_MS, ABANDON_MS and INVITE_TTL_MS at 0', () => {
  const ctx = ownCluster(2, { TURN_MS: '0', ABANDON_MS: '0', INVITE_TTL_MS: '0', GAME_IDLE_TTL_S: '2' });

  test('every key Trine writes has a bounded lifetime or is removed by its owner', async () => {
    const { cl, redis } = ctx;
    const ws = cl.gateways.map((g) => g.ws);
    const [A, B, C, D, E, Q] = await Promise.all(['kA', 'kB', 'kC', 'kD', 'kE', 'kQ'].map((l, i) => player(ws[i % 2], l)));
    const waiting = (await A.ok({ t: 'create' })).gameId as string;
    const made = await B.ok({ t: 'create' });
    await C.ok({ t: 'join', code: made.code });
    await B.ok({ t: 'move', gameId: made.gameId, cell: 4, mid: 'k0' });
    const S = await player(ws[1], 'kS');
    await S.ok({ t: 'watch', gameId: made.gameId });
    const done = await D.ok({ t: 'create' });
    await E.ok({ t: 'join', code: done.code });
    await D.ok({ t: 'resign', gameId: done.gameId });
    await D.ok({ t: 'rematch', gameId: done.gameId });
    await Q.ok({ t: 'queue' });
    // nobody touches the unfinished games: the idle rule ends them
    for (const [c, id] of [[A, waiting], [B, made.gameId], [S, made.gameId]] as const) {
      assert.equal((await c.stateWhere(id, (g) => g.status === 'aborted', `${id} aborted as idle`, 10_000)).reason, null);
    }
    for (const c of [A, B, C, D, E, Q, S]) c.close();
    await cl.stop(); // gateways drain, unregister and clean up after themselves
    // the shared keys of buckets, queues and the registry live on; everything of a game or a player expires
    const keys = new Keys();
    const shared = /^trine:(deadlines|sweep|outages|outbox|queue|instances|registry|queues):/;
    const unbounded: string[] = [];
    for (const key of await redis.keys('trine:*')) {
      if (shared.test(key)) continue;
      if ((await redis.pttl(key)) < 0) unbounded.push(`${key} (${await redis.type(key)})`);
    }
    assert.deepEqual(unbounded, [], 'every key expires');
    assert.equal((await Promise.all(ALL_BUCKETS.map((b) => redis.zcard(keys.deadlines(b))))).reduce((a, n) => a + n, 0), 0, 'no rule left');
    assert.equal(await redis.zcard(keys.queue()), 0, 'nobody left queued');
    assert.equal(await redis.hlen(keys.instances()), 0, 'no instance left registered');
  });
});

describe('a backlog of due time rules', () => {
  const GAMES = 300;
  const ctx = ownCluster(3, { SWEEP_MS: '50', INVITE_TTL_MS: '600000' });

  test('is applied exactly once per game, by several gateways, past a game whose rule fails', async () => {
    const { cl, redis } = ctx;
    const store = new Store(redis, { maxGamesPerPlayer: 1, turnMs: 0, abandonMs: 0, inviteTtlMs: 600_000, finishedTtlS: 600, sessionTtlS: 600, gameIdleTtlS: 86_400 });
    const ids = Array.from({ length: GAMES }, (_, i) => `backlog${i}`);
    await Promise.all(ids.map((id, i) => store.create(`bp${i}`, 'P', id, `BK${String(i).padStart(4, '0')}`)));
    const was = (await Promise.all(cl.gateways.map((g) => scrape(g.url)))).flat();
    // every invite falls due at once, and a corrupt game (its snapshot is not JSON) is due first
    const k = store.keys;
    await redis.hset(k.game('broken'), 's', '{not json');
    await redis.zadd(k.deadlines(bucketOf('broken')), 0, 'broken');
    await Promise.all(ids.map(async (id) => {
      await redis.hset(k.game(id), 'ix', 1);
      await redis.zadd(k.deadlines(bucketOf(id)), 1, id);
    }));
    await until(async () => (await store.deadlineCount()) === 1, 20_000, 'every good game applied');
    assert.equal(await redis.zscore(k.deadlines(bucketOf('broken')), 'broken') === null, false, 'the broken game stays, for a later try');
    const snaps = await Promise.all(ids.map((id) => store.readGame(id)));
    assert.ok(snaps.every((s) => s && /"status":"aborted"/.test(s.frame) && s.version === 2), 'each aborted once (version 2)');
    const now = (await Promise.all(cl.gateways.map((g) => scrape(g.url)))).flat();
    const byGateway = cl.gateways.map((g) => total(now, 'trine_time_rules_applied_total', { gateway: g.id }) - total(was, 'trine_time_rules_applied_total', { gateway: g.id }));
    assert.equal(byGateway.reduce((a, b) => a + b, 0), GAMES, `applied once each (by gateway: ${byGateway})`);
    assert.ok(byGateway.filter((n) => n > 0).length >= 2, `shared by several gateways (${byGateway})`);
    assert.ok(total(now, 'trine_redis_errors_total', { op: 'sweep' }) >= 1, 'the failing game was counted');
  });
});

describe('a gateway cut off from Redis alone (a silent network cut) while its player waits for a quick match', () => {
  let server: RedisServer;
  let proxy: BlackholeProxy;
  let cl: C;
  let direct: GatewayProcess;
  let redis: Redis;
  before(async () => {
    server = new RedisServer();
    await server.start();
    proxy = new BlackholeProxy(server.port);
    await proxy.start();
    cl = await startCluster({ gateways: 1, redisUrl: proxy.url });
    direct = await spawnGateway({ REDIS_URL: server.url, LOG_LEVEL: 'info' });
    redis = new Redis(server.url);
  });
  after(async () => {
    redis?.disconnect();
    await direct?.stop();
    await cl?.stop();
    await proxy?.stop();
    await server?.stop();
  });

  test('is reaped by the others, and its player gets its queue place back when it reconnects', async () => {
    const keys = new Keys();
    const Q = await player(cl.gateways[0].ws, 'cQ');
    await Q.ok({ t: 'queue' });
    const place = await redis.zscore(keys.queue(), Q.player!.id);
    proxy.cut();
    await until(async () => (await redis.zscore(keys.queue(), Q.player!.id)) === null, 10_000, 'Q out of the queue once its gateway is reaped');
    assert.equal(await redis.exists(keys.heldQueuePlace(Q.player!.id)), 1, 'its place is held');
    await until(async () => (await redis.zscore(keys.queue(), Q.player!.id)) === place, 25_000, 'Q back at its place once its gateway reconnected');
    const R = await player(direct.ws, 'cR');
    await R.ok({ t: 'queue' });
    const m = await Q.waitFor((x) => x.t === 'matched', 'Q matched');
    assert.equal((await R.waitFor((x) => x.t === 'matched', 'R matched')).gameId, m.gameId);
    Q.close(); R.close();
  });
});
