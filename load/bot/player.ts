// A bot that plays: it follows the one unfinished game it holds, moves (a random empty cell of any
// variant, after an optional think time) as soon as it is its turn, and starts a new game when one
// ends or it is out of it: quick match (`queue`, of its variant), a private game with its partners
// (`host` creates and hands the invite code over, `guest` joins), a rematch of the game that ended,
// or a game against the computer (`computer`: a new one, or now and then a rematch). Everything it
// does is re-derived from the snapshots it receives, so a resume on another gateway simply continues.
import { isFinished, type Mark } from '../../shared/rules.js';
import { seatOf, type GameSnapshot } from '../../shared/protocol.js';
import { seatsOf, type Variant } from '../../shared/variant.js';
import type { Outgoing, RequestError } from '../../shared/client/types.js';
import { classifyState, keeps } from '../../shared/client/versions.js';
import { isDisconnected, type BotConnection, type BotHandlers, type Welcome } from './connection.js';

export type NewGame = 'queue' | 'host' | 'guest' | 'rematch' | 'computer';

/**
 * The shortest gap between two moves of one bot (ms): a gateway allows a connection 30 messages a
 * second on average (RATE_PER_S), and a bot playing the computer is answered within milliseconds;
 * 20 moves a second leaves room for the requests that start its games.
 */
const MIN_MOVE_GAP_MS = 50;

export interface PlayerBotOptions {
  conn: BotConnection;
  newGame: NewGame;
  /** Pause before each move, in ms (a function for jitter). */
  thinkMs: () => number;
  /** The guests of a private game: the host hands them the invite code. */
  partners?: PlayerBot[];
  /** The variant it queues for or creates (absent: the classic game). */
  variant?: Variant;
  onMoveAcked?(ms: number, gameId: string, version: number): void;
  /** How long after its move was acknowledged the next version of the game came (the opponent's answer: the computer's, in the computer scenario). */
  onAnswered?(ms: number): void;
  /** Called once per finished game, by the bot of the first person's seat still in (countedBy). */
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
  private lastMoveAt = -Infinity;
  /** The bot's last acknowledged move, until the game's next version arrives. */
  private awaiting: { gameId: string; version: number; at: number } | null = null;
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
    const a = this.awaiting;
    if (a && (g.id !== a.gameId || g.version > a.version)) {
      this.awaiting = null;
      if (g.id === a.gameId) this.o.onAnswered?.(performance.now() - a.at);
    }
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
    // out of a game of more than two players: it no longer holds that seat and plays another game
    const out = seat !== null && (g.out ?? []).includes(seat);
    if (isFinished(g.status) || out) {
      if (!this.counted.has(g.id)) {
        this.counted.add(g.id);
        if (isFinished(g.status) && seat === countedBy(g)) this.o.onGameCompleted?.(g);
        this.seek();
      }
      return;
    }
    if (g.status === 'waiting') {
      if (this.o.newGame === 'host' && g.code && g.code !== this.code) this.handOver(g.code);
      return;
    }
    if (g.turn !== seat || this.o.conn.movePending || this.moveTimer) return;
    const key = `${g.id}@${g.version}`;
    if (this.movedOn === key) return;
    const think = Math.max(this.thought === key ? 0 : this.o.thinkMs(), this.lastMoveAt + MIN_MOVE_GAP_MS - performance.now());
    if (think <= 0) { this.move(g, key); return; }
    this.moveTimer = setTimeout(() => { this.moveTimer = null; this.thought = key; this.act(); }, think);
  }

  private move(g: GameSnapshot, key: string): void {
    this.movedOn = key;
    this.lastMoveAt = performance.now();
    const cells = emptyCells(g.board);
    const cell = cells[Math.floor(Math.random() * cells.length)];
    const mid = `${this.o.conn.label}:${++this.midSeq}`;
    this.o.conn.move(g.id, cell, mid).then((r) => {
      if (r.ok) {
        this.o.onMoveAcked?.(performance.now() - r.firstSentAt, g.id, r.version);
        // a move that ended the game gets no answer; one already answered neither
        if (this.game?.id === g.id && this.game.version <= r.version && !isFinished(this.game.status)) this.awaiting = { gameId: g.id, version: r.version, at: performance.now() };
      }
      this.act();
    });
  }

  /** Starts the next game the way this bot does. */
  private seek(): void {
    if (!this.running || this.seeking || !this.o.conn.welcomed) return;
    const g = this.game;
    if (this.o.newGame === 'guest') { if (this.code && this.code !== this.joined) this.join(this.code); return; } // the host hands over codes
    const variant = this.o.variant ? { variant: this.o.variant } : {};
    let req: Outgoing;
    if (this.o.newGame === 'queue') req = { t: 'queue', ...variant };
    else if (this.o.newGame === 'host') req = { t: 'create', ...variant };
    else if (this.o.newGame === 'computer') {
      // now and then a rematch, so that seats rotate and the computer opens too
      req = g && isFinished(g.status) && Math.random() < 0.5 ? { t: 'rematch', gameId: g.id } : { t: 'create', vs: 'computer', ...variant };
    } else if (g && isFinished(g.status)) req = { t: 'rematch', gameId: g.id };
    else return;
    this.seeking = true;
    // the client resends it (same idem) across lost sockets until it is answered
    this.o.conn.request(req).then((a) => {
      this.seeking = false;
      if (this.o.newGame === 'host' && a.code && a.code !== this.code) this.handOver(a.code);
    }, (e: RequestError) => {
      this.seeking = false;
      if (!isDisconnected(e)) this.o.onError?.(e.code);
      // a refused rematch against the computer: a new game instead
      if (!isDisconnected(e) && this.o.newGame === 'computer' && req.t === 'rematch') { this.game = null; this.seek(); }
    });
  }

  private handOver(code: string): void {
    this.code = code;
    for (const p of this.o.partners ?? []) p.join(code);
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

const emptyCells = (board: string): number[] => {
  const cells: number[] = [];
  for (let i = 0; i < board.length; i++) if (board[i] === '.') cells.push(i);
  return cells;
};

/** The seat whose bot counts a finished game: the first seat held by a person and not out (else the first person's). */
export function countedBy(g: GameSnapshot): Mark | null {
  const people = seatsOf(g.variant?.players ?? 2).filter((s) => g.players[s] && !g.players[s]!.computer);
  return people.find((s) => !(g.out ?? []).includes(s)) ?? people[0] ?? null;
}
