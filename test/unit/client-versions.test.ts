// The versions rule (docs/PROTOCOL.md, "Snapshots"): the highest version is kept, except that a
// `"reset": true` state replaces what is held even at a lower version. The rule itself, the bots
// that apply it, and the chaos recorder that tells a reset from a regression and a rollback.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyState, keeps } from '../../shared/client/versions.js';
import type { GameSnapshot } from '../../shared/protocol.js';
import type { BotConnection } from '../../load/bot/connection.js';
import { SpectatorBot } from '../../load/bot/spectator.js';
import { History } from '../../load/chaos/history.js';

const snap = (version: number, board = '.........'): GameSnapshot => ({
  id: 'g1', code: null, board, turn: 'X', status: 'playing', winner: null, line: null, reason: null,
  players: { X: { id: 'a', name: 'A' }, O: { id: 'b', name: 'B' } }, version, deadline: null,
});

describe('versions rule', () => {
  test('every case', () => {
    assert.equal(classifyState(undefined, 3, false), 'newer');
    assert.equal(classifyState(undefined, 3, true), 'reset');
    assert.equal(classifyState(3, 4, false), 'newer');
    assert.equal(classifyState(3, 3, false), 'duplicate');
    assert.equal(classifyState(3, 2, false), 'older');
    assert.equal(classifyState(3, 3, true), 'reset');
    assert.equal(classifyState(3, 5, true), 'reset');
    assert.equal(classifyState(3, 2, true), 'rolled-back');
    assert.deepEqual(['newer', 'duplicate', 'older', 'reset', 'rolled-back'].map((a) => keeps(a as never)), [true, false, false, true, true]);
  });

  test('a spectator bot takes a reset, reports only versions it had not seen, and ignores stale ones', () => {
    const conn = { handlers: null } as unknown as BotConnection;
    const seen: number[] = [];
    const bot = new SpectatorBot({ conn, target: () => 'g1', onVersion: (_g, v) => seen.push(v) });
    bot.gameId = 'g1';
    bot.state(snap(3), true);
    bot.state(snap(4), false);
    bot.state(snap(4), true);
    bot.state(snap(2), false);
    assert.equal(bot.version, 4);
    bot.state(snap(2), true);
    assert.equal(bot.version, 2, 'a reset to a lower version is what the store holds now');
    bot.state(snap(3), false);
    assert.deepEqual(seen, [3, 4, 3]);
  });

  test('the chaos recorder: a lower version without reset is a regression, a reset to a lower one a rollback', () => {
    const h = new History();
    h.snapshot('s0', snap(1), 0, true);
    h.snapshot('s0', snap(3, 'X........'), 1);
    h.snapshot('s0', snap(3, 'X........'), 2, true); // the first state after a reconnect: fine
    h.snapshot('s0', snap(2, 'X........'), 3); // stale
    assert.deepEqual(h.regressions.map((r) => [r.from, r.to]), [[3, 2]]);
    assert.equal(h.rollbacks.length, 0);
    h.snapshot('s0', snap(2, 'X........'), 4, true); // the store went back
    assert.deepEqual(h.rollbacks.map((r) => [r.from, r.to]), [[3, 2]]);
    h.snapshot('s0', snap(3, 'X...O....'), 5); // counted from the reset on: newer, not a regression
    assert.equal(h.regressions.length, 1);
    assert.equal(h.forks.length, 1, 'and v3 now has a second board: a fork as well');
  });
});
