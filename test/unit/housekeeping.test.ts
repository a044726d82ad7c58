// Housekeeping with a fake store: due time rules claimed in slices, applied and counted by the
// gateway that applied them (a seat out of a game that goes on is no ending), a claimed computer's
// turn played, a failing one skipped; dead instances reaped in batches, one round at
// a time, nothing while the gateway cannot serve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Housekeeping, type HousekeepingDeps } from '../../server/gateway/housekeeping.js';
import type { ExpireResult } from '../../server/store/store.js';
import type { GameSnapshot } from '../../shared/protocol.js';
import { deferred, fakeMetrics, settle, silentLog } from './fakes.js';

type Applied = ExpireResult;

function setup(o: { due?: string[][]; applied?: Record<string, Applied | Error>; dead?: string[]; reaps?: ({ handled: number; left: number } | null)[] } = {}) {
  const calls: string[] = [];
  let canServe = true;
  let ready = true;
  const reaps = [...(o.reaps ?? [])];
  const slices = [...(o.due ?? [])];
  const store: HousekeepingDeps['store'] = {
    // every bucket is swept (the first sweep is a full one); the due games are all in bucket 0
    claimDue: async (count, lease, buckets) => {
      if (buckets?.[0] !== 0) return [];
      calls.push(`claim ${count} ${lease}`);
      return slices.shift() ?? [];
    },
    expire: async (id) => {
      calls.push(`expire ${id}`);
      const r = o.applied?.[id] ?? null;
      if (r instanceof Error) throw r;
      return r;
    },
    deadInstances: async (self) => { calls.push(`dead but ${self}`); return o.dead ?? []; },
    reap: async (id, batch) => { calls.push(`reap ${id} ${batch}`); return reaps.length ? reaps.shift()! : { handled: 0, left: 0 }; },
  };
  const metrics = fakeMetrics('timeRules', 'gamesFinished', 'redisErrors', 'playersReaped', 'outboxRepublished');
  const played: string[] = [];
  const computer = { play: async (g: { id: string; version: number }) => { played.push(`${g.id}@${g.version}`); } };
  const hk = new Housekeeping({ store, instanceId: 'gw-1-abc', canServe: () => canServe, isReady: () => ready, computer, log: silentLog, metrics });
  return { hk, calls, played, metrics, set: (s: { canServe?: boolean; ready?: boolean }) => { canServe = s.canServe ?? canServe; ready = s.ready ?? ready; }, store };
}

test('sweep: each claimed game is expired; what this gateway applied is counted by reason', async () => {
  const s = setup({ due: [['a', 'b', 'c']], applied: { a: 'timeout', c: 'abandoned' } });
  await s.hk.sweep();
  assert.deepEqual(s.calls, ['claim 50 5000', 'expire a', 'expire b', 'expire c']);
  assert.equal(s.metrics.timeRules.get(), 2);
  assert.equal(s.metrics.gamesFinished.get({ reason: 'timeout' }), 1);
  assert.equal(s.metrics.gamesFinished.get({ reason: 'abandoned' }), 1);
});

test('sweep: a seat out of a game that goes on is a rule applied, not an ending; a claimed computer turn is played, not counted', async () => {
  const snapshot = { id: 'c', version: 7 } as GameSnapshot;
  const s = setup({ due: [['o', 'c']], applied: { o: { out: 'Y', reason: 'timeout' }, c: { computer: snapshot } } });
  await s.hk.sweep();
  assert.deepEqual(s.calls, ['claim 50 5000', 'expire o', 'expire c']);
  assert.deepEqual(s.played, ['c@7']);
  assert.equal(s.metrics.timeRules.get(), 1);
  assert.equal(s.metrics.gamesFinished.get({ reason: 'timeout' }), 0);
});

test('sweep: nothing while the gateway cannot serve; one sweep at a time; a failure is counted and the next sweep runs', async () => {
  const s = setup({ due: [['a']] });
  s.set({ canServe: false });
  await s.hk.sweep();
  assert.deepEqual(s.calls, []);
  s.set({ canServe: true });
  const slow = deferred<string[]>();
  s.store.claimDue = () => slow.promise;
  const first = s.hk.sweep();
  await s.hk.sweep();
  slow.reject(new Error('Connection is closed.'));
  await first;
  assert.equal(s.metrics.redisErrors.get({ op: 'sweep' }), 1);
  s.store.claimDue = async (_count, _lease, buckets) => (buckets?.[0] === 0 ? ['z'] : []);
  await s.hk.sweep();
  assert.deepEqual(s.calls, ['expire z']);
});

test('sweep: a game whose rule fails is counted and skipped, the rest of the slice is applied', async () => {
  const s = setup({ due: [['a', 'b', 'c']], applied: { a: 'expired', b: new Error('ERR user_script: cjson decode'), c: 'idle' } });
  await s.hk.sweep();
  assert.equal(s.metrics.timeRules.get(), 2);
  assert.equal(s.metrics.gamesFinished.get({ reason: 'idle' }), 1);
  assert.equal(s.metrics.redisErrors.get({ op: 'sweep' }), 1);
});

test('sweep: full slices are claimed again in the same sweep (a backlog), at most 8 rules in flight', async () => {
  const full = Array.from({ length: 50 }, (_, i) => `g${i}`);
  const s = setup({ due: [full, ['last']] });
  let inFlight = 0;
  let most = 0;
  s.store.expire = async () => { most = Math.max(most, ++inFlight); await settle(); inFlight--; return 'timeout'; };
  await s.hk.sweep();
  assert.deepEqual(s.calls, ['claim 50 5000', 'claim 50 5000']);
  assert.equal(s.metrics.timeRules.get(), 51);
  assert.equal(most, 8);
});

test('reap: every dead instance but this one, in batches until none is left, counted', async () => {
  const s = setup({ dead: ['gw-2-x', 'gw-3-y'], reaps: [{ handled: 200, left: 5 }, { handled: 5, left: 0 }, null] });
  await s.hk.reapDead();
  assert.deepEqual(s.calls, ['dead but gw-1-abc', 'reap gw-2-x 200', 'reap gw-2-x 200', 'reap gw-3-y 200']);
  assert.equal(s.metrics.playersReaped.get(), 205);
});

test('reap: not while not ready (a gateway cut from Redis must not reap the live ones); not twice at once', async () => {
  const s = setup({ dead: ['gw-2-x'] });
  s.set({ ready: false });
  await s.hk.reapDead();
  assert.deepEqual(s.calls, []);
  s.set({ ready: true });
  const first = s.hk.reapDead();
  const second = s.hk.reapDead();
  await Promise.all([first, second]);
  await settle();
  assert.deepEqual(s.calls, ['dead but gw-1-abc', 'reap gw-2-x 200']);
});
