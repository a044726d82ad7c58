// The sentences that go with each error code: short, for people; the code is for programs.
import type { ErrorCode, ServerMessage } from '../../shared/protocol.js';

export const ERROR_TEXT: Record<ErrorCode, string> = {
  HELLO_FIRST: 'Say hello first: the first message must be {"t":"hello","v":1}.',
  UNSUPPORTED_VERSION: 'This gateway speaks protocol version 1 only.',
  BAD_MESSAGE: 'The message is malformed.',
  NOT_FOUND: 'There is no such game or invite code.',
  GAME_FULL: 'Every seat of that game is taken.',
  NOT_A_PLAYER: 'You do not hold a seat in that game.',
  NOT_YOUR_TURN: 'It is not your turn.',
  CELL_TAKEN: 'That cell is already taken.',
  BAD_CELL: 'Cells are numbered 0 to rows x cols - 1 (0 to 8 on the classic board).',
  GAME_OVER: 'That game is over.',
  GAME_IN_PROGRESS: 'That game is not finished yet.',
  ALREADY_IN_GAME: 'You already have an unfinished game.',
  RATE_LIMITED: 'Too many messages: slow down.',
  UNAVAILABLE: 'The game service is unreachable right now; try again in a moment.',
  INTERNAL: 'Something went wrong on our side.',
  BAD_VARIANT: 'A variant has integer rows and cols (3-19), k (3 to the longer side) and players (2-4).',
};

/** A server frame as sent: every frame the gateway builds is checked against the contract's ServerMessage. */
export const frameOf = (msg: ServerMessage): string => JSON.stringify(msg);

export const errorFrame = (code: ErrorCode, rid?: string, message?: string): string =>
  frameOf(rid === undefined ? { t: 'error', code, message: message ?? ERROR_TEXT[code] } : { t: 'error', rid, code, message: message ?? ERROR_TEXT[code] });
