// The wire contract (docs/PROTOCOL.md): message types, their validation, error and close codes.
// Shared by the gateway, the page and the bots. Validation is zod; unknown fields are allowed
// (the contract is additive).
import { z } from 'zod';
import type { Mark, Reason, Status } from './rules.js';
import { isVariant, type Variant } from './variant.js';
import type { ErrorCode } from './wire.js';

export {
  CLOSE, ERROR_CODES, HELLO_TIMEOUT_MS, MAX_FRAME_BYTES, NAME_MAX, NO_RECONNECT_CLOSES, PROTOCOL_VERSION, sanitizeName, seatOf,
  type ErrorCode,
} from './wire.js';

// String lengths are counted in code points (zod's rule), for every field and the rid echo alike.
const ridString = z.string().min(1).max(64);
const rid = ridString.optional();
const id = z.string().min(1).max(64);
// Any JSON number, including one too large for a double (JSON.parse gives Infinity): `v` other than
// 1 is UNSUPPORTED_VERSION, not BAD_MESSAGE. `cell`: any integer, however large (out of 0..8 is
// BAD_CELL, decided by the move command); zod's int() would refuse integers beyond 2^53.
const anyNumber = z.custom<number>((x) => typeof x === 'number', { message: 'Expected a number' });
const integer = z.custom<number>((x) => Number.isInteger(x), { message: 'Expected an integer' });
/** A state change's idempotency key (like a move's `mid`): a resend with the same one is answered as the first time. */
const idem = z.string().min(1).max(64).optional();
/** Checked after the rest of the message (BAD_VARIANT, not BAD_MESSAGE): see parseClientMessage. */
const variant = z.custom<Variant>(() => true).optional();

export const clientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), rid, v: anyNumber, token: z.string().max(512).optional(), name: z.string().max(256).optional() }),
  z.object({ t: z.literal('queue'), rid, idem, variant }),
  z.object({ t: z.literal('unqueue'), rid, idem }),
  z.object({ t: z.literal('create'), rid, idem, variant, vs: z.literal('computer').optional() }),
  z.object({ t: z.literal('join'), rid, idem, code: z.string().min(1).max(32) }),
  z.object({ t: z.literal('watch'), rid, gameId: id }),
  z.object({ t: z.literal('unwatch'), rid, gameId: id }),
  z.object({ t: z.literal('move'), rid, gameId: id, cell: integer, mid: z.string().min(1).max(64) }),
  z.object({ t: z.literal('resign'), rid, idem, gameId: id }),
  z.object({ t: z.literal('rematch'), rid, idem, gameId: id }),
  z.object({ t: z.literal('ping'), rid }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;
export type ClientType = ClientMessage['t'];
export const CLIENT_TYPES: readonly ClientType[] = clientMessage.options.map((o) => o.shape.t.value);

export type Parsed =
  | { ok: true; msg: ClientMessage }
  | { ok: false; code: ErrorCode; message: string; rid?: string; t?: string };

const isRid = (v: unknown): v is string => ridString.safeParse(v).success;

/** The valid rid a frame carries, if any: for answers given before validation (RATE_LIMITED). Never throws. */
export function ridOf(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && isRid((v as Record<string, unknown>).rid) ? (v as Record<string, string>).rid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Validates one text frame. Never throws. An error echoes the rid when the frame carried a valid
 * one, whatever else is wrong with it.
 */
/** 1 to 64 UTF-16 code units: then also 1 to 64 code points (the schema's rule), whatever the text. */
const short = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 64;

/**
 * A move the schema accepts, checked by hand: the commonest message (one per move, on the gateway's
 * hot path). Null for anything else, left to the schema (which also words the errors).
 */
function validMove(o: Record<string, unknown>): ClientMessage | null {
  const { rid, gameId, cell, mid } = o;
  if (!short(gameId) || !short(mid) || typeof cell !== 'number' || !Number.isInteger(cell)) return null;
  if (rid === undefined) return { t: 'move', gameId, cell, mid };
  return short(rid) ? { t: 'move', rid, gameId, cell, mid } : null;
}

export function parseClientMessage(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'BAD_MESSAGE', message: 'The message is not valid JSON.' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, code: 'BAD_MESSAGE', message: 'The message must be a JSON object.' };
  }
  const obj = value as Record<string, unknown>;
  const fast = obj.t === 'move' ? validMove(obj) : null;
  if (fast) return { ok: true, msg: fast };
  const r = isRid(obj.rid) ? obj.rid : undefined;
  const t = typeof obj.t === 'string' ? obj.t : undefined;
  if (t === undefined) return { ok: false, code: 'BAD_MESSAGE', message: 'The message has no type "t".', rid: r };
  if (!(CLIENT_TYPES as readonly string[]).includes(t)) {
    return { ok: false, code: 'BAD_MESSAGE', message: `Unknown message type "${t.slice(0, 32)}".`, rid: r };
  }
  const res = clientMessage.safeParse(obj);
  if (!res.success) {
    const issue = res.error.issues[0];
    const path = issue?.path.join('.') || 'message';
    return { ok: false, code: 'BAD_MESSAGE', message: `Invalid field "${path}" in ${t}.`, rid: r, t };
  }
  const msg = res.data;
  if ((msg.t === 'create' || msg.t === 'queue') && msg.variant !== undefined && !isVariant(msg.variant)) {
    return { ok: false, code: 'BAD_VARIANT', message: 'A variant has integer rows and cols (3-19), k (3 to the longer side) and players (2-4).', rid: r, t };
  }
  return { ok: true, msg };
}

/** A seat's player; `computer` marks the computer opponent (additions of 2026-11-29). */
export interface PlayerRef { id: string; name: string; online?: boolean; computer?: boolean }

export interface GameSnapshot {
  id: string;
  code: string | null;
  /** Always present in snapshots of the additions of 2026-11-29; absent means classic. */
  variant?: Variant;
  board: string;
  turn: Mark | null;
  status: Status;
  winner: Mark | null;
  /** The K winning cells. */
  line: number[] | null;
  reason: Reason | null;
  /** A key per seat of the variant (X and O for two players; Y, Z for three and four). */
  players: Partial<Record<Mark, PlayerRef | null>> & { X: PlayerRef | null; O: PlayerRef | null };
  /** Seats that are out (more than two players): additive, absent when none. */
  out?: Mark[];
  version: number;
  deadline: number | null;
}

export type ServerMessage =
  | { t: 'welcome'; player: { id: string; name: string }; token: string; gateway: string; resumed: boolean; games: string[] }
  /** `reset` (additive): replace what is held of the game with this snapshot, even at a lower version (the first state after following a game; a rollback). */
  | { t: 'state'; game: GameSnapshot; reset?: true }
  | { t: 'ok'; rid?: string; gameId?: string; code?: string; version?: number }
  | { t: 'error'; rid?: string; code: ErrorCode; message: string }
  | { t: 'matched'; gameId: string }
  | { t: 'rematch'; from: string; gameId: string }
  /** Additive: whether each seat's player is online now (a presence change is not a game change: no version). */
  | { t: 'presence'; gameId: string; online: Partial<Record<Mark, boolean>> }
  | { t: 'pong'; rid?: string };
