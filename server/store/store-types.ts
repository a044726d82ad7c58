// What the Store's callers get back and pass in, and the decoding of script replies that is more
// than a line: kept apart from store.ts (the methods), which re-exports all of it.
import type { ErrorCode, GameSnapshot } from '../../shared/protocol.js';
import type { Mark } from '../../shared/rules.js';
import { isClassic, normalizeVariant, variantName, type Variant } from '../../shared/variant.js';
import { fsyncBarrier, type DurabilityBarrier } from './durability.js';
import { CLASSIC_QUEUE } from './keys.js';
import type { Publisher } from './outbox.js';
import type { Delivery } from './scripts.js';

/** `repeated`: a resend of a request already applied (same `idem`), answered as the first time; nothing changed. */
export type Result<T> = ({ ok: true; repeated?: true } & T) | { ok: false; code: ErrorCode | 'CODE_TAKEN' };

/**
 * How the store makes what it tells survive a Redis process' death (see durability.ts): the
 * barrier awaited after every change and every read whose result reaches a client, and how
 * changes reach watchers (scripts publish, or record in the outbox for the gateway to publish).
 */
export interface Durability {
  barrier: DurabilityBarrier;
  delivery: Delivery;
  /** How the gateway publishes (outbox delivery, republishing, notices); default PUBLISH on the store's client. */
  publisher?: Publisher;
}
export const FSYNC: Durability = { barrier: fsyncBarrier, delivery: 'publish' };

export interface StoreLimits {
  maxGamesPerPlayer: number;
  turnMs: number;
  abandonMs: number;
  inviteTtlMs: number;
  finishedTtlS: number;
  sessionTtlS: number;
  /** An unfinished game nobody changed for this long (s) is aborted (GAME_IDLE_TTL_S). */
  gameIdleTtlS: number;
}

/** What a new game is (additions of 2026-11-29): its variant (absent: classic) and whether the computer holds every seat but X. */
export interface GameSpec { variant?: Variant; vs?: 'computer' }


/**
 * A variant as the scripts take it: its JSON ('' for the classic game), the name of its queue
 * (RxCkKpN, the classic one's too) and its players per game.
 */
export function variantArgs(v: Variant | undefined): { json: string; name: string; players: number } {
  if (!v || isClassic(v)) return { json: '', name: CLASSIC_QUEUE, players: 2 };
  const n = normalizeVariant(v);
  return { json: JSON.stringify(n), name: variantName(n), players: n.players };
}

/** Time rules that end a game, as trine_games_finished_total counts them. */
export type FinishedBy = 'timeout' | 'abandoned' | 'expired' | 'idle';

/**
 * What one expire call did: the rule that ended the game; a seat that went out of a game that goes
 * on (more than two players); the computer's turn it claimed (the snapshot to move from, see
 * gateway/computer-turns.ts); or nothing.
 */
export type ExpireResult = FinishedBy | { out: Mark; reason: 'timeout' | 'abandoned' } | { computer: GameSnapshot } | null;

export function expireResult(r: unknown): ExpireResult {
  if (r === 'timeout' || r === 'abandoned' || r === 'expired' || r === 'idle') return r;
  if (!Array.isArray(r)) return null;
  if (r[0] === 'cpu') return { computer: JSON.parse(String(r[1])) as GameSnapshot };
  if (r[0] === 'out') return { out: r[1] as Mark, reason: r[2] as 'timeout' | 'abandoned' };
  return null;
}

/** A script's reply `{'OK'|'R', ...}` or `{'E', code}` as a Result; `ok` reads the rest. */
export function status<T>(reply: unknown[], ok: (r: unknown[]) => T): Result<T> {
  if (reply[0] === 'E') return { ok: false, code: reply[1] as ErrorCode | 'CODE_TAKEN' };
  return { ok: true, ...(reply[0] === 'R' ? { repeated: true as const } : {}), ...ok(reply) };
}

/** `computerTurn` (present only when true): the change passed the turn to the computer. */
export const computerTurn = (x: unknown[], at: number): { computerTurn?: true } => (x[at] === 'cpu' ? { computerTurn: true } : {});

/**
 * A computer's turn, once due, is claimed for this long (the claimer computes and moves within it);
 * if the claimer dies, the next sweep anywhere claims it again after it. With SWEEP_MS (200 by
 * default) the computer moves within this plus a sweep of its turn whatever gateway dies.
 */
export const COMPUTER_LEASE_MS = 500;
