// REDIS_MODE=sentinel with real processes: a primary, two replicas and three Sentinels started by
// the launcher's classes, two gateways that find the primary through the Sentinels. The primary is
// SIGKILLed mid-game: the gateways say 503 and come back by themselves, the players resend their
// pending move with the same mid until it is answered, the game finishes and every acknowledged
// move is on the final board. A live primary demoted by a Sentinel failover is left by the gateways
// too, and the killed primary comes back as a replica.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { SentinelRedis } from '../server/launcher/sentinel.js';
import { player, type Msg, type TestClient } from './support/client.js';
import { sleep, startCluster } from './support/cluster.js';
import { until as pollUntil } from './support/until.js';
import { Keys } from '../server/store/keys.js';

/** A bounded poll (the shared helper of test/support/until.ts), in this file's argument order. */
const until = (check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<boolean> => pollUntil(what, check, { timeoutMs: ms });

const readyz = (url: string) => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(500) }).then((r) => r.status, () => 0);

/** Sends a move and resends it with the same mid until it is answered ok or refused for a reason other than UNAVAILABLE. */
async function moveUntilAnswered(c: TestClient, gameId: string, cell: number, mid: string, ms = 20_000): Promise<Msg> {
  const deadline = Date.now() + ms;
  let last: Msg | string = 'nothing';
  while (Date.now() < deadline) {
    const m = await c.request({ t: 'move', gameId, cell, mid }, 3000).catch((e: Error) => e.message);
    if (typeof m !== 'string' && !(m.t === 'error' && m.code === 'UNAVAILABLE')) return m;
    last = m;
    await sleep(100);
  }
  assert.fail(`move ${mid} not answered within ${ms} ms (last: ${JSON.stringify(last)})`);
}

describe('sentinel mode: failover followed by the gateways', () => {
  let cl: Awaited<ReturnType<typeof startCluster>>;
  let topo: SentinelRedis;

  before(async () => {
    // restarts after the failover (~2.5 s): a primary back sooner is simply the primary again
    cl = await startCluster({ gateways: 2, redisMode: 'sentinel', restartDelayMs: 3000, env: { LOG_LEVEL: 'info', TURN_MS: '0', ABANDON_MS: '0' } });
    topo = cl.topology as SentinelRedis;
  });
  after(async () => { await cl?.stop(); });

  test('SIGKILL of the primary mid-game: 503 then 200 without a restart, resent moves applied once, no acknowledged move lost', async () => {
    const [g0, g1] = cl.gateways;
    const A = await player(g0.ws, 'sA');
    const B = await player(g1.ws, 'sB');
    const { gameId, code } = await A.ok({ t: 'create' });
    await B.ok({ t: 'join', code });
    const acked = new Map<number, string>(); // cell -> mark of every move answered ok
    const play = async (c: TestClient, mark: string, cell: number, mid: string) => {
      const m = await moveUntilAnswered(c, gameId, cell, mid);
      assert.equal(m.t, 'ok', `${mid}: ${JSON.stringify(m)}`);
      acked.set(cell, mark);
    };
    await play(A, 'X', 0, 'a1');
    await play(B, 'O', 4, 'b1');

    const old = await topo.currentPrimary();
    assert.ok(old?.pid, 'the Sentinels name a primary we run');
    const oldPort = old.port;
    old.kill();
    // a move in flight while the primary dies: resent with the same mid until answered
    const inFlight = play(A, 'X', 1, 'a2');
    let saw503 = false;
    await until(async () => {
      const codes = await Promise.all(cl.gateways.map((g) => readyz(g.url)));
      saw503 ||= codes.includes(503);
      return saw503 && codes.every((c) => c === 200);
    }, 20_000, '/readyz 503 during the failover, then 200 on both gateways');
    await inFlight;
    assert.ok(cl.gateways.every((g) => g.restarts === 0 && cl.alive(g)), 'no gateway was restarted');
    // the Sentinel asked may learn of the new primary a little after the one that led the failover
    await until(async () => { const p = await topo.currentPrimary(); return p !== null && p.port !== oldPort; }, 10_000, 'a replica was promoted');

    await play(B, 'O', 5, 'b2');
    await play(A, 'X', 2, 'a3');
    const final = await A.stateWhere(gameId, (g) => g.status === 'won', 'the game won');
    assert.equal(final.winner, 'X');
    const r = new Redis(await cl.primaryUrl());
    try {
      const stored = JSON.parse((await r.hget(new Keys().game(gameId), 's'))!);
      for (const [cell, mark] of acked) assert.equal(stored.board[cell], mark, `acknowledged move on cell ${cell} is on the final board`);
      assert.equal(stored.version, final.version);
    } finally {
      r.disconnect();
    }

    // the killed primary is started again by the launcher, as a replica of the new primary
    await until(async () => {
      const n = topo.data.find((d) => d.server.port === oldPort)!;
      if (!n.server.alive || n.startedAs !== 'replica') return false;
      const c = new Redis({ port: oldPort, lazyConnect: true, retryStrategy: () => null });
      c.on('error', () => {});
      try { await c.connect(); return ((await c.call('ROLE')) as string[])[0] === 'slave'; } catch { return false; } finally { c.disconnect(); }
    }, 15_000, 'the old primary back as a replica');
    A.close();
    B.close();
  });

  test('a live primary demoted by a Sentinel failover: the gateways leave it and serve from the new one', async () => {
    const before = await topo.currentPrimary();
    const s = topo.sentinels[0];
    const c = new Redis({ port: s.port });
    // refused (INPROG, NOGOODSLAVE) while the Sentinels still reconfigure after the previous failover
    try {
      await until(() => c.call('SENTINEL', 'FAILOVER', 'trine').then(() => true, (e: Error) => (/INPROG|NOGOODSLAVE/.test(e.message) ? false : Promise.reject(e))),
        20_000, 'a Sentinel failover accepted');
    } finally { c.disconnect(); }
    await until(async () => (await topo.currentPrimary())?.port !== before?.port, 15_000, 'a new primary');
    await until(async () => (await Promise.all(cl.gateways.map((g) => readyz(g.url)))).every((x) => x === 200), 10_000, 'both gateways ready again');
    // /readyz may still say 200 for the instant before a gateway notices the demotion: a client
    // retries a hello answered UNAVAILABLE, as this does until each gateway serves one
    const served = async (url: string, label: string): Promise<TestClient> => {
      let c = null as TestClient | null;
      await until(async () => (c = await player(url, label).catch(() => null)) !== null, 15_000, `${label}: a hello served`);
      return c!;
    };
    const A = await served(cl.gateways[0].ws, 'dA');
    const B = await served(cl.gateways[1].ws, 'dB');
    const { gameId, code } = await A.ok({ t: 'create' });
    await B.ok({ t: 'join', code });
    const m = await moveUntilAnswered(A, gameId, 0, 'd1');
    assert.equal(m.t, 'ok');
    A.close();
    B.close();
  });
});
