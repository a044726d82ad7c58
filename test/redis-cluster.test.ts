// startRedisCluster (test/support/redis-cluster.ts): six real redis-server processes become a
// whole 3+3 cluster; a SIGKILLed primary is failed over to its replica and, restarted with its own
// nodes.conf, rejoins as that one's replica; stop ends every node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTestRedisCluster } from './support/redis-cluster.js';
import { until } from './support/until.js';

async function role(port: number): Promise<string | null> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => {});
  try { await r.connect(); return String(((await r.call('ROLE')) as unknown[])[0]); } catch { return null; } finally { r.disconnect(); }
}

test('a 3+3 cluster: writes on every shard, a killed primary fails over and comes back as a replica, stop leaves nothing', async () => {
  const c = await startTestRedisCluster({ restartDelayMs: 5000 }) // longer than a failover (cluster-node-timeout 1.5 s + election);
  try {
    assert.equal(c.nodes.length, 6);
    assert.equal(c.nodes.filter((n) => n.role === 'primary').length, 3);
    assert.equal(c.seeds.split(',').length, 6);
    const client = new Redis.Cluster(c.primaries, { lazyConnect: true });
    try {
      await client.connect();
      for (let i = 0; i < 30; i++) await client.set(`k${i}`, String(i));
      assert.equal(await client.get('k7'), '7');
    } finally { client.disconnect(); }

    const victim = (await c.topology.currentPrimaries())[0];
    const port = victim.port;
    const before = new Set((await c.topology.currentPrimaries()).map((s) => s.port));
    victim.kill();
    // its replica is promoted: the slot map names a primary that was not one before
    await until('a replica promoted', async () => (await c.topology.currentPrimaries()).map((s) => s.port), {
      ok: (ps) => ps.length === 3 && ps.some((p) => !before.has(p)) && !ps.includes(port), timeoutMs: 30_000, everyMs: 200,
    });
    // restarted after RESTART_DELAY_MS with its nodes.conf, it rejoins as a replica
    await until(`node ${port} back as a replica`, () => role(port), { ok: (r) => r === 'slave', timeoutMs: 30_000, everyMs: 200 });
  } finally {
    await c.stop();
  }
  for (const n of c.topology.data) assert.equal(n.server.alive, false);
});
