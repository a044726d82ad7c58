// The computer's turns with a fake store: a claimed turn is moved through the move script as the
// computer's player with mid cpu:VERSION (the same cell on every gateway for one position), counted
// only when this call applied it; a turn that passes to another computer seat is claimed at once; a
// nudge plays only what the expire call claimed; a refused move or a failed claim leaves the turn to
// its lease.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComputerTurns, type ComputerStore } from '../../server/gateway/computer-turns.js';
import type { GameSnapshot } from '../../shared/protocol.js';
import { fakeMetrics, settle, silentLog } from './fakes.js';

const cpu = (seat: string) => ({ id: `cpu:g:${seat}`, name: 'Computer', computer: true });
/** A classic game at version 4 with the computer (O) on turn: X holds 0 and 4, O holds 8. */
const game = (over: Partial<GameSnapshot> = {}): GameSnapshot => ({
  id: 'g', code: null, variant: { rows: 3, cols: 3, k: 3, players: 2 }, board: 'X...X...O', turn: 'O', status: 'playing',
  winner: null, line: null, reason: null, players: { X: { id: 'px', name: 'P' }, O: cpu('O') }, version: 4, deadline: null, ...over,
});

function setup(answers: Awaited<ReturnType<ComputerStore['move']>>[], claims: Awaited<ReturnType<ComputerStore['expire']>>[] = []) {
  const moves: string[] = [];
  const expires: string[] = [];
  const tracked: Promise<unknown>[] = [];
  const store: ComputerStore = {
    expire: async (id) => { expires.push(id); return claims.shift() ?? null; },
    move: async (pid, id, cell, mid) => { moves.push(`${pid} ${id} ${cell} ${mid}`); return answers.shift() ?? { ok: false, code: 'GAME_OVER' }; },
  };
  const thought: number[] = [];
  const metrics = { ...fakeMetrics('computerMoves', 'moves', 'gamesFinished'), computerThinkSeconds: { observe: (s: number) => thought.push(s) } };
  const turns = new ComputerTurns({ store, metrics: metrics as never, log: silentLog, track: (p) => tracked.push(p), now: () => performance.now() });
  return { turns, store, moves, expires, metrics, thought, tracked };
}

test('a claimed turn is played as the computer with mid cpu:VERSION; the win in one is taken and counted once', async () => {
  const s = setup([{ ok: true, version: 5, status: 'playing' }, { ok: true, version: 5, status: null }]);
  await s.turns.play(game({ board: 'XX..O....', turn: 'O', players: { X: { id: 'px', name: 'P' }, O: cpu('O') } }));
  await s.turns.play(game({ board: 'XX..O....', turn: 'O' })); // a second claimer of the same position (lease lapsed)
  assert.deepEqual(s.moves, ['cpu:g:O g 2 cpu:4', 'cpu:g:O g 2 cpu:4'], 'the same move, the same mid');
  assert.equal(s.metrics.moves.get(), 1, 'the repeat (status null) is not counted');
  assert.equal(s.metrics.computerMoves.get({ reason: 'perfect' }), 1);
  assert.equal(s.thought.length, 2);
});

test('a move that passes the turn to another computer seat claims it at once; an ending is counted', async () => {
  const three = game({
    variant: { rows: 4, cols: 4, k: 3, players: 3 }, board: '.'.repeat(16), turn: 'O',
    players: { X: { id: 'px', name: 'P' }, O: cpu('O'), Y: cpu('Y') },
  });
  const s = setup([{ ok: true, version: 5, status: 'playing', computerTurn: true }, { ok: true, version: 6, status: 'won' }],
    [{ computer: { ...three, version: 5, turn: 'Y', board: `${'.'.repeat(5)}O${'.'.repeat(10)}` } }]);
  await s.turns.play(three);
  await Promise.all(s.tracked);
  await settle();
  assert.deepEqual(s.expires, ['g'], 'Y\'s turn claimed by this gateway at once');
  assert.equal(s.moves.length, 2);
  assert.match(s.moves[1], /^cpu:g:Y g \d+ cpu:5$/);
  assert.equal(s.metrics.gamesFinished.get({ reason: 'line' }), 1);
});

test('nothing is played for a person\'s turn, a finished game, a refused move, an expire that claimed nothing or failed', async () => {
  const s = setup([{ ok: false, code: 'NOT_YOUR_TURN' }], [null]);
  await s.turns.play(game({ turn: 'X' }));
  await s.turns.play(game({ status: 'won', turn: null }));
  assert.deepEqual(s.moves, []);
  await s.turns.play(game());
  assert.equal(s.moves.length, 1);
  assert.equal(s.metrics.moves.get(), 0, 'a refused move (the game moved on) is not counted');
  s.turns.nudge('g'); // the expire claims nothing: a sweep (or another gateway) had it
  await Promise.all(s.tracked);
  assert.equal(s.moves.length, 1);
  const failing = setup([]);
  failing.store.expire = async () => { throw new Error('Connection is closed.'); };
  failing.turns.nudge('g');
  await Promise.all(failing.tracked);
  assert.deepEqual(failing.moves, [], 'a failed claim is left to the lease, never thrown');
});
