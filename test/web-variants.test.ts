// The page's variants in real Chromium against a real 3-gateway cluster: a three-player quick match
// of "4x4, three players" across three pages on three gateways (one player resigns and is out, the
// others play on, a spectator watches, all three ask for a rematch and take the next seat), games
// against the computer (classic: it never loses; gomoku by keyboard, watched, on a phone), and a
// custom size. Saves docs/screenshots/three-players.png and gomoku.png. Asserts what the pages
// show, by role and name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DESKTOP, launchBrowser, PHONE, PlayerPage } from './support/browser.js';
import { startCluster } from './support/cluster.js';

type C = Awaited<ReturnType<typeof startCluster>>;

/** The seat the page says is the viewer's (the card tagged "you"), or "" for none. */
const mySeat = async (p: PlayerPage): Promise<string> => {
  const card = p.page.locator('.player').filter({ has: p.page.locator('.tags', { hasText: /\byou\b/ }) });
  return (await card.count()) === 1 ? ((await card.locator('.mark').textContent()) ?? '') : '';
};
/** Each seat card's mark and tags, e.g. {X: "you · to move", O: "", Y: "out"}. */
const seatTags = async (p: PlayerPage): Promise<Record<string, string>> => {
  const cards = await p.page.locator('.player').all();
  const found: Record<string, string> = {};
  for (const c of cards) found[(await c.locator('.mark').textContent()) ?? '?'] = (await c.locator('.tags').isVisible()) ? (await c.locator('.tags').textContent()) ?? '' : '';
  return found;
};
const put = (board: string, cell: number, mark: string) => board.slice(0, cell - 1) + mark + board.slice(cell);
const count = (board: string, mark: string) => board.split(mark).length - 1;
/** The arrow keys that move the focus from cell `from` to cell `to` (1-based) on a board `cols` wide. */
function arrowsTo(from: number, to: number, cols: number): string[] {
  const [dr, dc] = [Math.floor((to - 1) / cols) - Math.floor((from - 1) / cols), ((to - 1) % cols) - ((from - 1) % cols)];
  return [...Array(Math.abs(dr)).fill(dr < 0 ? 'ArrowUp' : 'ArrowDown'), ...Array(Math.abs(dc)).fill(dc < 0 ? 'ArrowLeft' : 'ArrowRight')];
}

