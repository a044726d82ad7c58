// The page's state and everything that changes it: user actions go out as requests, server
// messages come in and update the model; after every change the views re-render from the model.
import type { GameSnapshot } from '../../shared/protocol.js';
import { isFinished, type Mark } from '../../shared/rules.js';
import { sanitizeName, seatOf } from '../../shared/wire.js';
import { RequestError, type ConnState, type OkAnswer, type Outgoing, type Push, type StateFrame, type Welcome } from '../../shared/client/types.js';
import { classifyState, keeps } from '../../shared/client/versions.js';
import { CLASSIC, isClassic, normalizeVariant, parseVariantName, variantName, type Variant } from '../../shared/variant.js';
import { presenceOf, type Presence } from './seats.js';
import type { Memory } from './storage.js';
import { errorSentence } from './text.js';

export type { Presence } from './seats.js';

export type Screen =
  | { kind: 'lobby' }
  /** Quick match for a variant: the game starts when that many players of it are queued. */
  | { kind: 'queue'; variant: Variant }
  | { kind: 'game'; gameId: string; watching: boolean };

export interface Model {
  conn: ConnState;
  me: { id: string; name: string } | null;
  screen: Screen;
  /** The variant chosen in the lobby, for a quick match, a private game or a game against the computer. */
  choice: Variant;
  games: Map<string, GameSnapshot>;
  presence: Map<string, Presence>;
  /** A move sent (or waiting for a socket) and not yet answered: the connection resends it with the same mid. */
  pendingMove: { gameId: string; cell: number; mid: string } | null;
  rematchAsked: Set<string>;
  /** A short sentence about the last thing that went wrong, cleared by the next action. */
  notice: string | null;
  busy: boolean;
}

/** Where the page should go when it opens: its URL parameters. */
export interface Intent { code?: string; watch?: string }

/** What the page needs of its connection (shared/client's ProtocolClient). */
export interface Link {
  readonly state: ConnState;
  /** Resolves with the `ok`; a state change is resent unchanged (same mid / idem) until it is answered. */
  request(msg: Outgoing): Promise<OkAnswer>;
  /** Says hello again (the server takes the name from hello). */
  restart(): void;
}

export interface AppDeps {
  conn: Link;
  memory: Memory;
  render(m: Model): void;
  /** Rewrites the address bar (without reloading) to match what is on screen. */
  setUrl(query: string): void;
  randomId(): string;
}

export class App {
  readonly model: Model;
  private intent: Intent;

  constructor(private readonly d: AppDeps, intent: Intent) {
    this.intent = intent;
    this.model = {
      conn: d.conn.state, me: null, screen: intent.watch ? { kind: 'game', gameId: intent.watch, watching: true } : { kind: 'lobby' },
      choice: parseVariantName(d.memory.get('variant')) ?? CLASSIC,
      games: new Map(), presence: new Map(), pendingMove: null, rematchAsked: new Set(), notice: null, busy: false,
    };
  }

  private update(change: (m: Model) => void): void {
    change(this.model);
    this.d.render(this.model);
  }

  get current(): GameSnapshot | null {
    const s = this.model.screen;
    return s.kind === 'game' ? this.model.games.get(s.gameId) ?? null : null;
  }

  seat(g: GameSnapshot | null = this.current): Mark | null {
    return g && this.model.me ? seatOf(g, this.model.me.id) : null;
  }

  // ---- connection events ----

  helloFields(): { token?: string; name?: string } {
    const name = sanitizeName(this.d.memory.get('name'));
    return { token: this.d.memory.get('token') || undefined, name: name || undefined };
  }

  onConnState(c: ConnState): void { this.update((m) => { m.conn = c; }); }

