// The registration and heartbeat with a fake store and links, on a manual clock: what makes the
// gateway not ready, recording connections again after a lapse, reconnecting after 3 failed beats.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registration, type RegistrationDeps } from '../../server/gateway/registration.js';
import { FakeLink, ManualClock, deferred, fakeMetrics, silentLog } from './fakes.js';

const HB = 1000;

function setup() {
  const clock = new ManualClock();
  const cmd = new FakeLink();
  const sub = new FakeLink();
  sub.status = 'ready';
  const attached: [string, [string, string][]][] = [];
  let alive: Promise<boolean> = Promise.resolve(true);
  const store: RegistrationDeps['store'] = {
    heartbeat: () => alive,
    attach: async (instance, entries) => { attached.push([instance, entries]); },
    unregister: async () => {},
  };
  const conns = [
    { recorded: 'p1', closed: false, member: 'i|c1' },
    { recorded: null, closed: false, member: 'i|c2' },
    { recorded: 'p3', closed: true, member: 'i|c3' },
  ];
  const metrics = fakeMetrics('redisErrors');
  const reg = new Registration({
    store, cmd, sub, instanceId: 'i', info: { id: 'gw', instance: 'i', url: 'http://x', ws: 'ws://x/ws' }, heartbeatMs: HB,
    commandTimeoutMs: 2000, conns: () => conns, isDraining: () => false, now: clock.now, log: silentLog, metrics,
  });
  return { reg, clock, cmd, sub, attached, metrics, answer: (p: Promise<boolean>) => { alive = p; } };
}

test('registered after the first beat; not renewed within 3 beats makes it "registration not renewed"', async () => {
  const s = setup();
  assert.equal(s.reg.registered, false);
  assert.equal(s.reg.trouble(), 'registration not renewed');
  await s.reg.heartbeat();
  assert.equal(s.reg.registered, true);
  assert.equal(s.reg.trouble(), null);
  assert.equal(s.sub.pings, 1, 'the subscriber is asked too');
  s.clock.advance(3 * HB);
  assert.equal(s.reg.trouble(), null);
  s.clock.advance(1);
  assert.equal(s.reg.trouble(), 'registration not renewed');
});

test('a beat unanswered for a second is "redis not answering"; concurrent callers share the beat in flight', async () => {
  const s = setup();
  await s.reg.heartbeat();
  const slow = deferred<boolean>();
  s.answer(slow.promise);
  const a = s.reg.heartbeat();
  const b = s.reg.heartbeat();
  assert.equal(a, b);
  s.clock.advance(1000);
  assert.equal(s.reg.trouble(), null);
  s.clock.advance(1);
  assert.equal(s.reg.trouble(), 'redis not answering');
  slow.resolve(true);
  await a;
  assert.equal(s.reg.trouble(), null);
});

test('a lapsed registration records the open, recorded connections again', async () => {
  const s = setup();
  await s.reg.heartbeat();
  assert.deepEqual(s.attached, [], 'the first registration has nothing to record again');
  s.answer(Promise.resolve(false));
  await s.reg.heartbeat();
  assert.deepEqual(s.attached, [['i', [['p1', 'i|c1']]]]);
});

test('a failed beat is "redis not answering"; the third in a row drops both connections to make them again', async () => {
  const s = setup();
  await s.reg.heartbeat();
  s.answer(Promise.reject(new Error('Command timed out')));
  for (let i = 0; i < 2; i++) await assert.rejects(s.reg.heartbeat());
  assert.equal(s.reg.trouble(), 'redis not answering');
  assert.deepEqual(s.cmd.disconnects, []);
  await assert.rejects(s.reg.heartbeat());
  assert.deepEqual(s.cmd.disconnects, [true]);
  assert.deepEqual(s.sub.disconnects, [true]);
  assert.equal(s.metrics.redisErrors.get({ op: 'heartbeat' }), 3);
  s.answer(Promise.resolve(true));
  await s.reg.heartbeat();
  assert.equal(s.reg.trouble(), null);
});
