// The drain: every socket closed with 1012, then it waits for tracked work (at most DRAIN_MS).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Drain } from '../../server/gateway/drain.js';
import { ManualClock, deferred, fakeMetrics, silentLog } from './fakes.js';

function openSockets(n: number) {
  const conns = new Set(Array.from({ length: n }, (_, i) => `c${i}`));
  const ended: [string, number][] = [];
  return { conns, ended, end: (c: string, code: number) => { ended.push([c, code]); conns.delete(c); } };
}

test('drain closes every socket with 1012, waits for tracked work, and runs once', async () => {
  const clock = new ManualClock();
  const metrics = fakeMetrics('ready');
  const d = new Drain({ drainMs: 5000, now: clock.now, log: silentLog, metrics });
  const work = deferred<void>();
  d.track(work.promise);
  assert.equal(d.inflight, 1);
  const sockets = openSockets(3);
  const running = d.run(sockets);
  assert.equal(d.draining, true);
  assert.deepEqual(sockets.ended, [['c0', 1012], ['c1', 1012], ['c2', 1012]]);
  assert.equal(metrics.ready.get(), 0);
  work.resolve();
  assert.equal(await running, true);
  assert.equal(d.inflight, 0);
  assert.equal(await d.run(openSockets(1)), false, 'a second drain does nothing');
});

test('drain gives up on work still pending at DRAIN_MS; a failed tracked promise is not an unhandled rejection', async () => {
  const clock = new ManualClock();
  const d = new Drain({ drainMs: 5000, now: clock.now, log: silentLog, metrics: fakeMetrics('ready') });
  d.track(new Promise(() => {}));
  const failed = Promise.reject(new Error('lost'));
  failed.catch(() => {});
  d.track(failed);
  const running = d.run(openSockets(0));
  clock.advance(5000); // the deadline passes while the drain waits: it stops at its next look

  assert.equal(await running, true);
  assert.equal(d.inflight, 1);
});
