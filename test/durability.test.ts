// REDIS_MODE=sentinel durability against real Redis processes: a primary, one asynchronous
// replica and one Sentinel started by the test (no failover happens here), two gateways that find
// the primary through the Sentinel. An ok comes only once the replica has
// the change; with the replica stopped (SIGSTOP) a move is UNAVAILABLE and no watcher sees it;
// the resend with the same mid, once the replica is back, is applied once. A change whose gateway
// never published it (the script called from here) reaches watchers through the outbox reconciler.
// Every request type (create, join, queue, unqueue, resign, rematch with idem; move with mid)
// answered UNAVAILABLE while the replica is stopped, though the primary applied it: its resend
// with the same idem, once the replica is back, is answered as that one application.
// The scripts of variants and the computer's turns deliver the same way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { SentinelServer } from '../server/launcher/sentinel-server.js';
import { BUCKETS, bucketOf, Keys } from '../server/store/keys.js';
import { registerScripts } from '../server/store/scripts.js';
import { player, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { applied, idemCases, type World } from './support/idem-cases.js';
import { spawnGateway } from './support/gateway-proc.js';
import { until as pollUntil } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const keys = new Keys('trine');
/** Entries in every bucket's outbox (on the primary). */
const outboxSize = async (r: Redis) => {
  let n = 0;
  for (let b = 0; b < BUCKETS; b++) n += await r.zcard(keys.outbox(b));
  return n;
};
const TIMEOUT_MS = 400;

/** A bounded poll (the shared helper of test/support/until.ts), in this file's argument order. */
const until = (cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<boolean> => pollUntil(what, cond, { timeoutMs: ms });

describe('durability in replica mode', () => {
  // data folders of their own: a replica stores the primary's snapshot in its folder (else the cwd)
  const primary = new RedisServer({ dataDir: mkdtempSync(join(tmpdir(), 'trine-primary-')) });
  const replica = new RedisServer({ dataDir: mkdtempSync(join(tmpdir(), 'trine-replica-')) });
  let sentinel: SentinelServer;
  let cl: C;
  let ws: string[];
  let onPrimary: Redis;
  let onReplica: Redis;
  const open: TestClient[] = [];
  const who = async (url: string, label: string) => {
    const c = await player(url, label);
    open.push(c);
    return c;
  };
  const versionOn = async (r: Redis, gameId: string) => {
    const s = await r.hget(keys.game(gameId), 's');
    return s === null ? 0 : JSON.parse(s).version as number;
  };
  const game = async () => {
    const A = await who(ws[0], 'A');
    const B = await who(ws[1], 'B');
    const S = await who(ws[1], 'S');
    const made = await A.ok({ t: 'create' });
    await S.ok({ t: 'watch', gameId: made.gameId });
    await B.ok({ t: 'join', code: made.code });
    await S.stateAt(made.gameId, 2);
    return { A, B, S, id: made.gameId as string };
  };

  before(async () => {
    await primary.start();
    await replica.start({ host: '127.0.0.1', port: primary.port });
    onPrimary = new Redis(primary.url);
    onReplica = new Redis(replica.url);
    await until(async () => /master_link_status:up/.test(await onReplica.info('replication')), 'replica in sync');
    sentinel = new SentinelServer({ dir: mkdtempSync(join(tmpdir(), 'trine-sentinel-')), name: 'trine', primary: { host: '127.0.0.1', port: primary.port }, quorum: 1 });
    await sentinel.start();
    cl = await startCluster({
      gateways: 2, redisUrl: primary.url,
      env: { REDIS_MODE: 'sentinel', REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'trine', DURABILITY_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
    ws = cl.gateways.map((g) => g.ws);
  });
  after(async () => {
    for (const c of open) c.close();
    onPrimary?.disconnect();
    onReplica?.disconnect();
    await cl?.stop();
    if (replica.pid) process.kill(replica.pid, 'SIGCONT');
    await sentinel?.stop();
    await replica.stop();
    await primary.stop();
  });

  test('every ok comes once the replica has the change', async () => {
    const { A, B, id } = await game();
    assert.equal(await versionOn(onReplica, id), 2, 'create and join are on the replica');
    for (const [i, cell] of [4, 0, 3].entries()) {
      const r = await (i % 2 ? B : A).ok({ t: 'move', gameId: id, cell, mid: `m${i}` });
      assert.equal(await versionOn(onReplica, id), r.version, 'the replica has the acknowledged move');
    }
  });

  test('replica stopped: UNAVAILABLE, no watcher sees the change; resumed: the resend is applied once', async () => {
    const { A, S, id } = await game();
    process.kill(replica.pid!, 'SIGSTOP');
    try {
      const started = Date.now();
      const r = await A.request({ t: 'move', gameId: id, cell: 4, mid: 'lost?' }, TIMEOUT_MS + 3000);
      assert.equal(r.code, 'UNAVAILABLE');
      assert.ok(Date.now() - started < TIMEOUT_MS + 3000);
      assert.equal(await versionOn(onPrimary, id), 3, 'applied on the primary, not known to be safe');
      // the outbox entry is older than the reconcilers' second: they ran, and could not publish either
      await until(async () => {
        const [sec] = await onPrimary.time();
        const oldest = await onPrimary.zrange(keys.outbox(bucketOf(id)), '0', '0', 'WITHSCORES');
        return oldest.length === 2 && Number(sec) * 1000 - Number(oldest[1]) > 2500;
      }, 'an outbox entry left for 2.5 s');
      assert.deepEqual(S.states(id).map((g) => g.version).filter((v) => v > 2), [], 'no watcher received the unsafe state');
    } finally {
      process.kill(replica.pid!, 'SIGCONT');
    }
    const again = await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'lost?' });
    assert.equal(again.version, 3, 'the resend answers the one application');
    assert.equal(await versionOn(onPrimary, id), 3);
    assert.equal(await versionOn(onReplica, id), 3);
    await S.stateAt(id, 3);
    await until(async () => (await outboxSize(onPrimary)) === 0, 'outbox emptied');
  });

  test('the variant scripts deliver through the outbox too: the computer answers, a three-player game goes on after a resignation', async () => {
    const A = await who(ws[0], 'CA');
    const S = await who(ws[1], 'CS');
    const vc = await A.ok({ t: 'create', vs: 'computer' });
    await S.ok({ t: 'watch', gameId: vc.gameId });
    const r = await A.ok({ t: 'move', gameId: vc.gameId, cell: 4, mid: 'c1' });
    const answered = await S.stateAt(vc.gameId, r.version + 1); // whichever gateway claimed the computer's turn published it
    assert.deepEqual([answered.turn, answered.players.O?.computer], ['X', true]);
    assert.ok(await versionOn(onReplica, vc.gameId) >= r.version + 1, 'the computer\'s move is on the replica');
    const [X, O, Y] = [await who(ws[0], 'TX'), await who(ws[1], 'TO'), await who(ws[0], 'TY')];
    const made = await X.ok({ t: 'create', variant: { rows: 3, cols: 4, k: 3, players: 3 } });
    await S.ok({ t: 'watch', gameId: made.gameId });
    for (const c of [O, Y]) await c.ok({ t: 'join', code: made.code });
    await Y.ok({ t: 'resign', gameId: made.gameId });
    const s = await S.stateWhere(made.gameId, (g) => (g.out ?? []).includes('Y'), 'Y out');
    assert.deepEqual([s.status, s.version], ['playing', 4]);
    assert.equal(await versionOn(onReplica, made.gameId), 4);
    await until(async () => (await outboxSize(onPrimary)) === 0, 'outbox emptied');
  });

  // UNAVAILABLE does not mean "not applied": the script ran on the primary, the WAIT timed out
  const unavailable: World = {
    get ws() { return ws; },
    get redis() { return onPrimary; },
    open,
    async firstTry(c, body) {
      process.kill(replica.pid!, 'SIGSTOP');
      try {
        const r = await c.request(body, TIMEOUT_MS + 3000);
        assert.equal(r.code, 'UNAVAILABLE', `${body.t}: ${JSON.stringify(r)}`);
        assert.ok(await applied(onPrimary, c.player!.id, body), `${body.t}: applied on the primary all the same`);
      } finally {
        process.kill(replica.pid!, 'SIGCONT');
      }
    },
    resender: (c) => c,
  };
  for (const k of idemCases(unavailable)) {
    test(`${k.name}: UNAVAILABLE (replica stopped) though applied; the resend with the same key answers the one application`, () => k.run());
  }

  test('a change its gateway never published reaches watchers through another gateway', async () => {
    const { A, S, id } = await game();
    let pubs: string[] = [];
    const call = registerScripts(onPrimary, keys, { delivery: 'outbox' }, { publish: (p) => { pubs = p; }, release: async () => {} }); // and never published
    const b = bucketOf(id);
    const reply = await call.move([keys.game(id), keys.deadlines(b), keys.outbox(b)], [A.player!.id, 8, 'orphan', 30000, 3600, keys.gameChannel(id)]);
    assert.deepEqual(reply, ['OK', 3, 'playing']);
    assert.equal(pubs[0], `S ${id} 3`, 'recorded in the outbox, not published');
    await S.stateAt(id, 3, 5000);
    await until(async () => (await onPrimary.zscore(keys.outbox(bucketOf(id)), `S ${id} 3`)) === null, 'entry removed');
  });
});

describe('durability in fsync mode', () => {
  test('a gateway warns at start-up when Redis does not fsync every write', async () => {
    const plain = new RedisServer(); // no AOF at all
    await plain.start();
    const gw = await spawnGateway({ REDIS_URL: plain.url, REDIS_MODE: 'single' });
    try {
      await until(async () => gw.output().includes('does not fsync every write'), 'the fsync warning in the log');
      assert.match(gw.output(), /"appendonly":"no"/);
    } finally {
      await gw.stop();
      await plain.stop();
    }
  });
});