  onWelcome(w: Welcome): void {
    this.d.memory.set('token', w.token);
    this.update((m) => { m.me = { id: w.player.id, name: w.player.name }; });
    const s = this.model.screen;
    const mine = w.games[0];
    if (mine && (s.kind !== 'game' || s.watching || !w.games.includes(s.gameId))) {
      // a seat in an unfinished game wins over anything else: a reload or reconnect returns to it
      if (s.kind === 'game' && s.watching) this.request({ t: 'unwatch', gameId: s.gameId }).catch(() => {});
      this.show({ kind: 'game', gameId: mine, watching: false });
    } else if (s.kind === 'queue') {
      this.request(queueRequest(s.variant)).catch((e) => this.fail(e)); // the queue forgets a player whose last socket closed
    } else if (s.kind === 'game' && (s.watching || !w.games.includes(s.gameId))) {
      // a watched game, or one of ours that ended while we were away: fetch its current snapshot
      this.request({ t: 'watch', gameId: s.gameId }).catch((e) => this.watchFailed(s.gameId, e));
    }
    this.consumeIntent();
  }

  private consumeIntent(): void {
    const { code } = this.intent;
    this.intent = {};
    if (code && this.model.screen.kind === 'lobby') this.join(code);
  }

  onMessage(msg: Push): void {
    switch (msg.t) {
      case 'state': this.onState(msg as unknown as StateFrame); break;
      case 'matched': if (this.model.screen.kind === 'queue') this.show({ kind: 'game', gameId: String(msg.gameId), watching: false }); break;
      case 'rematch': {
        const s = this.model.screen;
        if (s.kind === 'game' && s.gameId === msg.from) this.show({ kind: 'game', gameId: String(msg.gameId), watching: s.watching });
        break;
      }
      case 'presence': {
        const online = presenceOf(msg.online);
        if (typeof msg.gameId === 'string' && online) this.update((m) => { m.presence.set(msg.gameId as string, online); });
        break;
      }
      case 'error': this.update((m) => { m.notice = errorSentence(String(msg.code)); }); break;
      default: break; // additive contract: unknown messages are ignored
    }
  }

  /** The highest version is kept, except that a reset replaces what is held (shared/client/versions.ts). */
  private onState({ game: g, reset }: StateFrame): void {
    if (!g || typeof g.id !== 'string') return;
    if (!keeps(classifyState(this.model.games.get(g.id)?.version, g.version, reset === true))) return;
    this.update((m) => {
      m.games.set(g.id, g);
      const on = presenceOf(Object.fromEntries(Object.entries(g.players).map(([seat, p]) => [seat, p?.online])));
      if (on) m.presence.set(g.id, { ...m.presence.get(g.id), ...on });
      // the pending move is on the board, or can no longer be: the board speaks for itself now
      const pm = m.pendingMove;
      if (pm?.gameId === g.id && (g.board[pm.cell] !== '.' || g.status !== 'playing')) m.pendingMove = null;
    });
    // a queued player is matched: show the game even if "matched" was missed
    const s = this.model.screen;
    const seat = this.seat(g);
    if ((s.kind === 'queue' || s.kind === 'lobby') && seat && !isFinished(g.status)) {
      this.show({ kind: 'game', gameId: g.id, watching: false });
    }
  }

  // ---- user actions ----

  private show(screen: Screen): void {
    this.update((m) => { m.screen = screen; m.notice = null; });
    this.d.setUrl(screen.kind === 'game' && screen.watching ? `?watch=${encodeURIComponent(screen.gameId)}` : '');
  }

  private fail(e: unknown): void {
    const code = e instanceof RequestError ? e.code : 'INTERNAL';
    this.update((m) => { m.notice = errorSentence(code); });
  }

  private request(msg: Outgoing): Promise<OkAnswer> {
    return this.d.conn.request(msg);
  }

  setName(raw: string): void {
    const name = sanitizeName(raw);
    if (!name || name === this.d.memory.get('name')) return;
    this.d.memory.set('name', name);
    // the server takes the name from hello: say hello again while no game needs the socket
    if (this.model.screen.kind === 'lobby' && this.model.conn.phase === 'connected') this.d.conn.restart();
  }

