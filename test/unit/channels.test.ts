// The pub/sub channel codec: every form the Lua scripts publish decodes to its typed event and
// encodes back to the same text; anything else decodes to null.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeChannelMessage, decodeGameEvent, decodePlayerNotice, encodeGameEvent, encodePlayerNotice, isFinished, parseSnapshot, toRaw, toRawPresence,
  type GameEvent, type PlayerNotice,
} from '../../server/store/channels.js';
import { Keys } from '../../server/store/keys.js';

const snapshotJson = '{"id":"g1","status":"playing","players":{"X":{"id":"p","name":"A \\"status\\":\\"won\\""},"O":null},"version":12}';
const stateFrame = `{"t":"state","game":${snapshotJson}}`;
const presenceFrame = '{"t":"presence","gameId":"g1","online":{"X":true,"O":false}}';

test('game channel: state, presence and rematch as the scripts publish them', () => {
  const cases: [string, GameEvent][] = [
    [`12 ${stateFrame}`, { kind: 'state', snapshot: { version: 12, frame: stateFrame } }],
    [`P 7 ${presenceFrame}`, { kind: 'presence', presence: { seq: 7, frame: presenceFrame } }],
    ['R g1 g2', { kind: 'rematch', from: 'g1', to: 'g2' }],
  ];
  for (const [text, event] of cases) {
    assert.deepEqual(decodeGameEvent(text), event, text);
    assert.equal(encodeGameEvent(event), text);
  }
});

test('player channel: seated, matched, rematch', () => {
  const cases: [string, PlayerNotice][] = [
    ['G g1', { kind: 'seated', gameId: 'g1' }],
    ['M g1', { kind: 'matched', gameId: 'g1' }],
    ['R g1 g2', { kind: 'rematch', from: 'g1', to: 'g2' }],
  ];
  for (const [text, notice] of cases) {
    assert.deepEqual(decodePlayerNotice(text), notice, text);
    assert.equal(encodePlayerNotice(notice), text);
  }
});

test('what is not one of the forms decodes to null', () => {
  for (const bad of ['', 'x {}', '12', 'P x {}', 'P 3', 'R g1', 'R', '1.5 {}']) assert.equal(decodeGameEvent(bad), null, JSON.stringify(bad));
  for (const bad of ['', 'G', 'X g1', 'R g1', 'M']) assert.equal(decodePlayerNotice(bad), null, JSON.stringify(bad));
});

test('a message is decoded by the kind of channel it came on, for this prefix only', () => {
  const keys = new Keys('trine');
  assert.deepEqual(decodeChannelMessage(keys, keys.gameChannel('g1'), 'R g1 g2'), { channel: 'game', gameId: 'g1', event: { kind: 'rematch', from: 'g1', to: 'g2' } });
  assert.deepEqual(decodeChannelMessage(keys, keys.playerChannel('p1'), 'R g1 g2'), { channel: 'player', playerId: 'p1', notice: { kind: 'rematch', from: 'g1', to: 'g2' } });
  assert.equal(decodeChannelMessage(keys, keys.playerChannel('p1'), '12 {}'), null);
  assert.equal(decodeChannelMessage(keys, new Keys('other').gameChannel('g1'), 'R g1 g2'), null);
  assert.equal(decodeChannelMessage(keys, 'trine:queue', 'G g1'), null);
});

test('stored forms: the snapshot as its state frame (version read without parsing), the presence entry, finished or not', () => {
  const raw = toRaw(snapshotJson);
  assert.deepEqual(raw, { version: 12, frame: stateFrame });
  assert.equal(parseSnapshot(raw).id, 'g1');
  assert.equal(isFinished(raw), false, 'a name cannot fake the status');
  assert.equal(isFinished(toRaw('{"id":"g","status":"draw","version":3}')), true);
  assert.deepEqual(toRawPresence(`4 ${presenceFrame}`), { seq: 4, frame: presenceFrame });
  assert.equal(toRawPresence('nope'), null);
});
