// Game variants (wire contract, additions of 2026-11-29): an R x C board, K in a row, N players.
// Pure and dependency-free: used by the validator, the gateway, the page and the bots.

export interface Variant { rows: number; cols: number; k: number; players: number }

export const CLASSIC: Readonly<Variant> = Object.freeze({ rows: 3, cols: 3, k: 3, players: 2 });
export const VARIANT_BOUNDS = { minSide: 3, maxSide: 19, minK: 3, minPlayers: 2, maxPlayers: 4 } as const;

const int = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** Whether `v` is an object with the four integer fields within the contract's bounds (other fields are ignored). */
export function isVariant(v: unknown): v is Variant {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const { rows, cols, k, players } = v as Record<string, unknown>;
  const b = VARIANT_BOUNDS;
  return int(rows) && int(cols) && int(k) && int(players)
    && rows >= b.minSide && rows <= b.maxSide && cols >= b.minSide && cols <= b.maxSide
    && k >= b.minK && k <= Math.max(rows, cols) && players >= b.minPlayers && players <= b.maxPlayers;
}

/** Only the four fields, as numbers (what is stored and echoed in snapshots). */
export const normalizeVariant = (v: Variant): Variant => ({ rows: v.rows, cols: v.cols, k: v.k, players: v.players });

/** A stable name for a variant, e.g. `15x15k5p2` (queue grouping, bots' --variant). */
export const variantName = (v: Variant): string => `${v.rows}x${v.cols}k${v.k}p${v.players}`;

/** Parses `RxCkKpN` (as variantName writes it); null when malformed or out of bounds. */
export function parseVariantName(s: string): Variant | null {
  const m = /^(\d+)x(\d+)k(\d+)p(\d+)$/.exec(s);
  if (!m) return null;
  const v = { rows: Number(m[1]), cols: Number(m[2]), k: Number(m[3]), players: Number(m[4]) };
  return isVariant(v) ? v : null;
}

export const isClassic = (v: Variant): boolean => v.rows === 3 && v.cols === 3 && v.k === 3 && v.players === 2;

/** The seats of an N-player game in turn order. */
export const seatsOf = (players: number): ('X' | 'O' | 'Y' | 'Z')[] => (['X', 'O', 'Y', 'Z'] as const).slice(0, players);
