// Per-game fan-out on one gateway: join order, version and presence ordering, rematch for
// spectators, channel holds. Fakes: the subscriber connection, the store read and the transport.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rooms } from '../../server/gateway/rooms.js';
import { Subscriptions } from '../../server/gateway/subscriptions.js';
import type { RawPresence, RawSnapshot } from '../../server/store/channels.js';
import { FakeFanout, FakeMember, FakeSubscriber, deferred, settle } from './fakes.js';

const snap = (id: string, version: number, status = 'playing'): RawSnapshot =>
  ({ version, frame: JSON.stringify({ t: 'state', game: { id, status, version } }) });
const presence = (id: string, seq: number, X: boolean): RawPresence =>
  ({ seq, frame: JSON.stringify({ t: 'presence', gameId: id, online: { X, O: true } }) });
type Read = { snapshot: RawSnapshot; presence: RawPresence | null } | null;

function setup(games: Record<string, Read> = {}, spectatorLimit = 10) {
  const sub = new FakeSubscriber();
  const fanout = new FakeFanout();
  const reads: string[] = [];
  const pending = new Map<string, ReturnType<typeof deferred<Read>>>();
  const rooms = new Rooms({
    subs: new Subscriptions(sub), transport: fanout, spectatorLimit, channelOf: (id) => `ch:${id}`,
    read: (id) => { reads.push(id); return pending.get(id)?.promise ?? Promise.resolve(games[id] ?? null); },
  });
  return { sub, fanout, rooms, reads, games, pending, member: () => new FakeMember(fanout) };
}

test('a joining socket gets the announce, the newest snapshot, the presence, then every newer version once and in order', async () => {
  const s = setup({ g1: { snapshot: snap('g1', 3), presence: presence('g1', 2, true) } });
  const m = s.member();
  assert.equal(await s.rooms.join(m, 'g1', 'player', JSON.stringify({ t: 'matched', gameId: 'g1' })), 'joined');
  assert.deepEqual(s.sub.subscribed, [['ch:g1']], 'subscribed before the read');
  s.rooms.onEvent('g1', { kind: 'state', snapshot: snap('g1', 3) });
  s.rooms.onEvent('g1', { kind: 'state', snapshot: snap('g1', 5) });
  s.rooms.onEvent('g1', { kind: 'state', snapshot: snap('g1', 4) });
  s.rooms.onEvent('g1', { kind: 'state', snapshot: snap('g1', 6) });
  assert.deepEqual(m.kinds(), ['matched', 'state@3', 'presence:{"X":true,"O":true}', 'state@5', 'state@6']);
  assert.equal(s.rooms.latest('g1')?.version, 6);
});

test('presence has its own order: an older sequence is dropped, a newer one goes out without touching the version', async () => {
  const s = setup({ g1: { snapshot: snap('g1', 2), presence: presence('g1', 5, true) } });
  const m = s.member();
  await s.rooms.join(m, 'g1', 'player');
  s.rooms.onEvent('g1', { kind: 'presence', presence: presence('g1', 4, false) });
  s.rooms.onEvent('g1', { kind: 'presence', presence: presence('g1', 6, false) });
  assert.deepEqual(m.kinds(), ['state@2', 'presence:{"X":true,"O":true}', 'presence:{"X":false,"O":true}']);
  assert.equal(s.rooms.latest('g1')?.version, 2);
});

test('a version published while the first read is in flight wins over the older read', async () => {
  const s = setup();
  const read = deferred<Read>();
  s.pending.set('g1', read);
  const m = s.member();
  const joining = s.rooms.join(m, 'g1', 'spectator');
  await settle();
  assert.deepEqual(s.reads, ['g1']);
  assert.equal(s.rooms.onEvent('g1', { kind: 'state', snapshot: snap('g1', 8) }), true, 'the room exists while it opens');
  read.resolve({ snapshot: snap('g1', 7), presence: null });
  assert.equal(await joining, 'joined');
  assert.deepEqual(m.kinds(), ['state@8']);
});

test('no presence for a joiner of a finished game; not_found releases the channel; full refuses past the spectator limit', async () => {
  const s = setup({ done: { snapshot: snap('done', 9, 'won'), presence: presence('done', 3, false) }, g: { snapshot: snap('g', 1), presence: null } }, 1);
  const a = s.member();
  await s.rooms.join(a, 'done', 'player');
  assert.deepEqual(a.kinds(), ['state@9']);
  assert.equal(s.rooms.isFinished('done'), true);
  assert.equal(await s.rooms.join(s.member(), 'nope', 'spectator'), 'not_found');
  assert.deepEqual(s.sub.unsubscribed, [['ch:nope']]);
  assert.equal(s.rooms.has('nope'), false);
  assert.equal(await s.rooms.join(s.member(), 'g', 'spectator'), 'joined');
  assert.equal(await s.rooms.join(s.member(), 'g', 'spectator'), 'full');
  assert.equal(await s.rooms.join(s.member(), 'g', 'player'), 'joined', 'players are not limited');
});

test('joining twice is "already" (a spectator becoming a player keeps one membership); the last leave releases the channel', async () => {
  const s = setup({ g: { snapshot: snap('g', 1), presence: null } });
  const a = s.member();
  const b = s.member();
  await s.rooms.join(a, 'g', 'spectator');
  assert.equal(await s.rooms.join(a, 'g', 'player'), 'already');
  assert.equal(a.rooms.get('g'), 'player');
  await s.rooms.join(b, 'g', 'player');
  s.rooms.onEvent('g', { kind: 'state', snapshot: snap('g', 2) });
  assert.deepEqual(a.kinds(), ['state@1', 'state@2'], 'one copy per version');
  s.rooms.leave(a, 'g');
  assert.deepEqual(s.sub.unsubscribed, []);
  s.rooms.leaveAll(b);
  assert.deepEqual(s.sub.unsubscribed, [['ch:g']]);
  assert.equal(s.rooms.size, 0);
  assert.equal(s.rooms.onEvent('g', { kind: 'state', snapshot: snap('g', 3) }), false, 'no room: the message is dropped');
});

test('a rematch on the game channel moves its spectators to the new game, announced; players are not moved by it', async () => {
  const s = setup({ old: { snapshot: snap('old', 9, 'won'), presence: null }, next: { snapshot: snap('next', 1), presence: null } });
  const spectator = s.member();
  const player = s.member();
  await s.rooms.join(spectator, 'old', 'spectator');
  await s.rooms.join(player, 'old', 'player');
  s.rooms.onEvent('old', { kind: 'rematch', from: 'old', to: 'next' });
  await settle();
  assert.deepEqual(spectator.kinds(), ['state@9', 'rematch', 'state@1']);
  assert.deepEqual(JSON.parse(spectator.received[1]), { t: 'rematch', from: 'old', gameId: 'next' });
  assert.deepEqual(player.kinds(), ['state@9']);
});

test('resync after a reconnect re-reads every room and forwards only what is newer', async () => {
  const s = setup({ g: { snapshot: snap('g', 1), presence: null } });
  const m = s.member();
  await s.rooms.join(m, 'g', 'player');
  s.games.g = { snapshot: snap('g', 4), presence: presence('g', 1, false) };
  await s.rooms.resync();
  await s.rooms.resync();
  assert.deepEqual(m.kinds(), ['state@1', 'state@4', 'presence:{"X":false,"O":true}']);
});
