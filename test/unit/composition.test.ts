// A whole gateway built from fakes of its seams (no Redis, no network): the Store, both Redis
// connections, the transport, ids and the clock are passed in. It registers once Redis is ready,
// says hello, serves a command, forwards channel messages to its sockets, and closes cleanly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { Gateway } from '../../server/gateway/gateway.js';
import type { Ids } from '../../server/gateway/ids.js';
import { createMetrics } from '../../server/metrics.js';
import { encodeGameEvent, encodePlayerNotice, toRaw } from '../../server/store/channels.js';
import { Keys } from '../../server/store/keys.js';
import type { Store } from '../../server/store/store.js';
import { FakeLink, FakeSubLink, ManualClock, settle, silentLog } from './fakes.js';
import { FakeTransport } from './fake-transport.js';

const snapshot = (id: string, version: number) => toRaw(JSON.stringify({ id, status: 'playing', version }));

/** The Store's methods this gateway uses in these tests; any other use fails loudly. */
function fakeStore(calls: string[], overrides: Record<string, unknown>): Store {
  const impl: Record<string, unknown> = {
    keys: new Keys('trine'),
    heartbeat: async () => { calls.push('heartbeat'); return true; },
    unregister: async (id: string) => { calls.push(`unregister ${id}`); },
    reap: async () => null,
    deadInstances: async () => [],
    dueGames: async () => [],
    deadlineCount: async () => 0,
    liveInstances: async () => [{ id: 'gw-t' }],
    hello: async (a: { newPlayerId: string; defaultName: string }) => { calls.push('hello'); return { resumed: false, playerId: a.newPlayerId, name: a.defaultName }; },
    unfinishedGames: async () => [],
    create: async (_p: string, _n: string, gameId: string, code: string) => { calls.push(`create ${gameId} ${code}`); return { ok: true, version: 1, gameId, code }; },
    readRoom: async (id: string) => ({ snapshot: snapshot(id, 1), presence: null }),
    disconnect: async () => { calls.push('disconnect'); return false; },
    touchSession: async () => {},
    ...overrides,
  };
  return new Proxy(impl, {
    get: (t, k) => {
      if (typeof k === 'string' && k in t) return t[k];
      if (k === 'then') return undefined;
      throw new Error(`fake store: ${String(k)} was not expected`);
    },
  }) as unknown as Store;
}

function counterIds(): Ids {
  let n = 0;
  return { newId: (size) => `id${++n}`.padEnd(size, 'x'), newGameId: () => `game${++n}`, newCode: () => `CODE${++n}`, newInstanceSuffix: () => 'inst' };
}

function build(storeOverrides: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const cmd = new FakeLink();
  const sub = new FakeSubLink();
  const clock = new ManualClock(Date.now());
  let transport: FakeTransport | null = null;
  const gateway = new Gateway({
    cfg: loadConfig({ GATEWAY_ID: 'gw-t', PORT: '9999' }), log: silentLog, metrics: createMetrics('gw-t'), store: fakeStore(calls, storeOverrides), cmd, sub,
    transport: (o) => (transport = new FakeTransport(o)), assets: () => null, ids: counterIds(), now: clock.now,
  });
  return { gateway, calls, cmd, sub, clock, transport: transport! };
}

