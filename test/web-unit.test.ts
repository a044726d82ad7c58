// The page's pure parts under node: reconnect delays, the choice of the next gateway, the sentences,
// and the app state driven by server messages (with a stand-in connection; the real one is covered
// in Chromium by web.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GameSnapshot } from '../shared/protocol.js';
import { App, type Model } from '../web/src/app.js';
import { backoffDelay } from '../web/src/backoff.js';
import type { Connection } from '../web/src/connection.js';
import { GatewayDirectory, homeGateway } from '../web/src/gateways.js';
import { clockText, errorSentence, gameSentence } from '../web/src/text.js';

const gw = (i: number) => ({ id: `gw-${i}`, url: `http://127.0.0.1:${9000 + i}`, ws: `ws://127.0.0.1:${9000 + i}/ws` });

function snap(over: Partial<GameSnapshot> = {}): GameSnapshot {
  return {
    id: 'g1', code: null, board: '.........', turn: 'X', status: 'playing', winner: null, line: null, reason: null,
    players: { X: { id: 'me', name: 'Ada' }, O: { id: 'them', name: 'Grace' } }, version: 2, deadline: null, ...over,
  };
}

describe('backoff', () => {
  test('grows exponentially, stays within [ceiling/2, ceiling], and is capped', () => {
    for (const r of [0, 0.5, 0.999]) {
      for (let n = 0; n < 12; n++) {
        const ceiling = Math.min(8000, 300 * 2 ** n);
        const d = backoffDelay(n, undefined, () => r);
        assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${n}: ${d}`);
      }
    }
    assert.ok(backoffDelay(50, undefined, () => 1) <= 8000);
  });
});

describe('gateway directory', () => {
  const fetchOf = (body: unknown, ok = true) => (async () => ({ ok, headers: new Headers(), json: async () => body })) as unknown as typeof fetch;

  test('after losing a gateway every other one is tried before it, spread by the outage draw', async () => {
    const d = new GatewayDirectory(gw(0), fetchOf({ gateways: [gw(2), gw(1), gw(0), { id: 'bad', url: 'javascript:x', ws: 'x' }] }));
    await d.refresh();
    assert.deepEqual(d.all().map((g) => g.ws), [gw(0), gw(1), gw(2)].map((g) => g.ws));
    const order = (spread: number) => [0, 1, 2, 3].map((a) => d.pick(gw(0).ws, a, spread).ws);
    assert.deepEqual(order(0), [gw(1).ws, gw(2).ws, gw(0).ws, gw(1).ws]);
    assert.deepEqual(order(0.9), [gw(2).ws, gw(1).ws, gw(0).ws, gw(2).ws]);
  });

  test('keeps what it knew when no gateway answers', async () => {
    const d = new GatewayDirectory(homeGateway('http://127.0.0.1:9000'), fetchOf({ error: 'UNAVAILABLE' }, false));
    await d.refresh();
    assert.deepEqual(d.all().map((g) => g.ws), ['ws://127.0.0.1:9000/ws']);
    assert.equal(d.pick('ws://127.0.0.1:9000/ws', 0).ws, 'ws://127.0.0.1:9000/ws');
    assert.equal(homeGateway('https://trine.example').ws, 'wss://trine.example/ws');
  });
});

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
    } as unknown as Connection;
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
