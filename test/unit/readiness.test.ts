// Redis health and recovery with fake links and fake rebuildable parts: when the gateway serves,
// and how it gets back to serving by itself after a connection was lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Readiness } from '../../server/gateway/readiness.js';
import { FakeLink, ManualClock, deferred, fakeMetrics, settle, silentLog } from './fakes.js';

function setup(o: { cmdReadyFirst?: boolean } = {}) {
  const cmd = new FakeLink();
  const sub = new FakeLink();
  if (o.cmdReadyFirst) cmd.status = 'ready';
  const steps: string[] = [];
  let registered = false;
  let trouble: string | null = null;
  let draining = false;
  let resyncRooms: () => Promise<void> = async () => {};
  const registration = {
    get registered() { return registered; },
    heartbeat: async () => { steps.push('heartbeat'); registered = true; },
    trouble: () => trouble,
  };
  const metrics = fakeMetrics('redisErrors', 'redisReconnects');
  const health = new Readiness({
    cmd, sub, registration, isDraining: () => draining, now: new ManualClock().now, log: silentLog, metrics,
    subs: { size: 3, resubscribeAll: async () => { steps.push('resubscribe'); } },
    rooms: { size: 2, resync: () => { steps.push('rooms'); return resyncRooms(); } },
    players: { size: 1, resync: async () => { steps.push('players'); } },
  });
  health.watch();
  /** Both connections ready and registered; the steps so far forgotten. */
  const started = async () => {
    cmd.becomeReady();
    sub.becomeReady();
    await settle();
    steps.length = 0;
  };
  return {
    health, cmd, sub, steps, metrics, started,
    set: (s: { trouble?: string | null; draining?: boolean; resyncRooms?: () => Promise<void> }) => {
      if (s.trouble !== undefined) trouble = s.trouble;
      if (s.draining !== undefined) draining = s.draining;
      if (s.resyncRooms) resyncRooms = s.resyncRooms;
    },
  };
}

test('starting: unreachable until both connections are ready, registering until the first heartbeat, then ok', async () => {
  const s = setup();
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'redis unreachable' });
  s.cmd.becomeReady();
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'redis unreachable' });
  s.sub.becomeReady();
  await settle();
  assert.deepEqual(s.steps, ['heartbeat'], 'the first ready of the command connection registers');
  assert.deepEqual(s.health.readiness(), { ok: true, why: 'ok' });
  assert.equal(s.health.canServe(), true);
});

test('a connection that was ready before it was watched counts as ready (its event was missed)', async () => {
  const s = setup({ cmdReadyFirst: true });
  s.sub.becomeReady();
  await settle();
  assert.deepEqual(s.steps, ['heartbeat']);
  assert.equal(s.health.canServe(), true);
});

test('a lost subscriber: not served until resubscribed, registered again and resynced, in that order', async () => {
  const s = setup();
  await s.started();
  s.sub.lose();
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'redis unreachable' });
  const rooms = deferred<void>();
  s.set({ resyncRooms: () => rooms.promise });
  s.sub.becomeReady();
  await settle();
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'resyncing after a redis reconnect' });
  rooms.resolve();
  await settle();
  assert.deepEqual(s.steps, ['resubscribe', 'heartbeat', 'rooms', 'players']);
  assert.equal(s.health.canServe(), true);
  assert.equal(s.metrics.redisReconnects.get({ conn: 'sub' }), 1);
});

test('a lost command connection needs no resubscribe; a failed resync is retried by recover() until it succeeds', async () => {
  const s = setup();
  await s.started();
  s.set({ resyncRooms: async () => { throw new Error('Connection is closed.'); } });
  s.cmd.lose();
  s.cmd.becomeReady();
  await settle();
  assert.equal(s.health.resyncPending, true);
  assert.equal(s.metrics.redisErrors.get({ op: 'resync' }), 1);
  s.set({ resyncRooms: async () => {} });
  await s.health.recover();
  assert.equal(s.health.resyncPending, false);
  assert.deepEqual(s.steps, ['heartbeat', 'rooms', 'heartbeat', 'rooms', 'players']);
  assert.equal(s.health.canServe(), true);
});

test('heartbeat trouble makes it not ready yet still serving; draining overrides everything and losses are not counted', async () => {
  const s = setup();
  await s.started();
  s.set({ trouble: 'redis not answering' });
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'redis not answering' });
  assert.equal(s.health.canServe(), true, 'commands are still tried: they time out by themselves');
  s.set({ trouble: null, draining: true });
  assert.deepEqual(s.health.readiness(), { ok: false, why: 'draining' });
  s.cmd.lose();
  s.cmd.becomeReady();
  await settle();
  assert.equal(s.health.resyncPending, false);
});

test('a gap of the subscriber (a slot moved, subscriptions restored by the client): every game re-read while still serving', async () => {
  const s = setup();
  s.sub.emit('gap'); // before the first ready: nothing to catch up with
  await s.started();
  const rooms = deferred<void>();
  s.set({ resyncRooms: () => rooms.promise });
  s.sub.emit('gap');
  await settle();
  assert.equal(s.health.catchUpPending, true);
  assert.deepEqual(s.health.readiness(), { ok: true, why: 'ok' }, 'commands read Redis, not the feed: served meanwhile');
  rooms.resolve();
  await settle();
  assert.deepEqual(s.steps, ['heartbeat', 'rooms', 'players'], 'no resubscribe: the subscriptions are in place');
  assert.equal(s.health.catchUpPending, false);
  // a failed re-read is retried by recover() (the gateway's ticker) until it succeeds
  s.set({ resyncRooms: async () => { throw new Error('Connection is closed.'); } });
  s.sub.emit('gap');
  await settle();
  assert.equal(s.health.catchUpPending, true);
  s.set({ resyncRooms: async () => {} });
  await s.health.recover();
  assert.equal(s.health.catchUpPending, false);
  assert.equal(s.health.canServe(), true);
});
