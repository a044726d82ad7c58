// The page's view of variants under node (no DOM, no sockets): the picker's presets and custom
// size, the sentences of 3- and 4-player games and of K in a row, the seat cards (marks, the
// computer, who is out, whose turn), keyboard moves on an R x C grid, and what the app sends for a
// variant and for a game against the computer (with a stand-in connection, as web-unit.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GameSnapshot } from '../shared/protocol.js';
import { CLASSIC, type Variant } from '../shared/variant.js';
import { App, type Link } from '../web/src/app.js';
import { middleCell, stepFocus } from '../web/src/grid.js';
import { presenceOf, seatCards } from '../web/src/seats.js';
import { gameSentence } from '../web/src/text.js';
import { parseCustom, presetOf, PRESETS, variantOf, variantRules, variantTitle } from '../web/src/variants.js';

const THREE: Variant = { rows: 4, cols: 4, k: 3, players: 3 };
const GOMOKU: Variant = { rows: 15, cols: 15, k: 5, players: 2 };
const players3 = { X: { id: 'a', name: 'Ada' }, O: { id: 'g', name: 'Grace' }, Y: { id: 'l', name: 'Linus' } };

function snap(over: Partial<GameSnapshot> = {}): GameSnapshot {
  return {
    id: 'g1', code: null, variant: THREE, board: '.'.repeat(16), turn: 'X', status: 'playing', winner: null, line: null,
    reason: null, players: players3, version: 2, deadline: null, ...over,
  };
}

