// One handler per request type of the wire contract (after hello). Each calls one store command
// (one Lua script), answers ok or error, and joins the sender to the game's room where it gains a
// seat or follows a game; every other socket learns of it through pub/sub.
import type { Logger } from 'pino';
import type { ClientMessage, ErrorCode, ServerMessage } from '../../shared/protocol.js';
import { VARIANT_BOUNDS } from '../../shared/variant.js';
import type { FinishReason, Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { ComputerTurns } from './computer-turns.js';
import type { Conn } from './conn.js';
import { frameOf } from './messages.js';
import type { Rooms } from './rooms.js';

export interface CommandDeps {
  store: Store;
  rooms: Rooms;
  /** Claims a computer's turn at once when a command passed the turn to it (a sweep would, later). */
  computer: Pick<ComputerTurns, 'nudge'>;
  metrics: Metrics;
  log: Logger;
  newGameId(): string;
  newCode(): string;
  reply(conn: Conn, msg: ServerMessage): void;
  fail(conn: Conn, rid: string | undefined, code: ErrorCode, message?: string): void;
}

type Msg<T extends ClientMessage['t']> = Extract<ClientMessage, { t: T }>;
type Handler<T extends ClientMessage['t']> = (d: CommandDeps, c: Conn, m: Msg<T>) => Promise<Record<string, unknown> | void>;

/**
 * What a handler returns is logged with the command (gameId, version); `event` marks a step of a
 * game's story (created, joined, finished), logged at info level, the rest at debug.
 */
export const COMMANDS: { [T in Exclude<ClientMessage['t'], 'hello'>]: Handler<T> } = {
  async ping(d, c, m) {
    d.reply(c, { t: 'pong', rid: m.rid });
  },

  async queue(d, c, m) {
    const r = await d.store.queue(c.playerId!, c.name, d.newGameId(), m.idem, { variant: m.variant });
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    d.reply(c, { t: 'ok', rid: m.rid });
    if (r.matched) {
      if (!r.repeated) d.metrics.gamesCreated.inc({ kind: 'quick' });
      await joinSeat(d, c, r.matched, frameOf({ t: 'matched', gameId: r.matched }));
      return { gameId: r.matched, event: 'created', kind: 'quick' };
    }
  },

  async unqueue(d, c, m) {
    const r = await d.store.unqueue(c.playerId!, m.idem);
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    d.reply(c, { t: 'ok', rid: m.rid });
  },

  async create(d, c, m) {
    const kind = m.vs === 'computer' ? 'computer' : 'private';
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await d.store.create(c.playerId!, c.name, d.newGameId(), d.newCode(), m.idem, { variant: m.variant, vs: m.vs });
      if (!r.ok && r.code === 'CODE_TAKEN') continue;
      if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
      // a resent idem answers the game of the first application; a game against the computer has no code
      const { gameId, code } = r;
      if (!r.repeated) d.metrics.gamesCreated.inc({ kind });
      d.reply(c, code ? { t: 'ok', rid: m.rid, gameId, code } : { t: 'ok', rid: m.rid, gameId });
      await joinSeat(d, c, gameId);
      return { gameId, version: r.version, ...(r.repeated ? { repeated: true } : { event: 'created', kind }) };
    }
    d.fail(c, m.rid, 'INTERNAL', 'Could not find a free invite code; try again.');
  },

  async join(d, c, m) {
    const code = m.code.trim().toUpperCase();
    const named = /^[A-Z0-9]{1,16}$/.test(code) ? await d.store.gameOfCode(code) : null;
    // a resend of a join applied before: the code may be gone since (the game ended)
    const r = named ? await d.store.join(c.playerId!, c.name, code, named, m.idem)
      : m.idem ? await d.store.recalledJoin(c.playerId!, m.idem).then((x) => (x ? { ok: true as const, repeated: true as const, ...x } : null)) : null;
    if (!r) return d.fail(c, m.rid, 'NOT_FOUND', 'No game waits with that invite code.');
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    const { gameId } = r;
    d.reply(c, { t: 'ok', rid: m.rid, gameId, version: r.version });
    await joinSeat(d, c, gameId);
    return { gameId, version: r.version, ...(r.repeated ? { repeated: true } : { event: 'joined' }) };
  },

  watch: (d, c, m) => c.inOrder(async () => {
    const res = await d.rooms.join(c, m.gameId, 'spectator');
    if (res === 'not_found') return d.fail(c, m.rid, 'NOT_FOUND', 'There is no such game.');
    if (res === 'full') return d.fail(c, m.rid, 'GAME_FULL', 'That game has as many spectators as it can take.');
    d.reply(c, { t: 'ok', rid: m.rid, gameId: m.gameId });
    return { gameId: m.gameId };
  }),

  unwatch: (d, c, m) => c.inOrder(async () => {
    if (c.rooms.get(m.gameId) === 'spectator') d.rooms.leave(c, m.gameId);
    d.reply(c, { t: 'ok', rid: m.rid, gameId: m.gameId });
    return { gameId: m.gameId };
  }),

  async move(d, c, m) {
    // no board has more cells; within that, the game's own size is the move script's to check
    if (m.cell < 0 || m.cell >= MAX_CELLS) return d.fail(c, m.rid, 'BAD_CELL');
    const r = await d.store.move(c.playerId!, m.gameId, m.cell, m.mid);
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    if (r.computerTurn) d.computer.nudge(m.gameId);
    // counted by the writer only: a repeated mid (status null) applied nothing
    const reason: FinishReason | null = r.status === 'won' ? 'line' : r.status === 'draw' ? 'draw' : null;
    if (r.status) d.metrics.moves.inc();
    if (reason) d.metrics.gamesFinished.inc({ reason });
    d.reply(c, { t: 'ok', rid: m.rid, version: r.version });
    if (!c.rooms.has(m.gameId)) await joinSeat(d, c, m.gameId);
    return { gameId: m.gameId, version: r.version, cell: m.cell, mid: m.mid, ...(reason ? { event: 'finished', reason } : {}), ...(r.status ? {} : { repeated: true }) };
  },

  async resign(d, c, m) {
    const r = await d.store.resign(c.playerId!, m.gameId, m.idem);
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    if (r.computerTurn) d.computer.nudge(m.gameId);
    d.reply(c, { t: 'ok', rid: m.rid, version: r.version });
    // with more than two players the game may go on without the resigner
    if (r.status === 'playing') return { gameId: m.gameId, version: r.version, ...(r.repeated ? { repeated: true } : { event: 'out', reason: 'resign' }) };
    const reason: FinishReason = r.status === 'aborted' ? 'cancelled' : 'resign';
    if (!r.repeated) d.metrics.gamesFinished.inc({ reason });
    return { gameId: m.gameId, version: r.version, ...(r.repeated ? { repeated: true } : { event: 'finished', reason }) };
  },

  async rematch(d, c, m) {
    const r = await d.store.rematch(c.playerId!, m.gameId, d.newGameId(), m.idem);
    if (!r.ok) return d.fail(c, m.rid, r.code as ErrorCode);
    d.reply(c, r.started ? { t: 'ok', rid: m.rid, gameId: r.started } : { t: 'ok', rid: m.rid });
    if (r.started) {
      if (!r.repeated) d.metrics.gamesCreated.inc({ kind: 'rematch' });
      if (r.computerTurn) d.computer.nudge(r.started); // the computer opens the rematch (it holds X now)
      await joinSeat(d, c, r.started, frameOf({ t: 'rematch', from: m.gameId, gameId: r.started }));
      return { gameId: r.started, from: m.gameId, event: 'created', kind: 'rematch' };
    }
    return { gameId: m.gameId };
  },
};

/** The cells of the largest board of the contract (19 x 19). */
const MAX_CELLS = VARIANT_BOUNDS.maxSide * VARIANT_BOUNDS.maxSide;

/** Follows a game in which the socket's player holds a seat; a socket keeps at most a few finished games. */
export async function joinSeat(d: Pick<CommandDeps, 'rooms'>, c: Conn, gameId: string, announce?: string): Promise<void> {
  await d.rooms.join(c, gameId, 'player', announce);
  if (c.rooms.size > 4) {
    for (const id of c.rooms.keys()) {
      if (c.rooms.size <= 4) break;
      if (id !== gameId && d.rooms.isFinished(id)) d.rooms.leave(c, id);
    }
  }
}
