// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and the few things the page
// tests ask of a page: its board, its status sentence, its gateway and connection state. Every
// wait is bounded and polls what the page shows, found by accessible role and name.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../../server/launcher/cluster.js';
import { until } from './until.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1100, height: 820 };

/** One browser context (its own localStorage: one player) with one page; uncaught page errors and dialogs are recorded. */
export class PlayerPage {
  readonly errors: string[] = [];
  readonly dialogs: string[] = [];
  private constructor(readonly context: BrowserContext, readonly page: Page) {
    page.on('pageerror', (e) => this.errors.push(e.message));
    page.on('dialog', (d) => { this.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  }

  /** `name` is stored as the player's name before the page first loads; `setup` runs before navigation (e.g. routes). */
  static async open(browser: Browser, url: string, o: { viewport?: typeof DESKTOP; name?: string; setup?: (page: Page) => Promise<void> } = {}): Promise<PlayerPage> {
    const context = await browser.newContext({ viewport: o.viewport ?? DESKTOP });
    context.setDefaultTimeout(10_000);
    if (o.name !== undefined) await context.addInitScript((n) => { if (!localStorage.getItem('trine.name')) localStorage.setItem('trine.name', n); }, o.name);
    const p = new PlayerPage(context, await context.newPage());
    await o.setup?.(p.page);
    await p.page.goto(url);
    await p.waitConnected();
    return p;
  }

  button(name: string) { return this.page.getByRole('button', { name, exact: true }); }
  cell(n: number) { return this.button(`cell ${n}`); }

  /** The board as the page shows it: 9 characters, X, O or "." for an empty cell. */
  async board(): Promise<string> {
    const texts = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => this.cell(n).textContent()));
    return texts.map((t) => (t === 'X' || t === 'O' ? t : '.')).join('');
  }

  /** The whole board of any variant, row-major: X, O, Y, Z or "." per cell (one round trip). */
  async grid(): Promise<string> {
    const texts = await this.page.locator('.board .cell').allTextContents();
    return texts.map((t) => (/^[XOYZ]$/.test(t) ? t : '.')).join('');
  }

  /** Picks a variant in the lobby by the label of its option ("Classic 3x3", "Gomoku 15x15", ...). */
  async chooseVariant(label: string): Promise<void> {
    await this.page.getByLabel('Variant', { exact: true }).selectOption({ label });
  }

  async status(): Promise<string> { return (await this.page.getByRole('status').textContent()) ?? ''; }
  async connState(): Promise<string> { return (await this.page.locator('#connection').getAttribute('data-state')) ?? ''; }
  async gateway(): Promise<string> { return (await this.page.locator('#gateway').getAttribute('data-id')) ?? ''; }

  /** Polls `probe` until `ok` holds (bounded), then returns the last value; a failure also tells the page's status. */
  async until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
    try {
      return await until(`page never showed ${what}`, probe, { ok, timeoutMs, everyMs: 40 });
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; status: ${await this.status().catch(() => '?')}`);
    }
  }

  waitBoard(board: string): Promise<string> { return this.until(`board ${board}`, () => this.board(), (b) => b === board); }
  waitGrid(board: string): Promise<string> { return this.until(`board ${board}`, () => this.grid(), (b) => b === board); }
  waitStatus(re: RegExp): Promise<string> { return this.until(`status ${re}`, () => this.status(), (s) => re.test(s)); }
  waitConnected(): Promise<string> { return this.until('connected', () => this.connState(), (s) => s === 'connected'); }

  async play(n: number): Promise<void> { await this.cell(n).click(); }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
  }

  /** Records every value `#connection[data-state]` takes from now on (a transient state is not missed). */
  async recordConnStates(): Promise<void> {
    await this.page.evaluate(() => {
      const el = document.getElementById('connection')!;
      const log: string[] = [];
      (window as unknown as { connLog: string[] }).connLog = log;
      new MutationObserver(() => log.push(`${el.dataset.state}|${document.getElementById('gateway')!.dataset.id}`))
        .observe(el, { attributes: true, subtree: true, childList: true, characterData: true });
    });
  }

  connLog(): Promise<string[]> { return this.page.evaluate(() => (window as unknown as { connLog: string[] }).connLog.slice()); }

  async close(): Promise<void> { await this.context.close(); }
}