describe('variants: picker and names', () => {
  test('the presets the issue asks for, and a custom size checked against the contract\'s bounds', () => {
    const labels = PRESETS.map((p) => p.label);
    for (const l of ['Classic 3x3', '4x4, three players', 'Gomoku 15x15']) assert.ok(labels.includes(l), l);
    assert.equal(presetOf(CLASSIC)?.label, 'Classic 3x3');
    assert.equal(presetOf(GOMOKU)?.label, 'Gomoku 15x15');
    assert.deepEqual(parseCustom({ rows: '6', cols: ' 7 ', k: '4', players: '3' }), { ok: true, variant: { rows: 6, cols: 7, k: 4, players: 3 } });
    for (const bad of [{ rows: '2', cols: '7', k: '3', players: '2' }, { rows: '6', cols: '7', k: '8', players: '2' },
      { rows: '6', cols: '7', k: '4', players: '5' }, { rows: '6.5', cols: '7', k: '4', players: '2' }, { rows: '', cols: '7', k: '4', players: '2' }]) {
      const r = parseCustom(bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      if (!r.ok) assert.match(r.sentence, /^Rows and columns 3-19/);
    }
    assert.equal(variantTitle({ rows: 6, cols: 7, k: 4, players: 3 }), '6x7, four in a row, three players');
    assert.equal(variantTitle({ rows: 19, cols: 19, k: 12, players: 2 }), '19x19, 12 in a row');
    assert.equal(variantRules(CLASSIC), null, 'the classic game keeps its plain look');
    assert.equal(variantRules(GOMOKU), '15x15 board · five in a row wins · two players');
    assert.deepEqual(variantOf({ ...snap(), variant: undefined }), CLASSIC, 'an old server sends no variant: classic');
  });
});

describe('variants: sentences', () => {
  test('waiting for more players, turns, and a player who is out', () => {
    const waiting = snap({ status: 'waiting', turn: null, code: 'K7PX2M', players: { X: players3.X, O: null, Y: null } });
    assert.equal(gameSentence(waiting, 'X'), 'Waiting for two more players. Invite code: K7PX2M.');
    assert.equal(gameSentence({ ...waiting, players: { ...players3, Y: null } }, null), 'Waiting for one more player.');
    assert.equal(gameSentence(snap({ turn: 'Y' }), 'Y'), 'Your turn. You play Y.');
    assert.equal(gameSentence(snap({ turn: 'Y' }), 'X'), "Linus's turn (Y).");
    assert.equal(gameSentence(snap({ turn: 'Y', out: ['O'] }), 'O'), "You are out. Linus's turn (Y).");
    assert.equal(gameSentence(snap({ turn: 'Y' }), null), 'Linus to play (Y).');
  });

  test('wins by K in a row, and by the last opponent going out', () => {
    const line = snap({ status: 'won', turn: null, winner: 'O', line: [0, 1, 2], reason: 'line' });
    assert.equal(gameSentence(line, 'O'), 'You won! Three in a row.');
    assert.equal(gameSentence(line, 'Y'), 'You lost. Grace got three in a row.');
    assert.equal(gameSentence(line, null), 'Grace (O) won. Three in a row.');
    const gomoku = snap({ variant: GOMOKU, players: { X: players3.X, O: players3.O }, status: 'won', turn: null, winner: 'X', line: [0, 1, 2, 3, 4], reason: 'line' });
    assert.equal(gameSentence(gomoku, 'O'), 'You lost. Ada got five in a row.');
    assert.equal(gameSentence(gomoku, 'X'), 'You won! Five in a row.');
    // O went out first, then Y resigned: X is the last one in
    const resigned = snap({ status: 'won', turn: null, winner: 'X', reason: 'resign', out: ['O'] });
    assert.equal(gameSentence(resigned, 'X'), 'You won! Linus resigned.');
    assert.equal(gameSentence(resigned, 'Y'), 'You lost. You resigned.');
    assert.equal(gameSentence(resigned, 'O'), 'You lost. Ada (X) won. Linus resigned.');
    assert.equal(gameSentence({ ...resigned, reason: 'timeout' }, null), 'Ada (X) won. Linus ran out of time.');
  });
});

describe('variants: seat cards', () => {
  test('a card per seat, in turn order, every state also in words', () => {
    const g = snap({ turn: 'Y', out: ['O'] });
    const cards = seatCards(g, 'X', { X: true, O: false, Y: true });
    assert.deepEqual(cards.map((c) => c.mark), ['X', 'O', 'Y']);
    assert.deepEqual(cards.map((c) => c.tags), [['you'], ['out'], ['to move']]);
    assert.deepEqual(cards.map((c) => c.online), [true, false, true]);
    const four = seatCards(snap({ variant: { rows: 5, cols: 5, k: 3, players: 4 }, status: 'waiting', turn: null, players: { X: players3.X, O: null, Y: null, Z: null } }), null, undefined);
    assert.deepEqual(four.map((c) => [c.mark, c.name, c.open]), [['X', 'Ada', false], ['O', 'Open seat', true], ['Y', 'Open seat', true], ['Z', 'Open seat', true]]);
  });

  test('the computer\'s seat is labelled and never shown offline; the winner is said', () => {
    const g = snap({ variant: CLASSIC, board: '.........', players: { X: players3.X, O: { id: 'cpu:g1:O', name: 'Computer', computer: true } }, status: 'won', turn: null, winner: 'O', line: [0, 4, 8], reason: 'line' });
    const [x, o] = seatCards(g, 'X', { X: true });
    assert.deepEqual(x.tags, ['you']);
    assert.deepEqual([o.name, o.computer, o.online, o.tags], ['Computer', true, undefined, ['computer', 'winner']]);
  });

  test('presence takes every seat the server names, and nothing else', () => {
    assert.deepEqual(presenceOf({ X: true, O: false, Y: true, Z: false, Q: true }), { X: true, O: false, Y: true, Z: false });
    assert.equal(presenceOf({ X: 'yes' }), null);
    assert.equal(presenceOf(null), null);
  });
});

describe('variants: keyboard on an R x C grid', () => {
  test('arrows stop at the edges; Home/End go along the row, with Ctrl to the corners', () => {
    const g = { rows: 4, cols: 5 };
    assert.equal(middleCell({ rows: 3, cols: 3 }), 4, 'the classic board starts in the centre');
    assert.equal(middleCell(g), 12);
    assert.equal(stepFocus(12, 'ArrowRight', g), 13);
    assert.equal(stepFocus(14, 'ArrowRight', g), 14, 'no wrap onto the next row');
    assert.equal(stepFocus(15, 'ArrowLeft', g), 15);
    assert.equal(stepFocus(2, 'ArrowUp', g), 2);
    assert.equal(stepFocus(12, 'ArrowDown', g), 17);
    assert.equal(stepFocus(17, 'ArrowDown', g), 17);
    assert.equal(stepFocus(12, 'Home', g), 10);
    assert.equal(stepFocus(12, 'End', g), 14);
    assert.equal(stepFocus(12, 'Home', g, true), 0);
    assert.equal(stepFocus(12, 'End', g, true), 19);
    assert.equal(stepFocus(12, 'a', g), null);
  });
});

describe('variants: what the app sends', () => {
  function harness(saved = '') {
    const sent: Record<string, unknown>[] = [];
    const store = new Map<string, string>([['variant', saved]]);
    const conn = {
      state: { phase: 'connected', gateway: 'gw-0', closeCode: null },
      request: async (m: Record<string, unknown>) => { sent.push(m); return { t: 'ok', gameId: 'g2' }; },
      restart: () => {},
    } as unknown as Link;
    const app = new App({
      conn, memory: { get: (k) => store.get(k) ?? '', set: (k, v) => { store.set(k, v); } },
      render: () => {}, setUrl: () => {}, randomId: () => 'mid-1',
    }, {});
    app.onWelcome({ t: 'welcome', player: { id: 'a', name: 'Ada' }, token: 'tok', gateway: 'gw-0', resumed: false, games: [] });
    return { app, sent, store };
  }

  test('the classic game goes without a variant; another names it, in queue, create and the computer game', async () => {
    const h = harness();
    assert.deepEqual(h.app.model.choice, CLASSIC);
    h.app.quickMatch();
    h.app.cancelQueue();
    h.app.choose(THREE);
    assert.equal(h.store.get('variant'), '4x4k3p3', 'remembered across reloads');
    h.app.quickMatch();
    assert.deepEqual(h.app.model.screen, { kind: 'queue', variant: THREE });
    h.app.onWelcome({ t: 'welcome', player: { id: 'a', name: 'Ada' }, token: 'tok', gateway: 'gw-1', resumed: true, games: [] });
    h.app.cancelQueue();
    h.app.choose(GOMOKU);
    h.app.createPrivate();
    await new Promise((r) => setImmediate(r));
    h.app.backToLobby();
    h.app.choose(CLASSIC);
    h.app.playComputer();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.sent.filter((m) => m.t !== 'unqueue' && m.t !== 'unwatch'), [
      { t: 'queue' },
      { t: 'queue', variant: THREE },
      { t: 'queue', variant: THREE }, // queued again after a reconnect, for the same variant
      { t: 'create', variant: GOMOKU },
      { t: 'create', vs: 'computer' },
    ]);
    assert.deepEqual(h.app.model.screen, { kind: 'game', gameId: 'g2', watching: false });
    assert.deepEqual(harness('15x15k5p2').app.model.choice, GOMOKU);
    assert.deepEqual(harness('nonsense').app.model.choice, CLASSIC);
  });

  test('a 3-player game: presence for Y, a move only on Y\'s own turn, none once out', () => {
    const h = harness();
    h.app.onWelcome({ t: 'welcome', player: { id: 'l', name: 'Linus' }, token: 'tok', gateway: 'gw-0', resumed: true, games: ['g1'] });
    h.app.onMessage({ t: 'state', game: snap({ turn: 'O' }) });
    h.app.onMessage({ t: 'presence', gameId: 'g1', online: { X: true, O: true, Y: false } });
    assert.deepEqual(h.app.model.presence.get('g1'), { X: true, O: true, Y: false });
    h.app.move(5);
    assert.equal(h.sent.filter((m) => m.t === 'move').length, 0, 'not Y\'s turn');
    h.app.onMessage({ t: 'state', game: snap({ version: 3, board: '.X' + '.'.repeat(14), turn: 'Y' }) });
    h.app.move(15);
    assert.deepEqual(h.sent.filter((m) => m.t === 'move'), [{ t: 'move', gameId: 'g1', cell: 15, mid: 'mid-1' }]);
  });
});
