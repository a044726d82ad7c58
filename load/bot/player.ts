// A bot that plays: it follows the one unfinished game it holds, moves (a random legal cell, after
// an optional think time) as soon as it is its turn, and starts a new game when one ends: quick
// match (`queue`), a private game with its partner (`host` creates and hands the invite code over,
// `guest` joins), or a rematch of the game that ended. Everything it does is re-derived from the
// snapshots it receives, so a resume on another gateway simply continues.
import { isFinished, legalMoves } from '../../shared/rules.js';
import { seatOf, type GameSnapshot } from '../../shared/protocol.js';
import type { Outgoing, RequestError } from '../../shared/client/types.js';
import { classifyState, keeps } from '../../shared/client/versions.js';
import { isDisconnected, type BotConnection, type BotHandlers, type Welcome } from './connection.js';

export type NewGame = 'queue' | 'host' | 'guest' | 'rematch';

export interface PlayerBotOptions {
  conn: BotConnection;
  newGame: NewGame;
  /** Pause before each move, in ms (a function for jitter). */
  thinkMs: () => number;
  /** The partner of a private pair: the host hands it the invite code. */
  partner?: PlayerBot;
  onMoveAcked?(ms: number, gameId: string, version: number): void;
  /** Called once per finished game, by the bot seated X. */
  onGameCompleted?(game: GameSnapshot): void;
  onError?(code: string): void;
}

export class PlayerBot implements BotHandlers {
  game: GameSnapshot | null = null;
  private running = true;
  private seeking = false;
  private moveTimer: NodeJS.Timeout | null = null;
  /** The version of the snapshot the last move was chosen on: never move twice on one version. */
  private movedOn = '';
  /** The snapshot the think time was spent on. */
  private thought = '';
  private midSeq = 0;
  private readonly counted = new Set<string>();
  private code: string | null = null;
  /** The guest's invite code already joined (or refused): not joined twice. */
  private joined: string | null = null;

  constructor(readonly o: PlayerBotOptions) { o.conn.handlers = this; }

  get conn(): BotConnection { return this.o.conn; }
  start(): void { this.o.conn.start(); }

  /** No new move or game from now on; a pending move still completes. */
  pause(): void {
    this.running = false;
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.moveTimer = null;
  }

  stop(): void {
    this.running = false;
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.o.conn.stop();
  }

  welcome(w: Welcome): void {
    if (!this.running) return;
    // resumed: the unfinished game's snapshot follows; otherwise look for a game (a game this bot
    // still thought unfinished ended while it was away: on time, abandoned, or an invite expired)
    if (!w.games.length) {
      if (this.game && !isFinished(this.game.status)) this.game = null;
      // the queue forgets a player whose last socket closed: queue again, even with a queue request
      // still pending (its resend may be answered from the first application, without queueing again)
      if (this.o.newGame === 'queue') this.seeking = false;
      this.seek();
    }
  }

  notice(): void { /* the state that follows a notice is what counts */ }

  state(g: GameSnapshot, reset: boolean): void {
    const cur = this.game;
    if (cur && g.id === cur.id) {
      const arrival = classifyState(cur.version, g.version, reset);
      if (!keeps(arrival)) return;
      if (arrival === 'rolled-back') this.movedOn = ''; // the version it moved on is gone: it may move on it again
    } else {
      if (isFinished(g.status) || !seatOf(g, this.o.conn.playerId)) return; // not a game to play
    }
    this.game = g;
    this.act();
  }

  private act(): void {
    const g = this.game;
    if (!g || !this.running) return;
    const seat = seatOf(g, this.o.conn.playerId);
    if (isFinished(g.status)) {
      if (!this.counted.has(g.id)) {
        this.counted.add(g.id);
        if (seat === 'X') this.o.onGameCompleted?.(g);
        this.seek();
      }
      return;
    }
    if (g.status === 'waiting') {
      if (this.o.newGame === 'host' && g.code && g.code !== this.code) { this.code = g.code; this.o.partner?.join(g.code); }
      return;
    }
    if (g.turn !== seat || this.o.conn.movePending || this.moveTimer) return;
    const key = `${g.id}@${g.version}`;
    if (this.movedOn === key) return;
    const think = this.thought === key ? 0 : this.o.thinkMs();
    if (think <= 0) { this.move(g, key); return; }
    this.moveTimer = setTimeout(() => { this.moveTimer = null; this.thought = key; this.act(); }, think);
  }

  private move(g: GameSnapshot, key: string): void {
    this.movedOn = key;
    const cells = legalMoves(g.board);
    const cell = cells[Math.floor(Math.random() * cells.length)];
    const mid = `${this.o.conn.label}:${++this.midSeq}`;
    this.o.conn.move(g.id, cell, mid).then((r) => {
      if (r.ok) this.o.onMoveAcked?.(performance.now() - r.firstSentAt, g.id, r.version);
      this.act();
    });
  }

  /** Starts the next game the way this bot does. */
  private seek(): void {
    if (!this.running || this.seeking || !this.o.conn.welcomed) return;
    const g = this.game;
    if (this.o.newGame === 'guest') { if (this.code && this.code !== this.joined) this.join(this.code); return; } // the host hands over codes
    let req: Outgoing;
    if (this.o.newGame === 'queue') req = { t: 'queue' };
    else if (this.o.newGame === 'host') req = { t: 'create' };
    else if (g && isFinished(g.status)) req = { t: 'rematch', gameId: g.id };
    else return;
    this.seeking = true;
    // the client resends it (same idem) across lost sockets until it is answered
    this.o.conn.request(req).then((a) => {
      this.seeking = false;
      if (this.o.newGame === 'host' && a.code && a.code !== this.code) {
        this.code = a.code;
        this.o.partner?.join(a.code);
      }
    }, (e: RequestError) => {
      this.seeking = false;
      if (!isDisconnected(e)) this.o.onError?.(e.code);
    });
  }

  /** The guest of a private pair joins the game behind an invite code (again after a resume). */
  join(code: string): void {
    this.code = code;
    if (!this.running || !this.o.conn.welcomed) return;
    if ((this.game && !isFinished(this.game.status)) || this.joined === code) return;
    this.joined = code;
    this.o.conn.request({ t: 'join', code }).catch((e: RequestError) => {
      if (!isDisconnected(e)) this.o.onError?.(e.code);
    });
  }
}
