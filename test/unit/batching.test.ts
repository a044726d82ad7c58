// The transports' batching: what a socket is sent in one event-loop turn is written at once, in
// order, at the end of the turn; an explicit flush writes earlier; topic members both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { TopicMembers, TurnWriter, type Outlet } from '../../server/transport/batching.js';

class FakeOutlet implements Outlet {
  queued: string[] | null = null;
  topics: Set<string> | null = null;
  readonly writes: string[][] = [];
  writeQueued(frames: string[]): void { this.writes.push(frames); }
}

test('frames of one turn leave together, in order, once the turn is over', async () => {
  const w = new TurnWriter<FakeOutlet>();
  const a = new FakeOutlet();
  const b = new FakeOutlet();
  w.queue(a, 'ok');
  w.queue(b, 'state');
  w.queue(a, 'state');
  assert.deepEqual(a.writes, [], 'nothing is written within the turn');
  await turn();
  assert.deepEqual(a.writes, [['ok', 'state']]);
  assert.deepEqual(b.writes, [['state']]);
  w.queue(a, 'next');
  await turn();
  assert.deepEqual(a.writes, [['ok', 'state'], ['next']], 'a later turn is a write of its own');
});

test('flush and flushOne write at once; nothing is written twice', async () => {
  const w = new TurnWriter<FakeOutlet>();
  const a = new FakeOutlet();
  const b = new FakeOutlet();
  w.queue(a, 'error');
  w.flushOne(a); // before the socket is ended
  assert.deepEqual(a.writes, [['error']]);
  w.queue(b, 'x');
  w.queue(a, 'y');
  w.flush(); // before a frame that must not overtake them
  assert.deepEqual([a.writes, b.writes], [[['error'], ['y']], [['x']]]);
  await turn();
  assert.deepEqual([a.writes.length, b.writes.length], [2, 1]);
});

test('topic members: a socket joins once, leaves one topic or all of them', () => {
  const m = new TopicMembers<FakeOutlet>();
  const a = new FakeOutlet();
  const b = new FakeOutlet();
  m.add('g:1', a);
  m.add('g:1', a);
  m.add('g:1', b);
  m.add('g:2', a);
  assert.equal(m.of('g:1')?.size, 2);
  assert.equal(m.remove('g:1', b), true);
  assert.equal(m.remove('g:1', b), false, 'not a member any more');
  m.removeAll(a);
  assert.equal(m.of('g:1'), undefined, 'an empty topic is forgotten');
  assert.equal(m.of('g:2'), undefined);
  assert.equal(a.topics, null);
});
