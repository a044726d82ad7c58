// What each seat card of a game shows, as data (no DOM): who sits there, whether it is the viewer,
// the computer, out of the game, on turn or the winner, and whether the player is online.
import type { GameSnapshot } from '../../shared/protocol.js';
import type { Mark } from '../../shared/rules.js';
import { seatsOf } from '../../shared/variant.js';
import { variantOf } from './variants.js';

export type Presence = Partial<Record<Mark, boolean>>;

export interface SeatCard {
  mark: Mark;
  /** The player's name, or "Open seat". */
  name: string;
  open: boolean;
  you: boolean;
  computer: boolean;
  out: boolean;
  toMove: boolean;
  winner: boolean;
  /** Undefined: not known, or not worth saying (an open seat, the computer: always there). */
  online: boolean | undefined;
  /** The short words under the name, e.g. ["you", "to move"]: every state is said in text, not by colour alone. */
  tags: string[];
}

/** The cards of a game's seats, in turn order (X, O, then Y and Z with three and four players). */
export function seatCards(g: GameSnapshot, viewer: Mark | null, presence: Presence | undefined): SeatCard[] {
  const out = g.out ?? [];
  return seatsOf(variantOf(g).players).map((mark) => {
    const p = g.players[mark] ?? null;
    const computer = p?.computer === true;
    const card = {
      mark, name: p ? p.name : 'Open seat', open: !p, you: viewer === mark, computer, out: out.includes(mark),
      toMove: g.status === 'playing' && g.turn === mark, winner: g.status === 'won' && g.winner === mark,
      online: p && !computer ? presence?.[mark] : undefined,
    };
    const tags = [card.you && 'you', computer && 'computer', card.out && 'out', card.toMove && 'to move', card.winner && 'winner']
      .filter((t): t is string => !!t);
    return { ...card, tags };
  });
}

/** The seats' online flags of a presence message or snapshot (any seat the server names; other keys are ignored). */
export function presenceOf(online: unknown): Presence | null {
  if (!online || typeof online !== 'object') return null;
  const found: Presence = {};
  for (const s of ['X', 'O', 'Y', 'Z'] as const) {
    const v = (online as Record<string, unknown>)[s];
    if (typeof v === 'boolean') found[s] = v;
  }
  return Object.keys(found).length ? found : null;
}
