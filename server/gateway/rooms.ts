// Per-game fan-out on one gateway. A room exists while a local socket follows the game (a player of
// it or a spectator); it holds the newest snapshot seen and forwards each newer one to its
// sockets as one pre-serialized frame through a transport topic. A socket joining gets the newest
// snapshot, then everything after it, so it sees each version once and in order.
// Presence (whether each seated player is online) is not a game change: it travels apart, as
// `presence` frames with a sequence number of their own (`P SEQ FRAME` on the game's channel). A
// room keeps the newest one and gives it to a socket joining an unfinished game, after the snapshot.
// Defence against a rollback (a failover to a replica that missed acknowledged writes should not
// happen, see docs/REDIS.md, but is detected): a room keeps the highest version it forwarded, and a
// read at a lower one is forwarded anyway marked `"reset": true` (clients replace what they hold).
// The first state a socket gets on joining a room is marked the same way.
import { isFinished, type GameEvent, type RawPresence, type RawSnapshot } from '../store/channels.js';
import type { Transport } from '../transport/types.js';
import { frameOf } from './messages.js';
import type { Subscriptions } from './subscriptions.js';

export type Role = 'player' | 'spectator';

/** What a room needs of a connection. */
export interface Member {
  readonly closed: boolean;
  readonly rooms: Map<string, Role>;
  send(text: string): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
}

interface Room {
  readonly id: string;
  readonly topic: string;
  readonly channel: string;
  readonly members: Map<Member, Role>;
  latest: RawSnapshot | null;
  presence: RawPresence | null;
  pendingJoins: number;
  /** Whether this room holds its channel (the subscription succeeded), to release on close. */
  held: boolean;
  ready: Promise<void>;
}

export interface RoomsDeps {
  subs: Pick<Subscriptions, 'acquire' | 'release'>;
  /** Where a room's frames go: one publish per frame to the room's topic (the transport's). */
  transport: Pick<Transport, 'publish'>;
  channelOf(gameId: string): string;
  /** The game's snapshot and newest presence message, read at once; null when there is no such game. */
  read(gameId: string): Promise<{ snapshot: RawSnapshot; presence: RawPresence | null } | null>;
  /** Frames sent to sockets of a room, by type: forwarded ones, and what a joining socket gets. */
  onForward?(room: string, members: number, type: string): void;
  /** A read found a game at a lower version than one this gateway forwarded (a rollback). */
  onRollback?(gameId: string, forwarded: number, read: number): void;
  spectatorLimit: number;
}

export type JoinResult = 'joined' | 'already' | 'not_found' | 'full';

export class Rooms {
  private readonly rooms = new Map<string, Room>();
  constructor(private readonly d: RoomsDeps) {}

  get size(): number { return this.rooms.size; }

  /** Whether the newest snapshot held of a game says it is over. */
  isFinished(gameId: string): boolean {
    const latest = this.rooms.get(gameId)?.latest;
    return latest !== null && latest !== undefined && isFinished(latest);
  }

  has(gameId: string): boolean { return this.rooms.has(gameId); }
  /** The newest snapshot this gateway holds of a game it serves (for a caller that just got an ok). */
  latest(gameId: string): RawSnapshot | null { return this.rooms.get(gameId)?.latest ?? null; }

  private open(gameId: string): Room {
    let room = this.rooms.get(gameId);
    if (room) return room;
    const channel = this.d.channelOf(gameId);
    const r: Room = { id: gameId, topic: `g:${gameId}`, channel, members: new Map(), latest: null, presence: null, pendingJoins: 0, held: false, ready: Promise.resolve() };
    r.ready = this.d.subs.acquire(channel).then(async () => {
      r.held = true;
      // subscribed first, then read: every version after the read arrives on the channel
      const read = await this.d.read(gameId);
      if (read) this.offerAll(r, read, 0);
    });
    this.rooms.set(gameId, (room = r));
    return room;
  }

