// REDIS_MODE=cluster: games spread over the three shards, a game's slot moved to another shard
// mid-game, and a shard's primary SIGKILLed mid-game
// (its replica takes over): no acknowledged move lost, the game goes on to its end. The wire
// contract's core in cluster mode is in gateway.test.ts (it runs in every mode).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { player, type TestClient, type Msg } from './support/client.js';
import { startCluster, sleep } from './support/cluster.js';
import { privateGameOn } from './support/play.js';
import { until } from './support/until.js';
import { Keys } from '../server/store/keys.js';
import type { ClusterRedis } from '../server/launcher/redis-cluster.js';

type C = Awaited<ReturnType<typeof startCluster>>;

/** The slot ranges each node serves as primary now, from CLUSTER SLOTS asked of any node that answers. */
async function primaryOfSlot(ports: number[], slot: number): Promise<number | null> {
  for (const port of ports) {
    const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      const ranges = await r.call('CLUSTER', 'SLOTS') as [number, number, [string, number]][];
      const hit = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (hit) return Number(hit[2][1]);
    } catch { /* the next node */ } finally { r.disconnect(); }
  }
  return null;
}

/**
 * Moves one slot, keys and all, to another primary as `redis-cli --cluster reshard` does: IMPORTING on
 * the target, MIGRATING on the source, MIGRATE the keys in batches, then the slot's new owner told to
 * every primary. Returns the target's port.
 */
async function moveSlot(ports: number[], slot: number, from: number): Promise<number> {
  const conns = new Map(ports.map((p) => [p, new Redis({ port: p, maxRetriesPerRequest: 0 })]));
  try {
    const ids = new Map<number, string>();
    const primaries: number[] = [];
    for (const [p, r] of conns) {
      ids.set(p, String(await r.call('CLUSTER', 'MYID')));
      if (((await r.call('ROLE')) as unknown[])[0] === 'master') primaries.push(p);
    }
    const to = primaries.find((p) => p !== from)!;
    const src = conns.get(from)!;
    const dst = conns.get(to)!;
    await dst.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', ids.get(from)!);
    await src.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids.get(to)!);
    for (let i = 0; i < 1000; i++) {
      const keys = await src.call('CLUSTER', 'GETKEYSINSLOT', slot, 100) as string[];
      if (keys.length === 0) break;
      await src.call('MIGRATE', '127.0.0.1', to, '', 0, 5000, 'KEYS', ...keys);
    }
    for (const p of [to, from, ...primaries.filter((x) => x !== to && x !== from)]) {
      await conns.get(p)!.call('CLUSTER', 'SETSLOT', slot, 'NODE', ids.get(to)!);
    }
    return to;
  } finally { for (const r of conns.values()) r.disconnect(); }
}

/** A move, resent with its mid while the store answers UNAVAILABLE (a failover under way), as a client does. */
async function moveSurely(c: TestClient, gameId: string, cell: number, mid: string): Promise<Msg> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const r = await c.request({ t: 'move', gameId, cell, mid }, 10_000).catch(() => ({ t: 'error', code: 'TIMEOUT' }));
    if (r.t === 'ok') return r;
    if (r.code !== 'UNAVAILABLE' && r.code !== 'TIMEOUT') throw new Error(`move ${cell}: ${JSON.stringify(r)}`);
    await sleep(200);
  }
  throw new Error(`move ${cell} never acknowledged`);
}

