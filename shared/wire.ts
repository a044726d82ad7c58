// The part of the wire contract that has no dependency (no zod): constants, error and close codes,
// name sanitizing and seat lookup. The page imports these (and types) without pulling zod into its
// bundle; shared/protocol.ts re-exports all of it, so the server sees no difference.
import type { GameSnapshot } from './protocol.js';
import type { Mark } from './rules.js';

export const PROTOCOL_VERSION = 1;
export const MAX_FRAME_BYTES = 4096;
export const HELLO_TIMEOUT_MS = 10_000;
export const NAME_MAX = 24;

export const ERROR_CODES = [
  'HELLO_FIRST', 'UNSUPPORTED_VERSION', 'BAD_MESSAGE', 'NOT_FOUND', 'GAME_FULL', 'NOT_A_PLAYER',
  'NOT_YOUR_TURN', 'CELL_TAKEN', 'BAD_CELL', 'GAME_OVER', 'GAME_IN_PROGRESS', 'ALREADY_IN_GAME',
  'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL', 'BAD_VARIANT',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const CLOSE = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  RESTART: 1012,
} as const;

/** A client reconnects after any close but these. */
export const NO_RECONNECT_CLOSES: readonly number[] = [CLOSE.POLICY, CLOSE.TOO_BIG];

/** Trims and sanitizes a display name: no control or format characters, spaces folded, at most 24 characters. */
export function sanitizeName(raw: string | undefined): string {
  if (typeof raw !== 'string') return '';
  const cleaned = raw.normalize('NFC').replace(/\s+/gu, ' ').replace(/[\p{C}]/gu, '').trim();
  return [...cleaned].slice(0, NAME_MAX).join('').trim();
}

/** The seat a player holds in a game, if any. */
export function seatOf(game: GameSnapshot, playerId: string): Mark | null {
  for (const seat of ['X', 'O', 'Y', 'Z'] as const) if (game.players[seat]?.id === playerId) return seat;
  return null;
}
