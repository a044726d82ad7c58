// The gateway's one seam to Redis: every state change through its Lua script, every read of a
// snapshot, and the instance registry. Callers get typed results, never raw replies.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ErrorCode } from '../../shared/protocol.js';
import { isFinished, toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';
import { Keys } from './keys.js';
import { registerScripts, type ScriptCall, type ScriptName } from './scripts.js';

export type Result<T> = ({ ok: true } & T) | { ok: false; code: ErrorCode | 'CODE_TAKEN' };

export interface StoreLimits {
  maxGamesPerPlayer: number;
  turnMs: number;
  abandonMs: number;
  inviteTtlMs: number;
  finishedTtlS: number;
  sessionTtlS: number;
}

// the stored forms and channel messages are decoded in channels.ts; re-exported for the Store's callers
export { isFinished, parseSnapshot, toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class Store {
  readonly keys: Keys;
  private readonly call: Record<ScriptName, ScriptCall>;

  constructor(readonly redis: Redis, readonly limits: StoreLimits, prefix = 'trine') {
    this.keys = new Keys(prefix);
    this.call = registerScripts(redis, this.keys);
  }

  private async run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown[]> {
    return (await this.call[name](keys, args)) as unknown[];
  }

  private static status<T>(reply: unknown[], ok: (r: unknown[]) => T): Result<T> {
    if (reply[0] === 'E') return { ok: false, code: reply[1] as ErrorCode | 'CODE_TAKEN' };
    return { ok: true, ...ok(reply) };
  }

  /** `conn` is the connection's member `INSTANCE|CONN` on gateway instance `instance`. */
  async hello(a: { token: string | null; newToken: string; newPlayerId: string; name: string; defaultName: string; instance: string; conn: string }) {
    const k = this.keys;
    const given = a.token ? k.session(hashToken(a.token)) : k.session('none');
    const r = await this.run('hello', [given, k.session(hashToken(a.newToken)), k.instancePlayers(a.instance), k.deadlines(), k.queue(), k.queueNames()],
      [a.newPlayerId, a.name, a.defaultName, this.limits.sessionTtlS, a.conn, this.limits.abandonMs]);
    return { resumed: r[0] === 1, playerId: String(r[1]), name: String(r[2]) };
  }

  /** Refreshes a session's TTL while its player is active. */
  async touchSession(tokenHash: string): Promise<void> {
    await this.redis.expire(this.keys.session(tokenHash), this.limits.sessionTtlS);
  }

  /**
   * Records live connections of an instance again, after its registration lapsed (a stall, a Redis
   * restart): a reaper may have dropped them and marked their players offline.
   */
  async attach(instance: string, entries: [playerId: string, member: string][]): Promise<void> {
    const k = this.keys;
    for (let i = 0; i < entries.length; i += 200) {
      await this.call.attach([k.instancePlayers(instance), k.deadlines(), k.queue(), k.queueNames()],
        [this.limits.abandonMs, ...entries.slice(i, i + 200).flat()]);
    }
  }

  /** Forgets a connection; false when the player has no live connection left (it went offline). */
  async disconnect(playerId: string, instance: string, conn: string): Promise<boolean> {
    const k = this.keys;
    const r = await this.call.disconnect([k.playerConns(playerId), k.queue(), k.queueNames(), k.instancePlayers(instance), k.deadlines()],
      [conn, playerId, this.limits.abandonMs]);
    return r === 1;
  }

  async create(playerId: string, name: string, gameId: string, code: string) {
    const k = this.keys;
    const r = await this.run('create', [k.playerGames(playerId), k.game(gameId), k.code(code), k.queue(), k.queueNames(), k.deadlines()],
      [playerId, name, gameId, code, this.limits.maxGamesPerPlayer, this.limits.inviteTtlMs, this.limits.abandonMs]);
    return Store.status(r, (x) => ({ version: Number(x[1]) }));
  }

  async gameOfCode(code: string): Promise<string | null> {
    return this.redis.get(this.keys.code(code));
  }

  async join(playerId: string, name: string, code: string, gameId: string) {
    const k = this.keys;
    const r = await this.run('join', [k.code(code), k.game(gameId), k.playerGames(playerId), k.queue(), k.queueNames(), k.deadlines()],
      [playerId, name, gameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs]);
    return Store.status(r, (x) => ({ version: Number(x[1]) }));
  }

  async queue(playerId: string, name: string, newGameId: string) {
    const k = this.keys;
    const r = await this.run('queue', [k.queue(), k.queueNames(), k.playerGames(playerId), k.deadlines()],
      [playerId, name, newGameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs]);
    return Store.status(r, (x) => ({ matched: x[1] === 'matched' ? String(x[2]) : null }));
  }

  async unqueue(playerId: string) {
    const r = await this.run('unqueue', [this.keys.queue(), this.keys.queueNames()], [playerId]);
    return Store.status(r, () => ({}));
  }

  async move(playerId: string, gameId: string, cell: number, mid: string) {
    const r = await this.run('move', [this.keys.game(gameId), this.keys.deadlines()],
      [playerId, cell, mid, this.limits.turnMs, this.limits.finishedTtlS]);
    // status is absent when the mid had been applied before (nothing changed this time)
    return Store.status(r, (x) => ({ version: Number(x[1]), status: x[2] === undefined ? null : String(x[2]) }));
  }

  async resign(playerId: string, gameId: string) {
    const r = await this.run('resign', [this.keys.game(gameId), this.keys.deadlines()], [playerId, this.limits.finishedTtlS]);
    return Store.status(r, (x) => ({ version: Number(x[1]), status: String(x[2]) }));
  }

  async rematch(playerId: string, gameId: string, newGameId: string) {
    const k = this.keys;
    const r = await this.run('rematch', [k.game(gameId), k.game(newGameId), k.deadlines()],
      [playerId, newGameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs]);
    return Store.status(r, (x) => ({ started: x[1] === 'started' ? String(x[2]) : null }));
  }

  /** Applies the due time rule of one game: what this call applied (each is applied by one call only), or null. */
  async expire(gameId: string): Promise<'timeout' | 'abandoned' | 'expired' | null> {
    const r = await this.call.expire([this.keys.deadlines(), this.keys.game(gameId)], [gameId, this.limits.finishedTtlS]);
    return r === 'timeout' || r === 'abandoned' || r === 'expired' ? r : null;
  }

  /**
   * Cleans up after a dead gateway instance, up to `batch` of its players per call (see lua/reap.lua).
   * `left` is how many remain; null when the instance is alive after all.
   */
  async reap(instance: string, batch: number): Promise<{ handled: number; left: number } | null> {
    const k = this.keys;
    const r = (await this.call.reap([k.instance(instance), k.instancePlayers(instance), k.instances(), k.deadlines(), k.queue(), k.queueNames()],
      [instance, batch, this.limits.abandonMs])) as [number, number];
    return r[0] < 0 ? null : { handled: r[0], left: r[1] };
  }

  /** Registered instances whose key has lapsed (dead, not reaped yet), but `self`. */
  async deadInstances(self: string): Promise<string[]> {
    return (await this.registeredInstances()).filter(([id, info]) => info === null && id !== self).map(([id]) => id);
  }

  /** Game ids whose time rule is due by Redis' clock (at most `limit`). */
  async dueGames(limit: number): Promise<string[]> {
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    return this.redis.zrangebyscore(this.keys.deadlines(), '-inf', now, 'LIMIT', 0, limit);
  }

  /**
   * Size of the deadlines set: every unfinished game has one entry while turn clocks and invite
   * expiry are on (the defaults), so this counts the cluster's unfinished games in O(1).
   */
  async deadlineCount(): Promise<number> {
    return this.redis.zcard(this.keys.deadlines());
  }

  /** The current snapshot of a game as its `state` frame, or null when there is no such game. */
  async readGame(gameId: string): Promise<RawSnapshot | null> {
    const s = await this.redis.hget(this.keys.game(gameId), 's');
    return s === null ? null : toRaw(s);
  }

  /** What a room needs of a game: its snapshot and newest presence message (one read), or null when there is no such game. */
  async readRoom(gameId: string): Promise<{ snapshot: RawSnapshot; presence: RawPresence | null } | null> {
    const [s, p] = await this.redis.hmget(this.keys.game(gameId), 's', 'p');
    if (s === null) return null;
    return { snapshot: toRaw(s), presence: p === null ? null : toRawPresence(p) };
  }

  /** The player's unfinished games, read from their snapshots (stale entries are skipped). */
  async unfinishedGames(playerId: string): Promise<{ id: string; raw: RawSnapshot }[]> {
    const ids = await this.redis.smembers(this.keys.playerGames(playerId));
    const out: { id: string; raw: RawSnapshot }[] = [];
    await Promise.all(ids.map(async (id) => {
      const raw = await this.readGame(id);
      if (raw && !isFinished(raw)) out.push({ id, raw });
    }));
    return out;
  }

  /**
   * Keeps this gateway instance registered for `ttlMs`; `info` is what /api/gateways shows of it.
   * Returns false when the registration had lapsed (its connections may have been pruned since).
   */
  async heartbeat(instanceId: string, info: object, ttlMs: number): Promise<boolean> {
    const [prev] = await Promise.all([
      this.redis.set(this.keys.instance(instanceId), JSON.stringify(info), 'PX', ttlMs, 'GET'),
      this.redis.sadd(this.keys.instances(), instanceId),
    ]);
    return prev !== null;
  }

  /** Ends this instance's registration; what is left of it (connections not forgotten) is reaped like a dead one's. */
  async unregister(instanceId: string): Promise<void> {
    await this.redis.del(this.keys.instance(instanceId));
  }

  /** The live gateway instances (dead ones stay listed in the set until reaped). */
  async liveInstances(): Promise<unknown[]> {
    return (await this.registeredInstances()).flatMap(([, info]) => (info === null ? [] : [JSON.parse(info)]));
  }

  /** Every registered instance with its description, null once its registration has lapsed. */
  private async registeredInstances(): Promise<[id: string, info: string | null][]> {
    const ids = await this.redis.smembers(this.keys.instances());
    if (!ids.length) return [];
    const vals = await this.redis.mget(ids.map((i) => this.keys.instance(i)));
    return ids.map((id, i) => [id, vals[i]]);
  }
}