test('a gateway of fakes: ready once Redis is and it registered; hello, create, channel messages; close unregisters', async () => {
  const g = build();
  assert.equal(g.gateway.instanceId, 'gw-t-inst');
  await g.gateway.start();
  try {
    assert.deepEqual(g.transport.listening, ['127.0.0.1', 9999]);
    assert.equal((await g.transport.get('/readyz')).status, 503);
    g.cmd.becomeReady();
    g.sub.becomeReady();
    await settle();
    assert.deepEqual(g.calls, ['heartbeat']);
    const ready = await g.transport.get('/readyz');
    assert.deepEqual([ready.status, JSON.parse(String(ready.body))], [200, { ready: true, why: 'ok' }]);

    const client = g.transport.connect();
    assert.ok(!Array.isArray(client));
    client.say({ t: 'hello', v: 1, rid: 'h' });
    await settle();
    const welcome = client.socket.frames()[0];
    assert.equal(welcome.t, 'welcome');
    assert.equal(welcome.gateway, 'gw-t');

    client.say({ t: 'create', rid: 'c' });
    await settle();
    const created = client.socket.frames()[1];
    assert.equal(created.t, 'ok');
    const gameId = created.gameId as string;
    assert.ok(g.calls.includes(`create ${gameId} ${created.code}`));
    assert.equal(client.socket.frames()[2].t, 'state', 'the creator follows its game');

    const keys = new Keys('trine');
    g.sub.deliver(keys.gameChannel(gameId), encodeGameEvent({ kind: 'state', snapshot: snapshot(gameId, 2) }));
    g.sub.deliver(keys.gameChannel(gameId), encodeGameEvent({ kind: 'state', snapshot: snapshot(gameId, 2) }));
    const playerId = (welcome.player as { id: string }).id;
    g.sub.deliver(keys.playerChannel(playerId), encodePlayerNotice({ kind: 'matched', gameId: 'other' }));
    await settle();
    assert.deepEqual(client.socket.frames().slice(3).map((f) => (f.t === 'state' ? `state ${(f.game as { id: string; version: number }).id}@${(f.game as { version: number }).version}` : f.t)),
      [`state ${gameId}@2`, 'matched', 'state other@1']);
  } finally {
    await g.gateway.close();
  }
  await settle();
  assert.ok(g.calls.includes('unregister gw-t-inst'));
  assert.equal(g.transport.listening, null);
  assert.deepEqual([g.cmd.disconnects, g.sub.disconnects], [[undefined], [undefined]]);
});

test('a gateway of fakes drains: every socket closed with 1012, its disconnect recorded, then closed', async () => {
  const g = build();
  await g.gateway.start();
  g.cmd.becomeReady();
  g.sub.becomeReady();
  await settle();
  const client = g.transport.connect();
  assert.ok(!Array.isArray(client));
  client.say({ t: 'hello', v: 1 });
  await settle();
  await g.gateway.drain();
  assert.deepEqual(client.socket.ended, [[1012, 'gateway restarting']]);
  assert.ok(g.calls.includes('disconnect'));
  assert.deepEqual(g.transport.connect(), [503, 'gateway restarting: connect to another one']);
  assert.equal(g.transport.listening, null);
});

test('a gateway of fakes answers UNAVAILABLE before Redis is ready, and classifies a failed command (UNAVAILABLE, INTERNAL)', async () => {
  let failure: Error = new Error('Connection is closed.');
  const g = build({ create: async () => { throw failure; } });
  await g.gateway.start();
  try {
    const client = g.transport.connect();
    assert.ok(!Array.isArray(client));
    client.say({ t: 'hello', v: 1, rid: 'early' });
    await settle();
    assert.deepEqual(client.socket.frames().map((f) => [f.rid, f.code]), [['early', 'UNAVAILABLE']]);
    g.cmd.becomeReady();
    g.sub.becomeReady();
    await settle();
    client.say({ t: 'hello', v: 1 });
    await settle();
    client.say({ t: 'create', rid: 'c1' });
    await settle();
    failure = new TypeError('a bug');
    client.say({ t: 'create', rid: 'c2' });
    await settle();
    assert.deepEqual(client.socket.frames().slice(1).map((f) => [f.t, f.rid, f.code]),
      [['welcome', undefined, undefined], ['error', 'c1', 'UNAVAILABLE'], ['error', 'c2', 'INTERNAL']]);
    assert.deepEqual(client.socket.ended, [], 'the socket stays open');
  } finally {
    await g.gateway.close();
  }
});