  /** The lobby's variant picker changed (remembered across reloads). */
  choose(v: Variant): void {
    const choice = normalizeVariant(v);
    this.d.memory.set('variant', variantName(choice));
    this.update((m) => { m.choice = choice; m.notice = null; });
  }

  quickMatch(): void {
    const variant = this.model.choice;
    this.show({ kind: 'queue', variant });
    this.request(queueRequest(variant)).catch((e) => { this.show({ kind: 'lobby' }); this.fail(e); });
  }

  cancelQueue(): void {
    this.show({ kind: 'lobby' });
    this.request({ t: 'unqueue' }).catch(() => {});
  }

  private async enterGame(msg: Extract<Outgoing, { t: 'create' | 'join' }>): Promise<void> {
    if (this.model.busy) return;
    this.update((m) => { m.busy = true; m.notice = null; });
    try {
      const ok = await this.request(msg);
      if (ok.gameId) this.show({ kind: 'game', gameId: ok.gameId, watching: false });
    } catch (e) {
      this.fail(e);
    } finally {
      this.update((m) => { m.busy = false; });
    }
  }

  createPrivate(): void { void this.enterGame({ t: 'create', ...variantField(this.model.choice) }); }

  /** A game against the computer, at once: every seat but the player's X is the computer's. */
  playComputer(): void { void this.enterGame({ t: 'create', vs: 'computer', ...variantField(this.model.choice) }); }

  join(rawCode: string): void {
    const code = rawCode.trim().toUpperCase();
    if (!/^[A-Z0-9]{1,16}$/.test(code)) { this.update((m) => { m.notice = 'Enter the invite code you were given.'; }); return; }
    void this.enterGame({ t: 'join', code });
  }

  private watchFailed(gameId: string, e: unknown): void {
    const s = this.model.screen;
    if (s.kind !== 'game' || s.gameId !== gameId || this.model.games.has(gameId)) { this.fail(e); return; }
    this.show({ kind: 'lobby' });
    if (e instanceof RequestError && e.code === 'NOT_FOUND') this.update((m) => { m.notice = 'That game does not exist any more.'; });
    else this.fail(e);
  }

  move(cell: number): void {
    const g = this.current;
    const seat = this.seat(g);
    if (!g || !seat || g.status !== 'playing' || g.turn !== seat || g.board[cell] !== '.' || this.model.pendingMove) return;
    const pm = { gameId: g.id, cell, mid: this.d.randomId() };
    this.update((m) => { m.pendingMove = pm; m.notice = null; });
    this.request({ t: 'move', gameId: g.id, cell, mid: pm.mid }).then(
      () => this.update((m) => { if (m.pendingMove === pm) m.pendingMove = null; }),
      (e) => { this.update((m) => { if (m.pendingMove === pm) m.pendingMove = null; }); this.fail(e); },
    );
  }

  resign(): void {
    const g = this.current;
    if (!g) return;
    const leaving = g.status === 'waiting';
    this.request({ t: 'resign', gameId: g.id }).then(() => { if (leaving) this.show({ kind: 'lobby' }); }, (e) => this.fail(e));
  }

  rematch(): void {
    const g = this.current;
    if (!g) return;
    this.update((m) => { m.rematchAsked.add(g.id); });
    this.request({ t: 'rematch', gameId: g.id }).catch((e) => {
      this.update((m) => { m.rematchAsked.delete(g.id); });
      this.fail(e);
    });
  }

  backToLobby(): void {
    const s = this.model.screen;
    if (s.kind === 'game') this.request({ t: 'unwatch', gameId: s.gameId }).catch(() => {});
    this.show({ kind: 'lobby' });
  }
}

/** The classic game goes without a variant (what an older server understands); any other names its own. */
const variantField = (v: Variant): { variant?: Variant } => (isClassic(v) ? {} : { variant: v });
const queueRequest = (v: Variant): Outgoing => ({ t: 'queue', ...variantField(v) });
