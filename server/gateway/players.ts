// The players connected to this gateway and their notice channels: a player's channel is
// subscribed while one of its sockets is here. Notices (`G id` seated, `M id` matched,
// `R from to` rematch) make every socket of the player, on every gateway, follow its new game.
import type { Logger } from 'pino';
import { errText } from '../log.js';
import type { PlayerNotice } from '../store/channels.js';
import type { Store } from '../store/store.js';
import type { Conn } from './conn.js';
import { frameOf } from './messages.js';
import type { Rooms } from './rooms.js';
import type { Subscriptions } from './subscriptions.js';

export class Players {
  private readonly byPlayer = new Map<string, Set<Conn>>();

  constructor(private readonly d: {
    subs: Subscriptions; rooms: Rooms; store: Store; log: Logger;
    follow(conn: Conn, gameId: string, announce?: string): Promise<void>;
  }) {}

  get size(): number { return this.byPlayer.size; }
  conns(playerId: string): Set<Conn> | undefined { return this.byPlayer.get(playerId); }

  /** Registers a socket of a player and holds the player's channel; resolves once subscribed. */
  async add(conn: Conn, playerId: string): Promise<void> {
    let set = this.byPlayer.get(playerId);
    if (!set) this.byPlayer.set(playerId, (set = new Set()));
    set.add(conn);
    try {
      await this.d.subs.acquire(this.d.store.keys.playerChannel(playerId));
    } catch (e) {
      this.forget(conn, playerId);
      throw e;
    }
  }

  /** Forgets a socket; returns whether the player still has another socket on this gateway. */
  remove(conn: Conn, playerId: string): boolean {
    if (!this.forget(conn, playerId)) return this.byPlayer.has(playerId);
    this.d.subs.release(this.d.store.keys.playerChannel(playerId));
    return this.byPlayer.has(playerId);
  }

  private forget(conn: Conn, playerId: string): boolean {
    const set = this.byPlayer.get(playerId);
    if (!set?.delete(conn)) return false;
    if (!set.size) this.byPlayer.delete(playerId);
    return true;
  }

  /** A notice of a player's channel (see store/channels.ts); false when the player has no socket here. */
  onNotice(playerId: string, notice: PlayerNotice): boolean {
    const set = this.byPlayer.get(playerId);
    if (!set) return false;
    const [gameId, announce] = notice.kind === 'seated' ? [notice.gameId, undefined]
      : notice.kind === 'matched' ? [notice.gameId, frameOf({ t: 'matched', gameId: notice.gameId })]
        : [notice.to, frameOf({ t: 'rematch', from: notice.from, gameId: notice.to })];
    for (const c of set) {
      this.d.follow(c, gameId, announce).catch((e) => this.d.log.warn({ playerId, gameId, err: errText(e) }, 'could not follow game'));
    }
    return true;
  }

  /** After a reconnect: every local player follows its unfinished games again (notices may have been lost). */
  async resync(): Promise<void> {
    await Promise.all([...this.byPlayer].map(async ([playerId, set]) => {
      const games = await this.d.store.unfinishedGames(playerId);
      for (const c of set) for (const g of games) await this.d.follow(c, g.id);
    }));
  }
}
