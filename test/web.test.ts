// The web client in real Chromium against a real 3-gateway cluster: quick match across gateways,
// a private game with a spectator, a SIGKILLed gateway under a page, a reload mid-game, and a
// hostile name. Saves the screenshots of docs/screenshots. Asserts what the pages show, by role and name.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { sanitizeName } from '../shared/protocol.js';
import { DESKTOP, launchBrowser, PHONE, PlayerPage } from './support/browser.js';
import { fence, player } from './support/client.js';
import { startCluster } from './support/cluster.js';

type C = Awaited<ReturnType<typeof startCluster>>;

describe('web client in Chromium', () => {
  let cl: C;
  let browser: Browser;
  const pages: PlayerPage[] = [];
  const open = async (gw: number, name?: string, viewport = DESKTOP, path = '/', setup?: (page: Page) => Promise<void>) => {
    const p = await PlayerPage.open(browser, `${cl.gateways[gw].url}${path}`, { viewport, name, setup });
    pages.push(p);
    return p;
  };

  before(async () => {
    [cl, browser] = await Promise.all([startCluster({ restartDelayMs: 1000 }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await cl?.stop();
  });

  /** A private game through the page: `x` creates it, `o` opens the invite link on its own gateway. */
  async function privateGame(x: PlayerPage, o: PlayerPage) {
    await x.button('New private game').click();
    await x.waitStatus(/Waiting for an opponent/);
    const code = (await x.page.locator('.invite .code').textContent())!;
    const link = new URL(await x.page.getByRole('textbox', { name: 'Invite link' }).inputValue());
    assert.equal(link.search, `?code=${code}`);
    await o.page.goto(new URL(link.pathname + link.search, o.page.url()).href);
    await o.waitStatus(/Ada's turn \(X\)/);
    await x.waitStatus(/^Your turn/);
    const watch = await x.page.locator('#watch-link').inputValue();
    return { code, gameId: new URL(watch).searchParams.get('watch')! };
  }

  /** Plays `cells` (1-based) alternately starting with `first`, each move seen by every page before the next. */
  async function playOut(first: PlayerPage, second: PlayerPage, cells: number[], watchers: PlayerPage[] = []) {
    let board = await first.board();
    for (const [i, n] of cells.entries()) {
      const mover = i % 2 ? second : first;
      await mover.play(n);
      board = board.slice(0, n - 1) + (i % 2 ? 'O' : 'X') + board.slice(n);
      for (const p of [first, second, ...watchers]) await p.waitBoard(board);
    }
    return board;
  }

  test('the lobby follows the page contract, fits a phone, and the page stays small', async () => {
    const p = await open(0, 'Ada');
    for (const name of ['Quick match', 'New private game', 'Join']) assert.equal(await p.button(name).count(), 1, name);
    assert.equal(await p.page.getByRole('textbox', { name: 'Invite code' }).count(), 1);
    assert.equal(await p.page.getByRole('status').count(), 1);
    assert.equal(await p.gateway(), 'gw-0');
    await p.screenshot('lobby');
    await p.page.setViewportSize(PHONE);
    assert.ok(await p.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at phone width');
    // a wrong code is a sentence, not JSON
    await p.page.getByRole('textbox', { name: 'Invite code' }).fill('ZZZZZZ');
    await p.page.keyboard.press('Enter');
    const alert = await p.until('an error', () => p.page.getByRole('alert').textContent(), (t) => !!t);
    assert.equal(alert, 'No game waits with that invite code.');
    let bytes = 0;
    for (const path of ['/', '/app.js', '/app.css']) {
      const body = await (await fetch(`${cl.gateways[0].url}${path}`)).text();
      bytes += gzipSync(body).length;
      assert.ok(!/ZodError|zod\.dev/.test(body), `${path} carries no zod`);
    }
    assert.ok(bytes < 100_000, `page is ${bytes} bytes gzipped`);
    await p.close();
  });

  test('1: two pages on two gateways quick-match and play to a win (X by keyboard)', async () => {
    const a = await open(0, 'Ada');
    const b = await open(1, 'Grace');
    assert.deepEqual([await a.gateway(), await b.gateway()], ['gw-0', 'gw-1']);
    await a.button('Quick match').click();
    await a.waitStatus(/Looking for an opponent/);
    assert.equal(await a.button('Cancel').count(), 1);
    await b.button('Quick match').click();
    const [sa] = await Promise.all([a, b].map((p) => p.waitStatus(/^Your turn|'s turn/)));
    const [x, o] = sa.startsWith('Your turn') ? [a, b] : [b, a];
    await x.waitStatus(/^Your turn\. You play X\./);
    // X plays with the keyboard: arrows move between cells, Enter plays
    const keys = async (p: PlayerPage, from: number, path: string[]) => {
      await p.cell(from).focus();
      for (const k of [...path, 'Enter']) await p.page.keyboard.press(k);
    };
    let board = '.........';
    const step = async (mark: string, n: number, act: () => Promise<void>) => {
      await act();
      board = board.slice(0, n - 1) + mark + board.slice(n);
      await x.waitBoard(board);
      await o.waitBoard(board);
    };
    await step('X', 1, () => keys(x, 5, ['ArrowUp', 'ArrowLeft']));
    await step('O', 4, () => o.play(4));
    await step('X', 2, () => keys(x, 1, ['ArrowRight']));
    await step('O', 5, () => o.play(5));
    // clocks are on (TURN_MS): the player to move sees their time running
    assert.match((await x.page.locator('.player.to-move .clock').textContent()) ?? '', /^0:[0-3]\d$/);
    await x.screenshot('game-in-progress');
    await step('X', 3, () => keys(x, 2, ['ArrowRight']));
    assert.equal(board, 'XXXOO....');
    await x.waitStatus(/^You won! Three in a row\./);
    await o.waitStatus(/^You lost\. .* got three in a row\./);
    for (const p of [x, o]) {
      assert.equal(await p.page.locator('.cell.win').count(), 3);
      assert.equal(await p.button('Rematch').count(), 1);
      assert.equal(await p.button('Back to lobby').count(), 1);
    }
    await x.screenshot('finished-game');
    // rematch: both ask, a new game starts with seats swapped
    await x.button('Rematch').click();
    await x.until('the rematch asked', () => x.button('Rematch asked…').count(), (n) => n === 1);
    await o.button('Rematch').click();
    await o.waitStatus(/^Your turn\. You play X\./);
    await x.waitStatus(/'s turn \(X\)\./);
    for (const p of [x, o]) await p.waitBoard('.........');
    for (const p of [a, b]) { assert.deepEqual(p.errors, []); await p.close(); }
  });

  test('2: private game by invite link, played to a draw, a spectator link sees every move', async () => {
    const a = await open(0, 'Ada', PHONE);
    const b = await open(1, 'Grace', PHONE);
    const { gameId } = await privateGame(a, b);
    const s = await open(2, 'Watcher', DESKTOP, `/?watch=${gameId}`);
    await s.waitStatus(/Ada to play \(X\)/);
    assert.equal(await s.page.getByText('Watching', { exact: true }).count(), 1);
    const board = await playOut(a, b, [1, 2, 3, 5, 4, 6, 8, 7, 9], [s]);
    assert.equal(board, 'XOXXOOOXX');
    for (const p of [a, b, s]) await p.waitStatus(/^Draw: the board is full\./);
    assert.equal(await s.button('Rematch').count(), 0, 'a spectator cannot ask for a rematch');
    for (const p of [a, b, s]) { assert.deepEqual(p.errors, []); await p.close(); }
  });

  test('3: SIGKILL the gateway under a page: it reconnects elsewhere and the game ends with every move once', async () => {
    const a = await open(0, 'Ada');
    const b = await open(1, 'Grace');
    const { gameId } = await privateGame(a, b);
    const spy = await player(cl.gateways[2].ws, 'spy');
    await spy.ok({ t: 'watch', gameId });
    await playOut(a, b, [1, 4]);

    const killed = await a.gateway();
    const g = cl.gateways.find((x) => x.id === killed)!;
    await a.recordConnStates();
    cl.kill(g);
    await a.play(2); // while the socket dies: sent on the dead socket or held, then resent with the same mid
    const back = await a.until('a gateway other than the killed one', async () => [await a.connState(), await a.gateway()],
      ([st, gw]) => st === 'connected' && gw !== killed, 15_000);
    const log = await a.connLog();
    const lost = log.findIndex((e) => e.startsWith('reconnecting|'));
    assert.ok(lost >= 0, `the page showed it was reconnecting: ${log.join(', ')}`);
    assert.ok(log.slice(lost).some((e) => e === `connected|${back[1]}`), `then the new gateway: ${log.join(', ')}`);

    await a.waitBoard('XX.O.....');
    await b.waitBoard('XX.O.....');
    await b.play(5);
    await a.waitBoard('XX.OO....');
    await a.play(3);
    for (const p of [a, b]) await p.waitBoard('XXXOO....');
    await a.waitStatus(/^You won!/);
    await b.waitStatus(/^You lost\./);

    // the spectator on a surviving gateway saw every version once, one mark at a time
    const final = await spy.stateWhere(gameId, (s) => s.status === 'won', 'the end');
    assert.equal(final.board, 'XXXOO....');
    assert.equal(final.version, 2 + 5, 'five moves, none applied twice');
    const seen = spy.states(gameId);
    assert.deepEqual(seen.map((s) => s.version), [2, 3, 4, 5, 6, 7], 'every version once, in order');
    for (let i = 1; i < seen.length; i++) {
      const changed = [...seen[i].board].filter((c, j) => c !== seen[i - 1].board[j]).length;
      assert.equal(changed, 1, `version ${seen[i].version} placed exactly one mark`);
    }
    spy.close();
    await cl.waitReady(g);
    for (const p of [a, b]) { assert.deepEqual(p.errors, []); await p.close(); }
  });

  test('4: a reload mid-game comes back to the same game', async () => {
    const a = await open(1, 'Ada');
    const b = await open(2, 'Grace');
    const { gameId } = await privateGame(a, b);
    await playOut(a, b, [5, 1]);
    await a.page.reload();
    await a.waitConnected();
    await a.waitBoard('O...X....');
    await a.waitStatus(/^Your turn\. You play X\./);
    const watch = await a.page.locator('#watch-link').inputValue();
    assert.equal(new URL(watch).searchParams.get('watch'), gameId);
    await a.play(9);
    await b.waitBoard('O...X...X');
    for (const p of [a, b]) { assert.deepEqual(p.errors, []); await p.close(); }
  });

  test('5: a hostile name renders as text, for its owner, the opponent and a spectator', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const h = await open(2);
    const nameBox = h.page.getByRole('textbox', { name: 'Your name' });
    await nameBox.fill(hostile);
    await nameBox.press('Tab'); // saved, and said to the server in a new hello
    const b = await open(0, '<svg onload=alert(2)>');
    await h.until('the new name in use', () => h.connState(), (s) => s === 'connected');
    await h.button('New private game').click();
    await h.waitStatus(/Waiting for an opponent/);
    const code = (await h.page.locator('.invite .code').textContent())!;
    await b.page.getByRole('textbox', { name: 'Invite code' }).fill(code);
    await b.button('Join').click();
    await b.waitStatus(/'s turn \(X\)/);
    const s = await open(1, 'S', DESKTOP, `/?watch=${new URL(await h.page.locator('#watch-link').inputValue()).searchParams.get('watch')}`);
    const expected = { X: sanitizeName(hostile), O: '<svg onload=alert(2)>' };
    for (const p of [h, b, s]) {
      await p.until('both names', () => p.page.locator('.player .name').allTextContents(), (n) => n[0] === expected.X && n[1] === expected.O);
      assert.equal(await p.page.locator('main img, main svg, main [onerror], main [onload]').count(), 0);
      assert.deepEqual(p.dialogs, []);
      assert.deepEqual(p.errors, []);
    }
    await s.waitStatus(/^<img src=x onerror=alert to play \(X\)\./);
    for (const p of [h, b, s]) await p.close();
  });

  test('6: a move whose answer was lost with its socket is resent with the same mid and applied once', async () => {
    const sent: string[] = [];
    let armed = false;
    let cut = false;
    const a = await open(0, 'Ada', DESKTOP, '/', (page) => page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => { sent.push(String(m)); server.send(m); });
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { t: string; rid?: string };
        const move = sent.map((f) => JSON.parse(f)).find((f) => f.t === 'move' && f.rid === msg.rid);
        if (armed && !cut && msg.t === 'ok' && move) {
          // the move was applied, but its answer dies with the socket
          cut = true;
          void ws.close({ code: 4000, reason: 'cut' });
          void server.close();
          return;
        }
        ws.send(m);
      });
    }));
    const b = await open(1, 'Grace');
    const { gameId } = await privateGame(a, b);
    const spy = await player(cl.gateways[2].ws, 'spy');
    await spy.ok({ t: 'watch', gameId });
    armed = true;
    await a.play(5);
    await a.until('the cut', async () => cut, (c) => c);
    await a.until('a new socket', () => a.connState(), (s) => s === 'connected');
    await b.waitBoard('....X....');
    await b.play(1);
    await a.waitBoard('O...X....');
    const moves = sent.map((f) => JSON.parse(f)).filter((f) => f.t === 'move');
    assert.equal(moves.length, 2, 'sent, then resent after reconnecting');
    assert.match(String(moves[0].mid), /./, 'a move carries a mid');
    assert.equal(moves[0].mid, moves[1].mid, 'with the same mid');
    assert.equal(moves[1].cell, 4);
    await spy.stateAt(gameId, 4);
    await fence(spy); // anything its gateway sent the spy before, a repeated version included, has arrived
    const seen = spy.states(gameId);
    assert.deepEqual(seen.map((s) => s.version), [2, 3, 4], 'applied once');
    assert.equal(await a.page.getByRole('alert').isVisible(), false, 'no error shown');
    spy.close();
    for (const p of [a, b]) { assert.deepEqual(p.errors, []); await p.close(); }
  });
});
