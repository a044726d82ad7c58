// A gateway's Redis connection never stays ended unless the gateway closed it (server/redis.ts
// `reviving`). ioredis ends a sentinel-mode connection for good when it is dropped while it is
// being made (asking the Sentinels): during a failover the Sentinels' +switch-master does exactly
// that, and a gateway lost its subscriber for good in the primary-kill chaos experiment. Here the
// same path is taken on purpose with real processes: the only Sentinel is stopped, the connection
// is dropped while it asks for the primary, ioredis ends it, and once the Sentinel is back the
// connection is made again by itself.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { loadConfig } from '../server/config.js';
import { RedisServer } from '../server/launcher/redis-server.js';
import { SentinelServer } from '../server/launcher/sentinel-server.js';
import { connectRedis } from '../server/redis.js';
import { until } from './support/until.js';

const primary = new RedisServer();
let sentinel: SentinelServer;

before(async () => {
  await primary.start();
  sentinel = new SentinelServer({ dir: mkdtempSync(join(tmpdir(), 'trine-reviving-')), name: 'trine', primary: { host: '127.0.0.1', port: primary.port }, quorum: 1 });
  await sentinel.start();
});
after(async () => {
  await sentinel?.stop();
  await primary.stop();
});

const settings = () => loadConfig({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'trine' });

/** Records the statuses a connection goes through. */
function watched(r: Redis) {
  const seen: string[] = [];
  for (const s of ['ready', 'close', 'reconnecting', 'end'] as const) r.on(s, () => seen.push(s));
  r.on('error', () => { /* expected while the Sentinel is down */ });
  return seen;
}

test('dropped while it asks the Sentinels, ended by ioredis: made again once a Sentinel answers', async () => {
  const r = connectRedis(settings(), 'trine-test-reviving');
  const seen = watched(r);
  try {
    await until('ready', () => r.status === 'ready');
    await sentinel.stop();
    r.disconnect(true); // as the heartbeat does; the new connection cannot find a Sentinel
    await until('asking the Sentinels', () => r.status === 'connecting', { everyMs: 5 });
    r.disconnect(true); // as the failover detector does on +switch-master
    await until('ended by ioredis', () => seen.includes('end'));
    await sentinel.start();
    await until('ready again', () => r.status === 'ready', { timeoutMs: 15_000 });
    assert.equal(await r.ping(), 'PONG');
  } finally {
    r.disconnect();
  }
});