  /**
   * Adds a socket to a game's room: it receives `announce` (if any), then the newest snapshot, then
   * every later one. Throws when the state store cannot be reached.
   */
  async join(m: Member, gameId: string, role: Role, announce?: string): Promise<JoinResult> {
    const existing = this.rooms.get(gameId);
    if (existing?.members.has(m)) {
      if (role === 'player') { existing.members.set(m, role); m.rooms.set(gameId, role); }
      return 'already';
    }
    const room = this.open(gameId);
    room.pendingJoins++;
    try {
      await room.ready;
    } catch (e) {
      room.pendingJoins--;
      this.closeIfEmpty(room);
      throw e;
    }
    room.pendingJoins--;
    if (!room.latest) { this.closeIfEmpty(room); return 'not_found'; }
    if (m.closed) { this.closeIfEmpty(room); return 'already'; }
    const had = room.members.get(m);
    if (had) {
      if (role === 'player') { room.members.set(m, role); m.rooms.set(gameId, role); }
      return 'already';
    }
    if (role === 'spectator' && this.spectators(room) >= this.d.spectatorLimit) { this.closeIfEmpty(room); return 'full'; }
    room.members.set(m, role);
    m.rooms.set(gameId, role);
    if (announce) { m.send(announce); this.d.onForward?.(room.id, 1, /^\{"t":"(\w+)"/.exec(announce)?.[1] ?? 'other'); }
    m.send(withReset(room.latest.frame));
    this.d.onForward?.(room.id, 1, 'state');
    if (room.presence && !this.isFinished(gameId)) { m.send(room.presence.frame); this.d.onForward?.(room.id, 1, 'presence'); }
    m.subscribe(room.topic);
    return 'joined';
  }

  private spectators(room: Room): number {
    let n = 0;
    for (const r of room.members.values()) if (r === 'spectator') n++;
    return n;
  }

  leave(m: Member, gameId: string): void {
    m.rooms.delete(gameId);
    const room = this.rooms.get(gameId);
    if (!room || !room.members.delete(m)) return;
    m.unsubscribe(room.topic);
    this.closeIfEmpty(room);
  }

  private closeIfEmpty(room: Room): void {
    if (room.members.size || room.pendingJoins || this.rooms.get(room.id) !== room) return;
    this.rooms.delete(room.id);
    if (room.held) this.d.subs.release(room.channel); // a failed acquire released itself
  }

  private offer(room: Room, snap: RawSnapshot): boolean {
    if (room.latest && snap.version <= room.latest.version) return false;
    room.latest = snap;
    if (room.members.size) {
      this.d.transport.publish(room.topic, snap.frame);
      this.d.onForward?.(room.id, room.members.size, 'state');
    }
    return true;
  }

  private offerPresence(room: Room, p: RawPresence): void {
    if (room.presence && p.seq <= room.presence.seq) return;
    room.presence = p;
    if (room.members.size) {
      this.d.transport.publish(room.topic, p.frame);
      this.d.onForward?.(room.id, room.members.size, 'presence');
    }
  }

  /** `before`: the version held when the read was sent (a version that arrived on the channel since may be newer, legitimately). */
  private offerAll(room: Room, read: { snapshot: RawSnapshot; presence: RawPresence | null }, before: number): void {
    if (read.snapshot.version < before && room.latest) {
      // only a read sent after a version was held proves it: the channel and reads use two connections
      this.d.onRollback?.(room.id, room.latest.version, read.snapshot.version);
      room.latest = read.snapshot;
      if (read.presence) room.presence = read.presence;
      if (room.members.size) {
        this.d.transport.publish(room.topic, withReset(read.snapshot.frame));
        this.d.onForward?.(room.id, room.members.size, 'state');
      }
      return;
    }
    this.offer(room, read.snapshot);
    if (read.presence) this.offerPresence(room, read.presence);
  }

  /** An event of a game's channel (see store/channels.ts); false when no local socket follows that game. */
  onEvent(gameId: string, event: GameEvent): boolean {
    const room = this.rooms.get(gameId);
    if (!room) return false;
    switch (event.kind) {
      case 'state': this.offer(room, event.snapshot); break;
      case 'presence': this.offerPresence(room, event.presence); break;
      case 'rematch': {
        // spectators follow the new game; players do through their own channel's notice
        const frame = frameOf({ t: 'rematch', from: event.from, gameId: event.to });
        for (const [m, role] of room.members) {
          if (role === 'spectator') this.join(m, event.to, 'spectator', frame).catch(() => { /* resynced on reconnect */ });
        }
      }
    }
    return true;
  }

  /** After a reconnect to Redis: reads every served game again and forwards what is newer. */
  async resync(): Promise<void> {
    await Promise.all([...this.rooms.values()].map(async (room) => {
      const before = room.latest?.version ?? 0;
      const read = await this.d.read(room.id);
      if (read) this.offerAll(room, read, before);
    }));
  }

  /** The games a socket follows, for cleanup on close. */
  leaveAll(m: Member): void {
    for (const id of [...m.rooms.keys()]) this.leave(m, id);
  }
}

/** A `state` frame marked `"reset": true`: the receiver replaces what it holds of the game with it. */
export function withReset(frame: string): string {
  return frame.startsWith('{"t":"state",') ? `{"t":"state","reset":true,${frame.slice(13)}` : frame;
}
