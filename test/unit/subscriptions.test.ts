// Reference-counted channel subscriptions on one subscriber connection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Subscriptions } from '../../server/gateway/subscriptions.js';
import { FakeSubscriber, settle } from './fakes.js';

test('a channel is subscribed once however many hold it, and unsubscribed when the last lets go', async () => {
  const sub = new FakeSubscriber();
  const subs = new Subscriptions(sub);
  await Promise.all([subs.acquire('a'), subs.acquire('a'), subs.acquire('b')]);
  assert.deepEqual(sub.subscribed, [['a'], ['b']]);
  assert.equal(subs.size, 2);
  subs.release('a');
  assert.deepEqual(sub.unsubscribed, []);
  subs.release('a');
  assert.deepEqual(sub.unsubscribed, [['a']]);
  subs.release('a');
  assert.deepEqual(sub.unsubscribed, [['a']], 'a release too many does nothing');
  assert.equal(subs.size, 1);
});

test('a second holder waits for the first subscription; a failed one releases every hold', async () => {
  const sub = new FakeSubscriber();
  const subs = new Subscriptions(sub);
  sub.failNext = new Error('connection lost');
  const first = subs.acquire('g');
  const second = subs.acquire('g');
  await assert.rejects(first, /connection lost/);
  await assert.rejects(second, /connection lost/);
  assert.equal(subs.size, 0, 'nothing held after the failure');
  await subs.acquire('g');
  assert.deepEqual(sub.subscribed, [['g']], 'the next holder subscribes again');
});

test('while the connection is down a release sends no UNSUBSCRIBE; resubscribeAll restores every held channel in batches', async () => {
  const sub = new FakeSubscriber();
  const subs = new Subscriptions(sub);
  const channels = Array.from({ length: 2500 }, (_, i) => `c${i}`);
  await Promise.all(channels.map((c) => subs.acquire(c)));
  sub.status = 'reconnecting';
  subs.release('c0');
  await settle();
  assert.deepEqual(sub.unsubscribed, []);
  sub.status = 'ready';
  sub.subscribed.length = 0;
  await subs.resubscribeAll();
  assert.deepEqual(sub.subscribed.map((b) => b.length), [1000, 1000, 499]);
  assert.equal(sub.subscribed.flat().includes('c0'), false);
});
