// The launcher's guards: one cluster per folder (a second `npm start` names the pid that holds it;
// a lock left by a dead launcher is taken over), a Redis that cannot start says why in one sentence
// (for a damaged append-only file, the command that repairs it), and REDIS_MODE's sentences.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError, loadConfig, loadLauncherConfig } from '../server/config.js';
import { ROOT } from '../server/launcher/cluster.js';
import { LockHeld, lockFolder } from '../server/launcher/lock.js';
import { RedisServer } from '../server/launcher/redis-server.js';

const tmp = mkdtempSync(join(tmpdir(), 'trine-launcher-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('one cluster per folder', () => {
  test('a second `npm start` in the same folder says which pid holds it and stops, starting nothing', () => {
    const dir = join(tmp, 'held');
    const lock = lockFolder(dir); // held by this (live) test process
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'launcher', 'main.ts')], {
        cwd: ROOT, env: { ...process.env, RUN_DIR: dir, GATEWAYS: '1' }, encoding: 'utf8', timeout: 30_000,
      });
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`pid ${process.pid}\\b`));
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one sentence');
      assert.deepEqual(readdirSync(dir), ['launcher.lock'], 'no cluster.json, no logs, no Redis data');
    } finally {
      lock.release();
    }
  });

  test('a lock whose process is gone is stale and taken over; a live one is refused', async () => {
    const dir = join(tmp, 'stale');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    lockFolder(dir, dead.pid!); // a launcher that died without releasing
    const lock = lockFolder(dir);
    assert.equal(readFileSync(lock.file, 'utf8').trim(), String(process.pid));
    assert.throws(() => lockFolder(dir, process.pid + 1_000_000), (e: unknown) => e instanceof LockHeld && e.pid === process.pid);
    lock.release();
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('a Redis that cannot start says why', () => {
  test('a damaged append-only file: the sentence names redis-check-aof --fix and the file', async () => {
    const dataDir = join(tmp, 'aof');
    const s = new RedisServer({ dataDir });
    await s.start();
    await s.stop();
    const incr = readdirSync(join(dataDir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    appendFileSync(join(dataDir, 'appendonlydir', incr), '*3\r\n$3\r\nSET\r\ngarbage\n');
    const again = new RedisServer({ dataDir, port: s.port });
    await assert.rejects(again.start(), (e: Error) => {
      assert.match(e.message, /append-only file is damaged/);
      assert.ok(e.message.includes(`redis-check-aof --fix ${dataDir}/appendonlydir/appendonly.aof.manifest`), e.message);
      assert.ok(!e.message.includes('\n'), 'one sentence');
      return true;
    });
  });

  test('a port already taken: the sentence is Redis\' own reason', async () => {
    const first = new RedisServer();
    await first.start();
    try {
      await assert.rejects(new RedisServer({ port: first.port }).start(), /redis-server on port \d+ cannot start: .*(in use|listening)/i);
    } finally {
      await first.stop();
    }
  });
});

describe('REDIS_MODE', () => {
  test('sentinel needs REDIS_SENTINELS and cluster REDIS_CLUSTER_NODES (not from the launcher, which runs them); bad lists are refused', () => {
    assert.throws(() => loadConfig({ REDIS_MODE: 'cluster' }), (e: unknown) => e instanceof ConfigError && /REDIS_CLUSTER_NODES/.test(e.message));
    assert.throws(() => loadConfig({ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: '127.0.0.1' }), /REDIS_CLUSTER_NODES.*host:port/);
    assert.equal(loadConfig({ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'a:7000,b:7001' }).REDIS_MODE, 'cluster');
    assert.throws(() => loadConfig({ REDIS_MODE: 'sentinel' }), /REDIS_SENTINELS/);
    assert.throws(() => loadConfig({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: '127.0.0.1' }), /REDIS_SENTINELS.*host:port/);
    assert.throws(() => loadConfig({ REDIS_MODE: 'primary' }), /REDIS_MODE/);
    assert.equal(loadConfig({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: 'a:26379, b:26380' }).REDIS_SENTINEL_NAME, 'trine');
    assert.equal(loadLauncherConfig({ REDIS_MODE: 'sentinel' }).REDIS_MODE, 'sentinel');
    assert.throws(() => loadLauncherConfig({ REDIS_MODE: 'sentinel', REDIS_URL: 'redis://x:6379' }), /only one/);
    assert.equal(loadLauncherConfig({ REDIS_MODE: 'cluster' }).REDIS_MODE, 'cluster');
    assert.throws(() => loadLauncherConfig({ REDIS_MODE: 'cluster', REDIS_URL: 'redis://x:6379' }), /only one/);
  });
});

