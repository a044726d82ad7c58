// The replica barrier's batching and failure rules, against a fake of its own seam (the fence
// connection): no Redis. Rounds are released by the test, never by time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurabilityError, ReplicaBarrier, type FenceConnection } from '../../server/store/durability.js';

/** A fence connection whose rounds the test settles one by one. */
class FakeFence implements FenceConnection {
  readonly rounds: { timeoutMs: number; settle(acked: number): void; fail(e: Error): void }[] = [];
  fenceAndWait(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => { this.rounds.push({ timeoutMs, settle: resolve, fail: reject }); });
  }
}

const flush = () => new Promise((r) => setImmediate(r));
const state = (p: Promise<void>) => {
  const s = { done: false, error: null as unknown };
  p.then(() => { s.done = true; }, (e) => { s.error = e; });
  return s;
};

test('one caller: one round with the configured timeout; resolves once a replica acknowledged', async () => {
  const fence = new FakeFence();
  const b = new ReplicaBarrier(fence, 750);
  const s = state(b.sync());
  await flush();
  assert.equal(fence.rounds.length, 1);
  assert.equal(fence.rounds[0].timeoutMs, 750);
  assert.equal(s.done, false, 'not before the replica acknowledged');
  fence.rounds[0].settle(1);
  await flush();
  assert.equal(s.done, true);
});

test('callers arriving during a round share the next round: one WAIT per group', async () => {
  const fence = new FakeFence();
  const b = new ReplicaBarrier(fence, 1000);
  const first = state(b.sync());
  const later = Array.from({ length: 50 }, () => state(b.sync()));
  await flush();
  assert.equal(fence.rounds.length, 1, 'the later callers do not start rounds of their own while one is in flight');
  fence.rounds[0].settle(1);
  await flush();
  assert.equal(first.done, true);
  assert.ok(later.every((s) => !s.done), 'the round in flight may have fenced before their writes: they wait for the next');
  assert.equal(fence.rounds.length, 2, 'the next round starts as soon as the first ends');
  const third = state(b.sync());
  fence.rounds[1].settle(2);
  await flush();
  assert.ok(later.every((s) => s.done));
  assert.equal(third.done, false, 'a caller during round 2 waits for round 3');
  assert.equal(fence.rounds.length, 3);
  fence.rounds[2].settle(1);
  await flush();
  assert.equal(third.done, true);
  assert.equal(b.rounds, 3);
});

test('no replica (0 acknowledged, the WAIT timed out) throws DurabilityError to everyone in the round', async () => {
  const fence = new FakeFence();
  const b = new ReplicaBarrier(fence, 100);
  const a = state(b.sync());
  await flush();
  const queued = [state(b.sync()), state(b.sync())];
  fence.rounds[0].settle(0);
  await flush();
  assert.ok(a.error instanceof DurabilityError);
  assert.notEqual((a.error as Error).name, 'TypeError', 'answered UNAVAILABLE, not INTERNAL');
  fence.rounds[1].settle(0);
  await flush();
  assert.ok(queued.every((s) => s.error instanceof DurabilityError));
});

test('a failed round (connection error) fails its callers only; the next round serves the next callers', async () => {
  const fence = new FakeFence();
  const b = new ReplicaBarrier(fence, 100);
  const a = state(b.sync());
  await flush();
  const next = state(b.sync());
  fence.rounds[0].fail(new Error('Connection is closed.'));
  await flush();
  assert.equal((a.error as Error).message, 'Connection is closed.');
  assert.equal(next.done, false);
  fence.rounds[1].settle(1);
  await flush();
  assert.equal(next.done, true);
  // idle again: a new caller starts a round at once
  const idle = state(b.sync());
  await flush();
  assert.equal(fence.rounds.length, 3);
  fence.rounds[2].settle(1);
  await flush();
  assert.equal(idle.done, true);
});
