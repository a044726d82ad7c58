// Every sentence the page shows about a game or an error. Pure functions of the model, so that the
// wording lives in one place and never leaks raw JSON or codes to a player.
import type { GameSnapshot } from '../../shared/protocol.js';
import type { Mark } from '../../shared/rules.js';
import type { ConnState } from '../../shared/client/types.js';

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

/** What the status live region says about a game, from the viewer's seat (null: a spectator). */
export function gameSentence(g: GameSnapshot, seat: Mark | null): string {
  switch (g.status) {
    case 'waiting':
      return seat ? (g.code ? `Waiting for an opponent. Invite code: ${g.code}.` : 'Waiting for an opponent.') : 'Waiting for a second player.';
    case 'playing': {
      const t = g.turn!;
      if (seat === t) return `Your turn. You play ${t}.`;
      if (seat) return `${nameOf(g, t)}'s turn (${t}).`;
      return `${nameOf(g, t)} to play (${t}).`;
    }
    case 'draw':
      return 'Draw: the board is full.';
    case 'aborted':
      return 'Game cancelled.';
    case 'won': {
      const w = g.winner!;
      const l: Mark = w === 'X' ? 'O' : 'X';
      if (seat === w) return `You won! ${reasonForWinner(g.reason, nameOf(g, l))}`;
      if (seat === l) return `You lost. ${reasonForLoser(g.reason, nameOf(g, w))}`;
      return `${nameOf(g, w)} (${w}) won. ${reasonForWinner(g.reason, nameOf(g, l))}`;
    }
  }
}

function reasonForWinner(reason: GameSnapshot['reason'], loser: string): string {
  switch (reason) {
    case 'resign': return `${loser} resigned.`;
    case 'timeout': return `${loser} ran out of time.`;
    case 'abandoned': return `${loser} left the game.`;
    default: return 'Three in a row.';
  }
}

function reasonForLoser(reason: GameSnapshot['reason'], winner: string): string {
  switch (reason) {
    case 'resign': return 'You resigned.';
    case 'timeout': return 'You ran out of time.';
    case 'abandoned': return 'You were away too long.';
    default: return `${winner} got three in a row.`;
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
