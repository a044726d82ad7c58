// The players of one gateway: a player's notice channel is held while one of its sockets is here;
// a notice makes each of its sockets follow the game (announced for matched and rematch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conn } from '../../server/gateway/conn.js';
import { Players } from '../../server/gateway/players.js';
import { Subscriptions } from '../../server/gateway/subscriptions.js';
import { Keys } from '../../server/store/keys.js';
import { FakeSubscriber, silentLog } from './fakes.js';

function setup(unfinished: Record<string, string[]> = {}) {
  const sub = new FakeSubscriber();
  const follows: [string, string, string | undefined][] = [];
  const keys = new Keys('trine');
  const players = new Players({
    subs: new Subscriptions(sub), log: silentLog,
    store: { keys, unfinishedGames: async (pid) => (unfinished[pid] ?? []).map((id) => ({ id, raw: { version: 1, frame: '{}' } })) },
    follow: async (c, gameId, announce) => { follows.push([(c as unknown as { id: string }).id, gameId, announce]); },
  });
  const conn = (id: string) => ({ id }) as unknown as Conn;
  return { sub, players, follows, conn, channel: (pid: string) => keys.playerChannel(pid) };
}

test('the player\'s channel is held from its first socket here to its last', async () => {
  const s = setup();
  const [a, b] = [s.conn('a'), s.conn('b')];
  await s.players.add(a, 'p1');
  await s.players.add(b, 'p1');
  assert.deepEqual(s.sub.subscribed, [[s.channel('p1')]]);
  assert.equal(s.players.remove(a, 'p1'), true, 'another socket of the player is still here');
  assert.deepEqual(s.sub.unsubscribed, []);
  assert.equal(s.players.remove(b, 'p1'), false);
  assert.deepEqual(s.sub.unsubscribed, [[s.channel('p1')]]);
  assert.equal(s.players.remove(b, 'p1'), false, 'removing twice changes nothing');
  assert.equal(s.sub.unsubscribed.length, 1);
});

test('a socket whose subscription failed is forgotten', async () => {
  const s = setup();
  s.sub.failNext = new Error('Connection is closed.');
  await assert.rejects(s.players.add(s.conn('a'), 'p1'));
  assert.equal(s.players.size, 0);
});

test('notices: every socket of the player follows the game; matched and rematch are announced', async () => {
  const s = setup();
  await s.players.add(s.conn('a'), 'p1');
  await s.players.add(s.conn('b'), 'p1');
  assert.equal(s.players.onNotice('p1', { kind: 'seated', gameId: 'g1' }), true);
  assert.equal(s.players.onNotice('p1', { kind: 'matched', gameId: 'g2' }), true);
  assert.equal(s.players.onNotice('p1', { kind: 'rematch', from: 'g2', to: 'g3' }), true);
  assert.equal(s.players.onNotice('p2', { kind: 'seated', gameId: 'g1' }), false, 'nobody here: dropped');
  const matched = '{"t":"matched","gameId":"g2"}';
  const rematch = '{"t":"rematch","from":"g2","gameId":"g3"}';
  assert.deepEqual(s.follows, [
    ['a', 'g1', undefined], ['b', 'g1', undefined], ['a', 'g2', matched], ['b', 'g2', matched], ['a', 'g3', rematch], ['b', 'g3', rematch],
  ]);
});

test('resync: every local player\'s sockets follow its unfinished games again', async () => {
  const s = setup({ p1: ['g1', 'g2'], p2: [] });
  await s.players.add(s.conn('a'), 'p1');
  await s.players.add(s.conn('c'), 'p2');
  await s.players.resync();
  assert.deepEqual(s.follows, [['a', 'g1', undefined], ['a', 'g2', undefined]]);
});
