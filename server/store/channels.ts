// The one codec of what travels on Trine's pub/sub channels and of the stored forms gateways read
// back (a game's snapshot `s`, its newest presence `p`). The Lua scripts produce these formats
// (lua/includes/core.lua, create, join, queue, rematch); this module documents them, decodes every
// message into a typed event, and encodes the same format for anything TypeScript publishes (tests).
// The formats on the wire must not change without the scripts.
//
// Game channel `PREFIX:ch:game:{g:ID}`:
//   `VERSION {"t":"state","game":SNAPSHOT}`   a change of the game (save_and_publish): forwarded as is
//   `P SEQ {"t":"presence",...}`              who is online (apply_presence); SEQ orders presence apart from versions
//   `R FROM TO`                               a rematch of FROM started as TO (rematch-5.lua), for spectators
// Player channel `PREFIX:ch:player:{p:ID}`:
//   `G ID`        the player was seated in game ID (create, join)
//   `M ID`        the player was matched into game ID (queue)
//   `R FROM TO`   a rematch of FROM started as TO (rematch-5.lua)
// Stored: hash field `s` is the snapshot JSON (a `state` frame wraps it); field `p` is `SEQ FRAME`.
// REDIS_MODE=sentinel: the same messages wait in the outbox sorted set until a replica has their
// change (see outbox.ts): member `S GAMEID VERSION` for a state, `N CHANNEL PAYLOAD` for the rest.
import type { GameSnapshot } from '../../shared/protocol.js';
import type { Keys } from './keys.js';

/** A raw snapshot as stored and published: the version and the `state` frame, never re-parsed to forward. */
export interface RawSnapshot { version: number; frame: string }
/** A game's newest presence message as stored and published: its sequence number and the `presence` frame. */
export interface RawPresence { seq: number; frame: string }

/** What a game channel carries. */
export type GameEvent =
  | { kind: 'state'; snapshot: RawSnapshot }
  | { kind: 'presence'; presence: RawPresence }
  | { kind: 'rematch'; from: string; to: string };

/** What a player channel carries: each makes every socket of the player follow a game. */
export type PlayerNotice =
  | { kind: 'seated'; gameId: string }
  | { kind: 'matched'; gameId: string }
  | { kind: 'rematch'; from: string; to: string };

/** A decoded channel message, with the game or player its channel names. */
export type ChannelMessage =
  | { channel: 'game'; gameId: string; event: GameEvent }
  | { channel: 'player'; playerId: string; notice: PlayerNotice };

/** Splits `HEAD REST` at its first space; null without one. */
function head(payload: string): [string, string] | null {
  const sp = payload.indexOf(' ');
  return sp > 0 ? [payload.slice(0, sp), payload.slice(sp + 1)] : null;
}

/** A stored snapshot JSON as the `state` frame that carries it (the version read without parsing it). */
export function toRaw(snapshotJson: string): RawSnapshot {
  const m = /"version":(\d+)/.exec(snapshotJson);
  return { version: m ? Number(m[1]) : 0, frame: `{"t":"state","game":${snapshotJson}}` };
}

/** A stored presence entry `SEQ FRAME` (hash field `p`; published as `P SEQ FRAME`), or null. */
export function toRawPresence(entry: string): RawPresence | null {
  const parts = head(entry);
  const seq = parts ? Number(parts[0]) : NaN;
  return parts && Number.isInteger(seq) ? { seq, frame: parts[1] } : null;
}

/**
 * Whether a stored snapshot says its game is over, without parsing it (a player's name cannot fake
 * the pattern: quotes inside strings are escaped in JSON).
 */
export function isFinished(raw: RawSnapshot): boolean {
  return /"status":"(won|draw|aborted)"/.test(raw.frame);
}

export function parseSnapshot(raw: RawSnapshot): GameSnapshot {
  return (JSON.parse(raw.frame) as { game: GameSnapshot }).game;
}

/** A game channel message, or null when it is not one of the forms above. */
export function decodeGameEvent(payload: string): GameEvent | null {
  if (payload.startsWith('R ')) {
    const [, from, to] = payload.split(' ');
    return from && to ? { kind: 'rematch', from, to } : null;
  }
  if (payload.startsWith('P ')) {
    const presence = toRawPresence(payload.slice(2));
    return presence ? { kind: 'presence', presence } : null;
  }
  const parts = head(payload);
  const version = parts ? Number(parts[0]) : NaN;
  return parts && Number.isInteger(version) ? { kind: 'state', snapshot: { version, frame: parts[1] } } : null;
}

/** A player channel message, or null when it is not one of the forms above. */
export function decodePlayerNotice(payload: string): PlayerNotice | null {
  const [kind, a, b] = payload.split(' ');
  if (!a) return null;
  if (kind === 'G') return { kind: 'seated', gameId: a };
  if (kind === 'M') return { kind: 'matched', gameId: a };
  if (kind === 'R' && b) return { kind: 'rematch', from: a, to: b };
  return null;
}

/** Any message on a channel `keys` named, or null (another prefix, an unknown form). */
export function decodeChannelMessage(keys: Pick<Keys, 'parseChannel'>, channel: string, payload: string): ChannelMessage | null {
  const ch = keys.parseChannel(channel);
  if (ch?.kind === 'game') {
    const event = decodeGameEvent(payload);
    return event && { channel: 'game', gameId: ch.id, event };
  }
  if (ch?.kind === 'player') {
    const notice = decodePlayerNotice(payload);
    return notice && { channel: 'player', playerId: ch.id, notice };
  }
  return null;
}

export function encodeGameEvent(e: GameEvent): string {
  switch (e.kind) {
    case 'state': return `${e.snapshot.version} ${e.snapshot.frame}`;
    case 'presence': return `P ${e.presence.seq} ${e.presence.frame}`;
    case 'rematch': return `R ${e.from} ${e.to}`;
  }
}

export function encodePlayerNotice(n: PlayerNotice): string {
  switch (n.kind) {
    case 'seated': return `G ${n.gameId}`;
    case 'matched': return `M ${n.gameId}`;
    case 'rematch': return `R ${n.from} ${n.to}`;
  }
}
