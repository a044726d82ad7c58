// The hook through which a bot or spectator tells what it did and saw: every move it sent (each
// attempt), every acknowledgement (with its version), every refusal, every snapshot, and its
// connections. The load scenarios run without one; the chaos history checker records everything.
import type { ErrorCode, GameSnapshot } from '../../shared/protocol.js';

export interface MoveAttempt {
  gameId: string;
  cell: number;
  mid: string;
  /** 1 for the first send, then +1 with every resend (after a reconnect, a timeout or UNAVAILABLE). */
  attempt: number;
  rid: string;
  /** The gateway id the socket was welcomed by. */
  gateway: string;
}

export interface Recorder {
  /** A socket was welcomed (a new session or a resume): by which gateway, as which player, with how many unfinished games. */
  connected(observer: string, w: { gateway: string; playerId: string; resumed: boolean; games: number }, at: number): void;
  /** A socket was lost or refused; `gateway` is the id it had been welcomed by ('' if none). */
  disconnected(observer: string, gateway: string, code: number, at: number): void;
  sent(observer: string, move: MoveAttempt, at: number): void;
  acked(observer: string, move: MoveAttempt, version: number, at: number): void;
  /** A move answered by a definitive error (not a retryable UNAVAILABLE). */
  rejected(observer: string, move: MoveAttempt, code: ErrorCode | string, at: number): void;
  /** Any error answer (also retryable ones), for the report's error counts. */
  error(observer: string, code: ErrorCode | string, at: number): void;
  /** Every snapshot received; `reset`: the frame carried `"reset": true` (it replaces what is held, even at a lower version). */
  snapshot(observer: string, game: GameSnapshot, at: number, reset?: boolean): void;
}
