// The variants the page offers and the words it uses for them. Pure (no DOM): the lobby's picker,
// the status sentences and the game view take their wording from here, and the unit tests check it.
import type { GameSnapshot } from '../../shared/protocol.js';
import { CLASSIC, isClassic, isVariant, VARIANT_BOUNDS, type Variant } from '../../shared/variant.js';

export interface Preset { id: string; label: string; variant: Variant }

/** The picker's choices besides "Custom size", in the order shown. */
export const PRESETS: readonly Preset[] = [
  { id: 'classic', label: 'Classic 3x3', variant: CLASSIC },
  { id: '4x4p3', label: '4x4, three players', variant: { rows: 4, cols: 4, k: 3, players: 3 } },
  { id: '5x5p4', label: '5x5, four players', variant: { rows: 5, cols: 5, k: 3, players: 4 } },
  { id: 'gomoku', label: 'Gomoku 15x15', variant: { rows: 15, cols: 15, k: 5, players: 2 } },
];
export const CUSTOM_ID = 'custom';

/** The variant of a snapshot: an old server sends none, and its games are classic. */
export const variantOf = (g: GameSnapshot): Variant => g.variant ?? CLASSIC;

export const sameVariant = (a: Variant, b: Variant): boolean =>
  a.rows === b.rows && a.cols === b.cols && a.k === b.k && a.players === b.players;

/** The preset a variant is, or null (a custom size). */
export const presetOf = (v: Variant): Preset | null => PRESETS.find((p) => sameVariant(p.variant, v)) ?? null;

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** "three" for 3, "12" for 12: small counts read better as words. */
export const numberWord = (n: number): string => WORDS[n] ?? String(n);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "Three in a row." (the reason a line won), from the variant's K. */
export const inARow = (v: Variant): string => `${capital(numberWord(v.k))} in a row`;

/** The variant's name as the page shows it: a preset's label, else e.g. "6x7, four in a row, three players". */
export function variantTitle(v: Variant): string {
  const p = presetOf(v);
  if (p) return p.label;
  return `${v.rows}x${v.cols}, ${numberWord(v.k)} in a row${v.players > 2 ? `, ${numberWord(v.players)} players` : ''}`;
}

/** The line under a non-classic game's title: its rules in a few words (null for the classic game). */
export function variantRules(v: Variant): string | null {
  if (isClassic(v)) return null;
  const who = v.players > 2 ? `${numberWord(v.players)} players` : 'two players';
  return `${v.rows}x${v.cols} board · ${numberWord(v.k)} in a row wins · ${who}`;
}

/** What the custom-size fields hold, as typed. */
export interface CustomFields { rows: string; cols: string; k: string; players: string }

const B = VARIANT_BOUNDS;
export const CUSTOM_RULE = `Rows and columns ${B.minSide}-${B.maxSide}, in a row ${B.minK} up to the longer side, players ${B.minPlayers}-${B.maxPlayers}.`;

/** The custom size, or a sentence saying what is wrong with it. */
export function parseCustom(f: CustomFields): { ok: true; variant: Variant } | { ok: false; sentence: string } {
  const num = (s: string) => (/^\s*\d{1,3}\s*$/.test(s) ? Number(s) : NaN);
  const v = { rows: num(f.rows), cols: num(f.cols), k: num(f.k), players: num(f.players) };
  return isVariant(v) ? { ok: true, variant: v } : { ok: false, sentence: CUSTOM_RULE };
}
