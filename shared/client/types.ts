// The client library's vocabulary: what goes out (requests, without rid), what comes back (the
// welcome, `ok` answers, pushed messages) and how a request fails. Types only from the wire
// contract, so that nothing of zod reaches the page's bundle.
import type { ClientMessage, GameSnapshot, ServerMessage } from '../protocol.js';
import type { ErrorCode } from '../wire.js';

export type Welcome = Extract<ServerMessage, { t: 'welcome' }>;
export type OkAnswer = Extract<ServerMessage, { t: 'ok' }>;

type Request = Exclude<ClientMessage, { t: 'hello' | 'ping' }>;
/** A request as the caller writes it: the client adds `rid` (and `idem` where it is missing). */
export type Outgoing = Request extends infer M ? (M extends Request ? Omit<M, 'rid'> : never) : never;
/** A request as it goes on the wire, byte for byte the same on every send. */
export type SentRequest = Outgoing & { rid: string };

/**
 * The state changes that carry an idempotency key (docs/PROTOCOL.md, additions of 2026-11-29):
 * the client gives each a fresh `idem` when the caller sends it, so that a resend is harmless.
 * (`move` has its own key, `mid`, chosen by the caller.)
 */
export const IDEM_TYPES: ReadonlySet<string> = new Set(['create', 'join', 'queue', 'unqueue', 'resign', 'rematch']);

/** A `state` frame: `reset` replaces what the receiver holds, even at a lower version (versions.ts). */
export interface StateFrame { t: 'state'; game: GameSnapshot; reset?: boolean }

/** A message the gateway sends on its own (state, matched, rematch, presence, an error without rid, or a type this client does not know). */
export type Push = { t: string } & Record<string, unknown>;

export type Phase = 'connecting' | 'connected' | 'reconnecting' | 'closed';
/** `gateway`: the id of the gateway of the last welcome; `closeCode`: of the last socket lost. */
export interface ConnState { phase: Phase; gateway: string | null; closeCode: number | null }

/** Failures that come from the client itself, not from a gateway. */
export type ClientFailure = 'DISCONNECTED' | 'TIMEOUT' | 'STOPPED';

/** A request that failed for good: a wire error code, or a failure of the client itself. */
export class RequestError extends Error {
  constructor(readonly code: ErrorCode | ClientFailure, message: string) { super(message); }
}