describe('REDIS_MODE=cluster', () => {
  let cl: C;
  let ws: string[];
  let topo: ClusterRedis;
  before(async () => {
    cl = await startCluster({ redisMode: 'cluster', gateways: 2, restartDelayMs: 1000, env: { MAX_GAMES_PER_PLAYER: '100' } });
    ws = cl.gateways.map((g) => g.ws);
    topo = cl.topology as ClusterRedis;
  });
  after(async () => { await cl?.stop(); });

  test('cluster.json describes the six nodes (role as started, pid) and the gateways get REDIS_CLUSTER_NODES', () => {
    const d = JSON.parse(readFileSync(join(cl.dir, 'cluster.json'), 'utf8'));
    assert.equal(d.redis.mode, 'cluster');
    assert.equal(d.redis.pid, null);
    assert.deepEqual(d.redis.nodes.map((n: { role: string }) => n.role).sort(), ['primary', 'primary', 'primary', 'replica', 'replica', 'replica']);
    for (const n of d.redis.nodes) assert.ok(n.host === '127.0.0.1' && n.port > 0 && n.pid > 0, JSON.stringify(n));
    assert.match(d.redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(topo.gatewayEnv().REDIS_CLUSTER_NODES.split(',').length, 6);
  });

  test('games spread over all three shards', async () => {
    const A = await player(ws[0], 'SA');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await A.ok({ t: 'create' })).gameId as string);
    const ports = topo.data.map((n) => n.server.port);
    const keys = new Keys();
    const owners = await Promise.all(ids.map((id) => primaryOfSlot(ports, calculateSlot(keys.game(id)))));
    const primaries = (await topo.currentPrimaries()).map((s) => s.port);
    // every game key is on a primary, and each primary holds some (12 games: all three shards expected;
    // 12 draws over 3 shards miss one with probability 3 * (2/3)^12 < 2.5%, so more are made until they do)
    for (let i = 0; new Set(owners).size < 3 && i < 60; i++) {
      const id = (await A.ok({ t: 'create' })).gameId as string;
      ids.push(id);
      owners.push(await primaryOfSlot(ports, calculateSlot(keys.game(id))));
    }
    assert.deepEqual([...new Set(owners)].sort(), [...primaries].sort());
    for (const [i, id] of ids.entries()) {
      const r = new Redis({ port: owners[i]! });
      try { assert.ok(await r.hget(keys.game(id), 's'), `game ${id} on its shard`); } finally { r.disconnect(); }
    }
    A.close();
  });

  test('a game\'s slot moved to another shard mid-game (resharding): moves go on and every watcher keeps receiving states', async () => {
    const { A, B, S, id } = await privateGameOn({ x: ws[0], o: ws[1], watcher: ws[1] }, 'R');
    const ports = topo.data.map((n) => n.server.port);
    const slot = calculateSlot(new Keys().game(id));
    await moveSurely(A, id, 4, 'r0');
    await moveSurely(B, id, 0, 'r1');
    const from = (await primaryOfSlot(ports, slot))!;
    const to = await moveSlot(ports, slot, from);
    assert.equal(await primaryOfSlot(ports, slot), to, 'the slot is served by its new shard');
    const cells = [2, 6, 3, 8, 5]; // X wins with 3 4 5
    for (const [i, cell] of cells.entries()) {
      const r = await moveSurely(i % 2 ? B : A, id, cell, `r${i + 2}`);
      assert.equal(r.version, 5 + i, 'each move applied once, in order');
      for (const c of [A, B, S]) await c.stateAt(id, 5 + i, 15_000);
    }
    const r = new Redis({ port: to });
    try {
      assert.ok(await r.hget(new Keys().game(id), 's'), 'the game is on its new shard');
      // the old owner's unsolicited SUNSUBSCRIBE: ioredis resubscribed on the new one, and each gateway
      // following the game re-read it (states published in between are otherwise gone)
      const channel = new Keys().gameChannel(id);
      await until('both gateways subscribed on the new shard', async () => (await r.call('PUBSUB', 'SHARDNUMSUB', channel) as [string, number])[1], { ok: (n) => n === 2, timeoutMs: 15_000 });
      await until('each gateway re-read the games it follows', () => cl.gateways.map((g) => readFileSync(join(cl.dir, 'logs', `${g.id}.log`), 'utf8')), {
        ok: (logs) => logs.every((l) => l.includes('subscriptions moved')), timeoutMs: 15_000,
      });
    } finally { r.disconnect(); }
    for (const c of [A, B, S]) c.close();
  });

  test('SIGKILL of the primary holding a game mid-game: its replica takes over, no acknowledged move lost, the game ends', async () => {
    const { A, B, S, id } = await privateGameOn({ x: ws[0], o: ws[1], watcher: ws[1] });
    const cells = [4, 0, 2, 6, 3, 8, 5]; // X wins with 3 4 5
    const acked: number[] = [];
    const ports = topo.data.map((n) => n.server.port);
    for (const [i, cell] of cells.entries()) {
      if (i === 3) {
        const port = await primaryOfSlot(ports, calculateSlot(new Keys().game(id)));
        const victim = topo.data.find((n) => n.server.port === port)!.server;
        process.kill(victim.pid!, 'SIGKILL');
        // the next moves wait out the failover (UNAVAILABLE, resent with the same mid)
      }
      const r = await moveSurely(i % 2 ? B : A, id, cell, `f${i}`);
      acked.push(r.version as number);
    }
    assert.deepEqual(acked, [3, 4, 5, 6, 7, 8, 9], 'each move applied once, in order');
    for (const c of [A, B, S]) {
      const s = await c.stateAt(id, 9);
      assert.equal(s.status, 'won');
      assert.equal(s.board, 'O.XXXXO.O');
    }
    // the killed node comes back (launcher restart) as a replica: three primaries with a replica each again
    await until('the cluster healed: 3 primaries, each with a replica', async () => {
      const prim = await topo.currentPrimaries();
      const withReplica = await Promise.all(prim.map(async (p) => {
        const r = new Redis({ port: p.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        r.on('error', () => {});
        try { await r.connect(); return Number(/connected_slaves:(\d+)/.exec(await r.info('replication'))?.[1] ?? 0) > 0; } catch { return false; } finally { r.disconnect(); }
      }));
      return prim.length === 3 && withReplica.every(Boolean);
    }, { ok: (x) => x, timeoutMs: 30_000 });
    for (const c of [A, B, S]) c.close();
  });
});
