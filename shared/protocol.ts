// The wire contract (docs/PROTOCOL.md): message types, their validation, error and close codes.
// Shared by the gateway, the page and the bots. Validation is zod; unknown fields are allowed
// (the contract is additive).
import { z } from 'zod';
import type { Mark, Reason, Status } from './rules.js';
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

export const clientMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), rid, v: anyNumber, token: z.string().max(512).optional(), name: z.string().max(256).optional() }),
  z.object({ t: z.literal('queue'), rid }),
  z.object({ t: z.literal('unqueue'), rid }),
  z.object({ t: z.literal('create'), rid }),
  z.object({ t: z.literal('join'), rid, code: z.string().min(1).max(32) }),
  z.object({ t: z.literal('watch'), rid, gameId: id }),
  z.object({ t: z.literal('unwatch'), rid, gameId: id }),
  z.object({ t: z.literal('move'), rid, gameId: id, cell: integer, mid: z.string().min(1).max(64) }),
  z.object({ t: z.literal('resign'), rid, gameId: id }),
  z.object({ t: z.literal('rematch'), rid, gameId: id }),
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
  return { ok: true, msg: res.data };
}

export interface PlayerRef { id: string; name: string; online?: boolean }

export interface GameSnapshot {
  id: string;
  code: string | null;
  board: string;
  turn: Mark | null;
  status: Status;
  winner: Mark | null;
  line: [number, number, number] | null;
  reason: Reason | null;
  players: { X: PlayerRef | null; O: PlayerRef | null };
  version: number;
  deadline: number | null;
}

export type ServerMessage =
  | { t: 'welcome'; player: { id: string; name: string }; token: string; gateway: string; resumed: boolean; games: string[] }
  | { t: 'state'; game: GameSnapshot }
  | { t: 'ok'; rid?: string; gameId?: string; code?: string; version?: number }
  | { t: 'error'; rid?: string; code: ErrorCode; message: string }
  | { t: 'matched'; gameId: string }
  | { t: 'rematch'; from: string; gameId: string }
  /** Additive: whether each seat's player is online now (a presence change is not a game change: no version). */
  | { t: 'presence'; gameId: string; online: { X: boolean; O: boolean } }
  | { t: 'pong'; rid?: string };
