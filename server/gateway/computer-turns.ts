// The computer opponent's turns. Nothing of the computer lives in a process: when the turn passes
// to a computer seat, the script that passed it sets the game's computer rule (hash field `c`, a
// time rule like the turn clock, due at once). Whichever gateway's expire call finds it due claims
// it (the script pushes `c` one lease ahead and hands back the snapshot: one caller wins), computes
// the move here and applies it through the ordinary move script as the computer's player, with mid
// `cpu:VERSION`: a second gateway after a lapsed lease, or a retry, is answered from the move's
// idempotency record and changes nothing. If the claimer dies mid-thought the lease
// (COMPUTER_LEASE_MS) lapses and any sweep claims it again. The gateway whose command passed the
// turn claims it at once (nudge), so the computer usually moves within a few ms; a sweep (SWEEP_MS)
// is the fallback.
import type { Logger } from 'pino';
import { computerMove, seededRng } from '../../shared/computer.js';
import type { GameSnapshot } from '../../shared/protocol.js';
import type { GameState, Mark } from '../../shared/rules.js';
import { CLASSIC } from '../../shared/variant.js';
import { errText } from '../log.js';
import type { FinishReason, Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

/** The store as the computer uses it: the claim (inside `expire`) and the move script. */
export type ComputerStore = Pick<Store, 'expire' | 'move'>;

/** Cells the heuristic scores at most per move, and its wall-clock budget (the contract: a move within 1 s). */
const MAX_NODES = 1000;
const THINK_BUDGET_MS = 50;

export interface ComputerTurnDeps {
  store: ComputerStore;
  metrics: Pick<Metrics, 'computerMoves' | 'computerThinkSeconds' | 'moves' | 'gamesFinished'>;
  log: Logger;
  /** Keeps the gateway's drain waiting for a turn in flight. */
  track(p: Promise<unknown>): void;
  /** A ms clock, for the think budget (the gateway's clock). */
  now(): number;
}

/** The rules' view of a snapshot (a snapshot without `variant` is a classic game). */
export function stateOf(g: GameSnapshot): GameState {
  return {
    variant: g.variant ?? CLASSIC, board: g.board, status: g.status === 'won' || g.status === 'draw' ? g.status : 'playing',
    turn: g.turn, winner: g.winner, line: g.line, reason: g.reason, out: g.out ?? [],
  };
}

/** A 32-bit seed from a game and version: the same turn thinks the same way on any gateway. */
export function seedOf(gameId: string, version: number): number {
  let h = 2166136261;
  for (const ch of `${gameId}@${version}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

export class ComputerTurns {
  /** Solved classic positions, kept for the process' life: every classic move after the first game is a lookup. */
  private readonly memo = new Map<number, number>();

  constructor(private readonly d: ComputerTurnDeps) {}

  /**
   * The fast path: a move just passed the turn to a computer seat, so this gateway tries to claim
   * it at once rather than wait for a sweep (the claim makes it harmless if a sweep also does).
   */
  nudge(gameId: string): void {
    this.d.track(this.d.store.expire(gameId).then((r) => (r && typeof r === 'object' && 'computer' in r ? this.play(r.computer) : undefined))
      .catch((e: unknown) => { this.d.log.debug({ gameId, err: errText(e) }, 'computer turn not played here; a sweep will claim it'); }));
  }

  /**
   * Plays the claimed turn of `g`; a failure leaves it to the lease (another sweep claims it again).
   * When the turn passes to another computer seat, claims that one at once too.
   */
  async play(g: GameSnapshot): Promise<void> {
    const { d } = this;
    const seat = g.turn as Mark | null;
    const player = seat ? g.players[seat] : null;
    if (g.status !== 'playing' || !seat || !player?.computer) return;
    const started = d.now();
    const t0 = performance.now(); // the metric's precision (the budget's clock may tick in whole ms)
    const mv = computerMove(stateOf(g), {
      rng: seededRng(seedOf(g.id, g.version)), memo: this.memo, maxNodes: MAX_NODES, now: d.now, deadline: started + THINK_BUDGET_MS,
    });
    const thoughtMs = performance.now() - t0;
    d.metrics.computerThinkSeconds.observe(thoughtMs / 1000);
    const r = await d.store.move(player.id, g.id, mv.cell, `cpu:${g.version}`);
    if (!r.ok) {
      // the game moved on (a resignation, a time rule) since the claim: nothing to play
      d.log.debug({ gameId: g.id, version: g.version, code: r.code }, 'computer move refused');
      return;
    }
    if (!r.status) return; // applied before by another claimer: counted there
    if (r.computerTurn) this.nudge(g.id);
    d.metrics.moves.inc();
    d.metrics.computerMoves.inc({ reason: mv.reason });
    const finished: FinishReason | null = r.status === 'won' ? 'line' : r.status === 'draw' ? 'draw' : null;
    if (finished) d.metrics.gamesFinished.inc({ reason: finished });
    d.log.debug({ gameId: g.id, version: r.version, seat, cell: mv.cell, reason: mv.reason, nodes: mv.nodes, ms: Math.round(thoughtMs * 100) / 100 }, 'computer moved');
  }
}