describe('web client: variants and the computer, in Chromium', () => {
  let cl: C;
  let browser: Browser;
  const open = (gw: number, name?: string, viewport = DESKTOP, path = '/') =>
    PlayerPage.open(browser, `${cl.gateways[gw].url}${path}`, { viewport, name });

  before(async () => {
    [cl, browser] = await Promise.all([startCluster({ restartDelayMs: 1000 }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await cl?.stop();
  });

  test('a three-player quick match across three pages on three gateways: turns, one player out, a win, a spectator, a rotating rematch', async () => {
    const pages = await Promise.all([open(0, 'Ada'), open(1, 'Grace'), open(2, 'Linus')]);
    for (const p of pages) {
      await p.chooseVariant('4x4, three players');
      await p.until('the three-player headline', () => p.page.getByRole('heading', { level: 1 }).first().textContent(), (t) => t === 'Three in a row wins.');
    }
    await pages[0].button('Quick match').click();
    await pages[0].waitStatus(/^Looking for opponents/);
    assert.match((await pages[0].page.locator('.searching .lead').textContent()) ?? '', /three players have asked for a quick match of 4x4, three players/);
    await pages[1].button('Quick match').click();
    await pages[1].waitStatus(/^Looking for opponents/);
    // two of three queued: nobody is matched yet (the third page's match below is what starts it)
    assert.match(await pages[0].status(), /^Looking for opponents/);
    await pages[2].button('Quick match').click();
    for (const p of pages) await p.waitStatus(/^Your turn|'s turn \(X\)/);

    const seats = await Promise.all(pages.map(mySeat));
    assert.deepEqual([...seats].sort(), ['O', 'X', 'Y'], `each page holds one seat: ${seats}`);
    const by = (s: string) => pages[seats.indexOf(s)];
    const [x, o, y] = [by('X'), by('O'), by('Y')];
    const name = async (p: PlayerPage) => (await p.page.locator('.player').filter({ has: p.page.locator('.tags', { hasText: /\byou\b/ }) }).locator('.name').textContent())!;
    const xName = await name(x);
    for (const p of pages) {
      assert.equal(await p.page.locator('.board .cell').count(), 16);
      assert.equal(await p.page.locator('.players .player').count(), 3, 'three seat cards');
      assert.equal(await p.page.locator('.variant').textContent(), '4x4, three players');
    }
    await x.waitStatus(/^Your turn\. You play X\./);
    await y.waitStatus(new RegExp(`^${xName}'s turn \\(X\\)`));

    const watchUrl = new URL(await x.page.locator('#watch-link').inputValue());
    const spectator = await open(0, 'Watcher', DESKTOP, watchUrl.search);
    await spectator.waitStatus(new RegExp(`^${xName} to play \\(X\\)`));
    assert.equal(await spectator.page.getByText('Watching', { exact: true }).count(), 1);

    let board = '.'.repeat(16);
    const everyone = [x, o, y, spectator];
    const step = async (p: PlayerPage, mark: string, cell: number) => {
      await p.play(cell);
      board = put(board, cell, mark);
      for (const q of everyone) await q.waitGrid(board);
    };
    await step(x, 'X', 1);
    await o.waitStatus(/^Your turn\. You play O\./);
    await step(o, 'O', 5);
    await y.waitStatus(/^Your turn\. You play Y\./);
    await step(y, 'Y', 9);
    await step(x, 'X', 2);
    await step(o, 'O', 6);
    // Y's turn: Y resigns (twice: the button asks first) and is out; the turn passes to X
    await y.waitStatus(/^Your turn\. You play Y\./);
    await y.button('Resign').click();
    await y.button('Really resign?').click();
    await y.waitStatus(new RegExp(`^You are out\\. ${xName}'s turn \\(X\\)`));
    await x.waitStatus(/^Your turn\. You play X\./);
    for (const p of everyone) await p.until('Y shown out', () => seatTags(p), (t) => /\bout\b/.test(t.Y ?? '') && /to move/.test(t.X ?? ''));
    assert.equal(await y.page.locator('.player.mark-Y.out').count(), 1);
    assert.equal(await y.button('Resign').count(), 0, 'an out player cannot resign again');
    assert.equal(await y.button('Back to lobby').count(), 1, 'an out player may leave');
    assert.equal(await y.page.locator('.cell.playable').count(), 0, 'an out player plays no cell');
    assert.equal(count(board, 'Y'), 1, 'the marks of an out player stay');
    await x.page.mouse.move(0, 0); // no hover on a cell in the picture
    await x.screenshot('three-players');

    await step(x, 'X', 3);
    await x.waitStatus(/^You won! Three in a row\./);
    await o.waitStatus(new RegExp(`^You lost\\. ${xName} got three in a row\\.`));
    await spectator.waitStatus(new RegExp(`^${xName} \\(X\\) won\\.`));
    for (const p of everyone) assert.equal(await p.page.locator('.cell.win').count(), 3);

    // every player of the finished game asks; seats rotate: X to O, O to Y, Y to X
    for (const p of [x, o]) {
      await p.button('Rematch').click();
      await p.until('the rematch asked', () => p.button('Rematch asked…').count(), (n) => n === 1);
    }
    assert.equal(await x.status(), `You won! Three in a row.`, 'two of three asked: no rematch yet');
    await y.button('Rematch').click();
    await x.waitStatus(/'s turn \(X\)/);
    for (const [p, next] of [[x, 'O'], [o, 'Y'], [y, 'X']] as const) {
      await p.until(`seat ${next} after the rematch`, () => mySeat(p), (s) => s === next);
      await p.waitGrid('.'.repeat(16));
    }
    await y.waitStatus(/^Your turn\. You play X\./);
    await spectator.waitStatus(/ to play \(X\)/);
    for (const p of everyone) assert.deepEqual(p.errors, []);
    await Promise.all(everyone.map((p) => p.close()));
  });

  test('a classic game against the computer: it answers every move, and never loses', async () => {
    const p = await open(1, 'Ada');
    await p.chooseVariant('Classic 3x3');
    await p.button('Play the computer').click();
    await p.waitStatus(/^Your turn\. You play X\./);
    const tags = await seatTags(p);
    assert.match(tags.X, /\byou\b/);
    assert.match(tags.O, /\bcomputer\b/);
    assert.equal(await p.page.locator('.player.mark-O .name').textContent(), 'Computer');
    assert.equal(await p.page.locator('.invite').isVisible(), false, 'a game against the computer has no invite code');
    // X plays the first empty cell each turn (bounded: at most five moves of X fill a 3x3 board)
    let status = '';
    for (let mine = 1; mine <= 5; mine++) {
      const board = await p.grid();
      const cell = board.indexOf('.') + 1;
      assert.ok(cell > 0, `an empty cell on ${board}`);
      await p.play(cell);
      // the computer's answer: as many O as X on the board, or the game over
      status = await p.until(`the computer's answer to move ${mine}`, async () => `${count(await p.grid(), 'O')}|${await p.status()}`,
        (s) => /^\d\|(Draw|You lost|You won)/.test(s) || s.startsWith(`${mine}|Your turn`)).then((s) => s.slice(2));
      if (!status.startsWith('Your turn')) break;
    }
    assert.match(status, /^(Draw: the board is full\.|You lost\. Computer got three in a row\.)/, `the computer never loses: ${status}`);
    assert.equal(await p.button('Rematch').count(), 1);
    assert.deepEqual(p.errors, []);
    await p.close();
  });

  test('gomoku against the computer by keyboard, watched by a spectator, fits a phone', async () => {
    const p = await open(2, 'Grace');
    await p.chooseVariant('Gomoku 15x15');
    await p.button('Play the computer').click();
    await p.waitStatus(/^Your turn\. You play X\./);
    assert.equal(await p.page.locator('.board .cell').count(), 225);
    assert.equal(await p.page.getByRole('group', { name: 'Board, 15 rows by 15 columns' }).count(), 1);
    assert.equal(await p.page.locator('.variant').textContent(), 'Gomoku 15x15');
    const watchUrl = new URL(await p.page.locator('#watch-link').inputValue());
    const spectator = await open(0, 'Watcher', PHONE, watchUrl.search);

    // the focus starts on the middle cell (113); the arrows move it, Enter plays: X heads for the
    // first empty cell of a few near the middle (the computer plays where it likes)
    const near = [113, 114, 99, 97, 128, 112, 127, 129, 98, 100, 115, 111];
    await p.cell(113).focus();
    let at = 113;
    for (let done = 1; done <= 4; done++) {
      const before = await p.grid();
      const cell = near.find((c) => before[c - 1] === '.')!;
      for (const k of arrowsTo(at, cell, 15)) await p.page.keyboard.press(k);
      await p.page.keyboard.press('Enter');
      at = cell;
      const board = await p.until(`X on cell ${cell} and the computer's answer`, () => p.grid(),
        (b) => b[cell - 1] === 'X' && count(b, 'X') === done && count(b, 'O') === done);
      await p.waitStatus(/^Your turn\. You play X\./);
      await spectator.waitGrid(board);
      assert.equal(await p.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `cell ${cell}`, 'the focus stays on the board');
    }
    await spectator.waitStatus(/^Grace to play \(X\)/);
    assert.match((await seatTags(spectator)).O, /\bcomputer\b/);
    await p.page.mouse.move(0, 0); // no hover on a cell in the picture
    await p.screenshot('gomoku');

    // on a phone neither page scrolls sideways, and the whole first row of the board is on screen
    await p.page.setViewportSize(PHONE);
    for (const q of [p, spectator]) {
      assert.ok(await q.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at phone width');
      const [first, last] = [await q.cell(1).boundingBox(), await q.cell(15).boundingBox()];
      assert.ok(first && last && first.x >= 0 && last.x + last.width <= PHONE.width, `row 1 within the screen: ${JSON.stringify([first, last])}`);
      assert.ok(last!.width >= 18, `cells stay tappable: ${last!.width}px`);
    }
    for (const q of [p, spectator]) assert.deepEqual(q.errors, []);
    await Promise.all([p.close(), spectator.close()]);
  });

  test('a custom size: an invalid one disables the game buttons and says why; a valid one plays', async () => {
    const p = await open(0, 'Linus');
    await p.chooseVariant('Custom size…');
    const field = (label: string) => p.page.getByRole('spinbutton', { name: label, exact: true });
    await field('Rows').fill('4');
    await field('Columns').fill('5');
    await field('In a row').fill('9');
    await p.until('the game buttons disabled', () => p.button('Play the computer').isDisabled(), (d) => d);
    assert.equal(await p.button('Quick match').isDisabled(), true);
    assert.match((await p.page.locator('#custom-hint').textContent()) ?? '', /^Rows and columns 3-19/);
    await field('In a row').fill('4');
    await field('Players').fill('2');
    await p.until('the game buttons enabled', () => p.button('Play the computer').isDisabled(), (d) => !d);
    await p.button('Play the computer').click();
    await p.waitStatus(/^Your turn\. You play X\./);
    assert.equal(await p.page.locator('.board .cell').count(), 20);
    assert.equal(await p.page.locator('.variant').textContent(), '4x5, four in a row');
    await p.play(20);
    await p.until('X on cell 20 and the computer\'s answer', () => p.grid(), (b) => b[19] === 'X' && count(b, 'O') === 1);
    // the choice is remembered across a reload (and the game in progress comes back)
    await p.page.reload();
    await p.waitConnected();
    await p.waitStatus(/^Your turn\. You play X\./);
    await p.button('Resign').click();
    await p.button('Really resign?').click();
    await p.waitStatus(/^You lost\. You resigned\./);
    await p.button('Back to lobby').click();
    assert.equal(await p.page.getByLabel('Variant', { exact: true }).inputValue(), 'custom');
    assert.equal(await field('Columns').inputValue(), '5');
    assert.deepEqual(p.errors, []);
    await p.close();
  });
});
