// The page's own parts under node: the sentences, and the app state driven by server messages (with
// a stand-in connection; the connection itself, shared with the bots, is covered by
// test/unit/client-*.test.ts, and in Chromium by web.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GameSnapshot } from '../shared/protocol.js';
import { App, type Link, type Model } from '../web/src/app.js';
import { clockText, errorSentence, gameSentence } from '../web/src/text.js';

function snap(over: Partial<GameSnapshot> = {}): GameSnapshot {
  return {
    id: 'g1', code: null, board: '.........', turn: 'X', status: 'playing', winner: null, line: null, reason: null,
    players: { X: { id: 'me', name: 'Ada' }, O: { id: 'them', name: 'Grace' } }, version: 2, deadline: null, ...over,
  };
}

describe('sentences', () => {
  test('every state of a game, from each seat', () => {
    assert.equal(gameSentence(snap(), 'X'), 'Your turn. You play X.');
    assert.equal(gameSentence(snap(), 'O'), "Ada's turn (X).");
    assert.equal(gameSentence(snap(), null), 'Ada to play (X).');
    assert.match(gameSentence(snap({ status: 'waiting', turn: null, code: 'K7PX2M', players: { X: { id: 'me', name: 'Ada' }, O: null } }), 'X'), /K7PX2M/);
    const won = snap({ status: 'won', turn: null, winner: 'X', line: [0, 1, 2], reason: 'line' });
    assert.equal(gameSentence(won, 'X'), 'You won! Three in a row.');
    assert.equal(gameSentence(won, 'O'), 'You lost. Ada got three in a row.');
    assert.equal(gameSentence({ ...won, reason: 'timeout' }, 'X'), 'You won! Grace ran out of time.');
    assert.equal(gameSentence({ ...won, reason: 'resign' }, null), 'Ada (X) won. Grace resigned.');
    assert.equal(gameSentence(snap({ status: 'draw', turn: null }), 'O'), 'Draw: the board is full.');
    assert.equal(gameSentence(snap({ status: 'aborted', turn: null }), 'O'), 'Game cancelled.');
  });

  test('errors are short sentences, whatever the code', () => {
    for (const code of ['NOT_FOUND', 'CELL_TAKEN', 'UNAVAILABLE', 'SOMETHING_NEW', '{"t":"error"}']) {
      assert.match(errorSentence(code), /^[A-Z][^{}]*\.$/);
    }
    assert.equal(clockText(27_400), '0:28');
    assert.equal(clockText(-5), '0:00');
  });
});

describe('app state', () => {
  function harness() {
    const sent: Record<string, unknown>[] = [];
    const store = new Map<string, string>();
    const conn = {
      state: { phase: 'connecting', gateway: null, closeCode: null },
      request: async (m: Record<string, unknown>) => { sent.push(m); return { t: 'ok', gameId: 'g2' }; },
      restart: () => {},
    } as unknown as Link;
    let renders = 0;
    const app = new App({
      conn, memory: { get: (k) => store.get(k) ?? '', set: (k, v) => { store.set(k, v); } },
      render: () => { renders++; }, setUrl: () => {}, randomId: () => 'mid-1',
    }, {});
    const welcome = (games: string[]) => app.onWelcome({ t: 'welcome', player: { id: 'me', name: 'Ada' }, token: 'tok', gateway: 'gw-1', resumed: true, games });
    return { app, sent, store, welcome, m: app.model as Model, renders: () => renders };
  }

  test('a resume that lists a game returns to it; older snapshots are ignored', () => {
    const h = harness();
    h.welcome(['g1']);
    assert.equal(h.store.get('token'), 'tok');
    assert.deepEqual(h.m.screen, { kind: 'game', gameId: 'g1', watching: false });
    h.app.onMessage({ t: 'state', game: snap({ version: 5, board: 'X...O....' }) });
    h.app.onMessage({ t: 'state', game: snap({ version: 4, board: 'X........', turn: 'O' }) });
    assert.equal(h.app.current?.board, 'X...O....');
  });

  test('a reset replaces the game held, even at a lower version; later versions count from it', () => {
    const h = harness();
    h.welcome(['g1']);
    h.app.onMessage({ t: 'state', game: snap({ version: 5, board: 'X...O....' }) });
    h.app.onMessage({ t: 'state', game: snap({ version: 4, board: 'X........', turn: 'O' }), reset: true });
    assert.equal(h.app.current?.board, 'X........', 'the store rolled back: the page shows what it holds now');
    h.app.onMessage({ t: 'state', game: snap({ version: 5, board: 'X.O......' }) });
    assert.equal(h.app.current?.board, 'X.O......');
    h.app.onMessage({ t: 'state', game: snap({ version: 5, board: 'X.O......' }), reset: false });
    h.app.onMessage({ t: 'state', game: snap({ version: 3, board: '.........' }) });
    assert.equal(h.app.current?.version, 5, 'an older version without reset is ignored');
  });

  test('presence: from snapshots and from presence messages, the newest wins; unknown messages are ignored', () => {
    const h = harness();
    h.welcome(['g1']);
    h.app.onMessage({ t: 'state', game: snap() });
    assert.equal(h.m.presence.get('g1'), undefined, 'absent fields: nothing shown');
    h.app.onMessage({ t: 'state', game: snap({ version: 3, players: { X: { id: 'me', name: 'Ada', online: true }, O: { id: 'them', name: 'Grace', online: true } } }) });
    assert.deepEqual(h.m.presence.get('g1'), { X: true, O: true });
    h.app.onMessage({ t: 'presence', gameId: 'g1', online: { X: true, O: false } });
    assert.deepEqual(h.m.presence.get('g1'), { X: true, O: false });
    h.app.onMessage({ t: 'whatever-comes-next', x: 1 });
    assert.equal(h.m.notice, null);
  });

  test('a move is sent once with a fresh mid and only on the player\'s turn; a rematch moves the page to the new game', async () => {
    const h = harness();
    h.welcome(['g1']);
    h.app.onMessage({ t: 'state', game: snap() });
    h.app.move(4);
    h.app.move(5); // a second click while the first is pending does nothing
    assert.deepEqual(h.sent.filter((m) => m.t === 'move'), [{ t: 'move', gameId: 'g1', cell: 4, mid: 'mid-1' }]);
    await new Promise((r) => setImmediate(r));
    h.app.onMessage({ t: 'state', game: snap({ version: 3, board: '....X....', turn: 'O' }) });
    h.app.move(0);
    assert.equal(h.sent.filter((m) => m.t === 'move').length, 1, 'not my turn');
    h.app.onMessage({ t: 'rematch', from: 'g1', gameId: 'g9' });
    assert.deepEqual(h.m.screen, { kind: 'game', gameId: 'g9', watching: false });
  });

  test('a queued page queues again after a reconnect; an error message becomes a sentence', () => {
    const h = harness();
    h.welcome([]);
    h.app.quickMatch();
    h.welcome([]);
    assert.equal(h.sent.filter((m) => m.t === 'queue').length, 2);
    h.app.onMessage({ t: 'error', code: 'RATE_LIMITED', message: 'Too many messages: slow down.' });
    assert.equal(h.m.notice, 'Slow down a little and try again.');
  });
});
