// Redis credentials: REDIS_URL may carry a password or an ACL user and use rediss:// (TLS). Each
// works end to end (a game played through the gateways); wrong credentials or an untrusted
// certificate leave the gateway alive and not ready, and the secret never reaches its logs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer } from '../server/launcher/redis-server.js';
import { redisTls } from '../server/redis.js';
import { player } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { spawnGateway } from './support/gateway-proc.js';
import { playPrivateGame } from './support/play.js';
import { until } from './support/until.js';

const PASSWORD = 'p@ss:w/rd-0f-trine';

/** Plays one private game across the cluster's gateways and checks the result. */
async function gameThrough(urls: string[]): Promise<void> {
  const A = await player(urls[0], 'A');
  const B = await player(urls[urls.length - 1], 'B');
  try {
    const end = await playPrivateGame(A, B);
    assert.equal(end.status, 'won');
    assert.equal(end.winner, 'X');
  } finally { A.close(); B.close(); }
}

/** A gateway that cannot get in: alive (/healthz 200), not ready (/readyz 503), the secret not in its output. */
async function refused(env: Record<string, string>, secret: string): Promise<string> {
  const g = await spawnGateway(env);
  const failedAttempts = () => g.output().split('"msg":"redis error"').length - 1;
  try {
    for (let attempt = 1; attempt <= 3; attempt++) {
      // after each failed attempt to get in (logged at debug), it is still alive and still not ready
      await until(`failed Redis connection attempt ${attempt} logged`, failedAttempts, { ok: (n) => n >= attempt, timeoutMs: 10_000 });
      assert.equal((await fetch(`${g.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${g.url}/readyz`)).status, 503);
    }
    return g.output();
  } finally {
    await g.stop();
    assert.ok(!g.output().includes(secret), 'the secret appears in the gateway output');
  }
}

describe('Redis with a password (requirepass) and an ACL user', () => {
  const redis = new RedisServer({ password: PASSWORD });
  before(async () => { await redis.start(); });
  after(async () => { await redis.stop(); });

  test('REDIS_URL with :password@ works end to end on both transports', async () => {
    assert.match(redis.url, /^redis:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    const cl = await startCluster({ gateways: 2, transport: 'mixed', redisUrl: redis.url });
    try { await gameThrough(cl.gateways.map((g) => g.ws)); } finally { await cl.stop(); }
  });

  test('an ACL user limited to the trine: keys and channels works end to end', async () => {
    const admin = new Redis(redis.url);
    try {
      await admin.call('ACL', 'SETUSER', 'trine', 'on', '>acl-secret-42', 'resetkeys', '~trine:*', 'resetchannels', '&trine:*', '+@all', '-@admin');
      const url = `redis://trine:acl-secret-42@127.0.0.1:${redis.port}`;
      const probe = new Redis(url);
      await assert.rejects(probe.set('elsewhere', '1'), /NOPERM/, 'keys outside the prefix are refused to that user');
      probe.disconnect();
      const cl = await startCluster({ gateways: 2, transport: 'mixed', redisUrl: url });
      try { await gameThrough(cl.gateways.map((g) => g.ws)); } finally { await cl.stop(); }
    } finally { admin.disconnect(); }
  });

  test('a wrong password: the gateway stays up, not ready, and never prints the password', async () => {
    const wrong = 'wr0ng-s3cret-value';
    await Promise.all([
      refused({ REDIS_URL: `redis://:${wrong}@127.0.0.1:${redis.port}` }, wrong),
      refused({ REDIS_URL: `redis://127.0.0.1:${redis.port}` }, PASSWORD),
    ]);
  });
});

describe('Redis over TLS (rediss://)', () => {
  let dir = '';
  let redis: RedisServer | null = null;
  let why = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trine-tls-'));
    try {
      // a throwaway self-signed certificate for 127.0.0.1, its own CA
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
        '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const r = new RedisServer({ password: PASSWORD, tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), caFile: join(dir, 'cert.pem') } });
      await r.start();
      redis = r;
    } catch (e) {
      why = `TLS cannot be tested here: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
  after(async () => { await redis?.stop(); rmSync(dir, { recursive: true, force: true }); });

  test('rediss:// with a password and REDIS_TLS_CA_FILE works end to end on both transports', async (t) => {
    if (!redis) { t.skip(why); return; }
    assert.match(redis.url, /^rediss:\/\//);
    const plain = new Redis(redis.url.replace('rediss:', 'redis:'), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    plain.on('error', () => {});
    await assert.rejects(plain.connect().then(() => plain.ping()), 'the server speaks TLS only');
    plain.disconnect();
    const direct = new Redis(redis.url, redisTls(redis.url, join(dir, 'cert.pem')));
    assert.equal(await direct.ping(), 'PONG');
    direct.disconnect();
    const cl = await startCluster({ gateways: 2, transport: 'mixed', redisUrl: redis.url, env: { REDIS_TLS_CA_FILE: join(dir, 'cert.pem') } });
    try { await gameThrough(cl.gateways.map((g) => g.ws)); } finally { await cl.stop(); }
  });

  test('rediss:// without the CA: the certificate is refused, the gateway stays up and not ready', async (t) => {
    if (!redis) { t.skip(why); return; }
    const out = await refused({ REDIS_URL: redis.url }, PASSWORD);
    assert.match(out, /self[- ]signed|certificate/i, 'the log says why');
  });
});
