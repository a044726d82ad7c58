// Rooms' defence against a rollback, with fakes of the room's own seams (subscriptions, transport,
// the read of a game): the first state a socket gets is marked reset, and a read at a lower
// version than one forwarded is forwarded anyway, marked reset, and reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rooms, type Member, type Role } from '../../server/gateway/rooms.js';
import type { RawSnapshot } from '../../server/store/channels.js';

const snap = (version: number): RawSnapshot => ({ version, frame: `{"t":"state","game":{"id":"g1","version":${version}}}` });

class FakeMember implements Member {
  closed = false;
  readonly rooms = new Map<string, Role>();
  readonly sent: string[] = [];
  send(text: string) { this.sent.push(text); }
  subscribe() {}
  unsubscribe() {}
}

function setup(initial: number) {
  let stored = snap(initial);
  const published: string[] = [];
  const rollbacks: [string, number, number][] = [];
  const rooms = new Rooms({
    subs: { acquire: async () => {}, release: () => {} },
    transport: { publish: (_topic: string, text: string) => { published.push(text); return true; } } as never,
    channelOf: (id) => `ch:${id}`,
    read: async () => ({ snapshot: stored, presence: null }),
    onRollback: (id, from, to) => rollbacks.push([id, from, to]),
    spectatorLimit: 10,
  });
  return { rooms, published, rollbacks, store: (v: number) => { stored = snap(v); } };
}

test('the first state a socket gets on following a game is marked reset; later ones are not', async () => {
  const { rooms, published } = setup(3);
  const m = new FakeMember();
  assert.equal(await rooms.join(m, 'g1', 'spectator'), 'joined');
  assert.deepEqual(JSON.parse(m.sent[0]), { t: 'state', reset: true, game: { id: 'g1', version: 3 } });
  rooms.onEvent('g1', { kind: 'state', snapshot: snap(4) });
  assert.deepEqual(JSON.parse(published[0]), { t: 'state', game: { id: 'g1', version: 4 } });
});

test('a read at a lower version than forwarded: forwarded with reset, reported; newer versions flow again', async () => {
  const { rooms, published, rollbacks, store } = setup(5);
  const m = new FakeMember();
  await rooms.join(m, 'g1', 'player');
  rooms.onEvent('g1', { kind: 'state', snapshot: snap(6) });
  store(4); // a failover lost versions 5 and 6
  await rooms.resync();
  assert.deepEqual(rollbacks, [['g1', 6, 4]]);
  assert.deepEqual(JSON.parse(published.at(-1)!), { t: 'state', reset: true, game: { id: 'g1', version: 4 } });
  rooms.onEvent('g1', { kind: 'state', snapshot: snap(5) });
  assert.deepEqual(JSON.parse(published.at(-1)!).game.version, 5, 'the new history is forwarded');
  // a late message at a lower version than held is no proof of a rollback: dropped, not reported
  rooms.onEvent('g1', { kind: 'state', snapshot: snap(3) });
  assert.equal(JSON.parse(published.at(-1)!).game.version, 5);
  assert.equal(rollbacks.length, 1);
});
