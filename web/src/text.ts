// Every sentence the page shows about a game or an error. Pure functions of the model, so that the
// wording lives in one place and never leaks raw JSON or codes to a player.
import type { GameSnapshot } from '../../shared/protocol.js';
import type { Mark } from '../../shared/rules.js';
import type { ConnState } from '../../shared/client/types.js';
import { seatsOf } from '../../shared/variant.js';
import { inARow, numberWord, variantOf } from './variants.js';

const ERRORS: Record<string, string> = {
  NOT_FOUND: 'No game waits with that invite code.',
  GAME_FULL: 'Every seat of that game is taken.',
  BAD_VARIANT: 'That board size or player count is not allowed.',
  NOT_A_PLAYER: 'You are not playing in that game.',
  NOT_YOUR_TURN: 'It is not your turn.',
  CELL_TAKEN: 'That cell is already taken.',
  BAD_CELL: 'That is not a cell of the board.',
  GAME_OVER: 'That game is over.',
  GAME_IN_PROGRESS: 'That game is not finished yet.',
  ALREADY_IN_GAME: 'You already have a game in progress.',
  RATE_LIMITED: 'Slow down a little and try again.',
  UNAVAILABLE: 'The game service is busy right now. Try again in a moment.',
  DISCONNECTED: 'The connection dropped. Please try again.',
  TIMEOUT: 'The server did not answer in time. Please try again.',
};

/** A short sentence for an error code; never the server's raw text or JSON. */
export function errorSentence(code: string): string {
  return ERRORS[code] ?? 'Something went wrong. Please try again.';
}

const nameOf = (g: GameSnapshot, m: Mark): string => g.players[m]?.name ?? m;
const outOf = (g: GameSnapshot): readonly Mark[] => g.out ?? [];

/** What the status live region says about a game, from the viewer's seat (null: a spectator). */
export function gameSentence(g: GameSnapshot, seat: Mark | null): string {
  const v = variantOf(g);
  switch (g.status) {
    case 'waiting': {
      if (v.players === 2) return seat ? (g.code ? `Waiting for an opponent. Invite code: ${g.code}.` : 'Waiting for an opponent.') : 'Waiting for a second player.';
      const open = seatsOf(v.players).filter((s) => !g.players[s]).length;
      const more = `Waiting for ${numberWord(open)} more player${open === 1 ? '' : 's'}.`;
      return seat && g.code ? `${more} Invite code: ${g.code}.` : more;
    }
    case 'playing': {
      const t = g.turn!;
      if (seat === t) return `Your turn. You play ${t}.`;
      if (seat) return `${outOf(g).includes(seat) ? 'You are out. ' : ''}${nameOf(g, t)}'s turn (${t}).`;
      return `${nameOf(g, t)} to play (${t}).`;
    }
    case 'draw':
      return 'Draw: the board is full.';
    case 'aborted':
      return 'Game cancelled.';
    case 'won': {
      const w = g.winner!;
      // a win on time, by resignation or abandonment: the last opponent still in is the one who left
      const leaver = !g.reason || g.reason === 'line' ? undefined : seatsOf(v.players).find((s) => s !== w && !outOf(g).includes(s));
      const why = leaver ? leftSentence(g.reason, nameOf(g, leaver)) : `${inARow(v)}.`;
      if (seat === w) return `You won! ${why}`;
      if (seat && seat === leaver) return `You lost. ${reasonForLoser(g.reason)}`;
      if (seat && !leaver) return `You lost. ${nameOf(g, w)} got ${numberWord(v.k)} in a row.`;
      if (seat) return `You lost. ${nameOf(g, w)} (${w}) won. ${why}`;
      return `${nameOf(g, w)} (${w}) won. ${why}`;
    }
  }
}

function leftSentence(reason: GameSnapshot['reason'], leaver: string): string {
  switch (reason) {
    case 'timeout': return `${leaver} ran out of time.`;
    case 'abandoned': return `${leaver} left the game.`;
    default: return `${leaver} resigned.`;
  }
}

function reasonForLoser(reason: GameSnapshot['reason']): string {
  switch (reason) {
    case 'timeout': return 'You ran out of time.';
    case 'abandoned': return 'You were away too long.';
    default: return 'You resigned.';
  }
}

/** The connection line of the header. */
export function connectionSentence(c: ConnState): string {
  switch (c.phase) {
    case 'connecting': return 'Connecting…';
    case 'connected': return 'Connected';
    case 'reconnecting': return 'Reconnecting…';
    case 'closed': return c.closeCode === 1009 ? 'Disconnected: message too large. Reload the page.' : 'Disconnected by the server. Reload the page.';
  }
}

/** "0:27" for a turn clock. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
