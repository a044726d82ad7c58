// The games of the chaos experiment's bots: classic quick matches, mixed (unless --classic-only)
// with a three-player variant's queue and games against the computer, so that the faults also land
// on eliminations, queues of three and the computer's claimed turns.
import { parseVariantName, type Variant } from '../../shared/variant.js';
import type { NewGame } from '../bot/player.js';

const MIXED_GROUP = parseVariantName('7x7k4p3')!;
const COMPUTER_BOARDS: (Variant | undefined)[] = [undefined, parseVariantName('9x9k4p2')!];

/** How the i-th player finds its games: classic quick match, or (mixed) a variant's queue or the computer. */
export function roleOf(i: number, mix: boolean): { newGame: NewGame; variant?: Variant } {
  const slot = i % 10;
  if (!mix || slot < 6) return { newGame: 'queue' };
  if (slot < 9) return { newGame: 'queue', variant: MIXED_GROUP };
  return { newGame: 'computer', variant: COMPUTER_BOARDS[Math.floor(i / 10) % COMPUTER_BOARDS.length] };
}
