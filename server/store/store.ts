// The gateway's one seam to Redis: every state change through its Lua scripts (each on one slot,
// the multi-slot ones as short sequences of idempotent steps: presence.ts S1, seats.ts S2 and S4,
// matching.ts S3), every read of a snapshot, and the instance registry. Callers get typed results,
// never raw replies.
import { createHash } from 'node:crypto';
import { toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';
import { StoreCore } from './core.js';
import { BUCKETS, bucketOf } from './keys.js';
import * as matching from './matching.js';
import * as presence from './presence.js';
import * as seats from './seats.js';
import { COMPUTER_LEASE_MS, computerTurn, expireResult, status, type ExpireResult, type GameSpec } from './store-types.js';

// the stored forms and channel messages are decoded in channels.ts, the Store's types in store-types.ts;
// re-exported for the Store's callers
export { isFinished, parseSnapshot, toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';
export * from './store-types.js';
export { QUEUE_HOLD_MS } from './presence.js';
export type { FaultHook, StoreRedis } from './core.js';
/** The shortest silence taken for an outage (ms): a machine briefly too busy is not one. */
const OUTAGE_MIN_GAP_MS = 1000;
/** Outages are kept this long beyond the longest clock, for clocks that ran through them (see lua/expire-5.lua). */
const OUTAGE_HISTORY_MARGIN_MS = 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Every bucket, in order. */
export const ALL_BUCKETS: readonly number[] = Array.from({ length: BUCKETS }, (_, b) => b);

export class Store extends StoreCore {
  /** `conn` is the connection's member `INSTANCE|CONN` on gateway instance `instance`; `newToken` is `newPlayerId.SECRET`. */
  hello(a: presence.HelloArgs) { return presence.hello(this, a, hashToken); }

  /** Refreshes a session's TTL while its player is active. */
  async touchSession(playerId: string, tokenHash: string): Promise<void> {
    await this.redis.expire(this.keys.session(playerId, tokenHash), this.limits.sessionTtlS);
  }

  attach(instance: string, entries: [playerId: string, member: string][]): Promise<void> { return presence.attach(this, instance, entries); }

  /** Forgets a connection; false when the player has no live connection left (it went offline). */
  disconnect(playerId: string, instance: string, conn: string): Promise<boolean> { return presence.disconnect(this, playerId, instance, conn); }

  /**
   * A resend of an applied `idem` answers the first game's id and code (not the ones passed now).
   * `spec.vs` computer: the game starts at once and has no invite code (`code` is ignored; '' back).
   */
  create(playerId: string, name: string, gameId: string, code: string, idem = '', spec: GameSpec = {}) {
    return seats.create(this, playerId, name, gameId, code, idem, spec);
  }

  /** The game an invite code names; a miss (answered NOT_FOUND) only once it survives a Redis process' death. */
  async gameOfCode(code: string): Promise<string | null> {
    const key = this.keys.code(code);
    const id = await this.redis.get(key);
    return id === null ? this.settled(id, key) : id; // a hit goes on to the join script, which has its own barrier
  }

  /** A resend of an applied `idem` answers the first game's id, even once the code no longer names it. */
  join(playerId: string, name: string, code: string, gameId: string, idem = '') { return seats.join(this, playerId, name, code, gameId, idem); }

  /**
   * The answer a `join` with this idem got when it was applied, or null: for a resend whose invite
   * code no longer names a game (it started and ended since). A read: nothing to apply.
   */
  async recalledJoin(playerId: string, idem: string): Promise<{ version: number; gameId: string } | null> {
    const key = this.keys.playerIdem(playerId, idem);
    const v = await this.redis.get(key);
    const r = v === null ? null : JSON.parse(v) as unknown[];
    return this.settled(r && r[0] === 'OK' && typeof r[2] === 'string' ? { version: Number(r[1]), gameId: r[2] } : null, key);
  }

  /** Quick match of `spec.variant` (absent or classic: the classic queue). */
  queue(playerId: string, name: string, newGameId: string, idem = '', spec: Pick<GameSpec, 'variant'> = {}) {
    return matching.queue(this, playerId, name, newGameId, idem, spec);
  }

  unqueue(playerId: string, idem = '') { return matching.unqueue(this, playerId, idem); }

  /** S3's reconciler: finishes pending matches left by dead gateways; returns how many. */
  reconcileMatches(ageMs?: number): Promise<number> { return matching.reconcileMatches(this, ageMs); }

  async move(playerId: string, gameId: string, cell: number, mid: string) {
    const k = this.keys;
    const b = bucketOf(gameId);
    const r = await this.run('move', [k.game(gameId), k.deadlines(b), k.outbox(b)],
      [playerId, cell, mid, this.limits.turnMs, this.limits.finishedTtlS, k.gameChannel(gameId)]);
    // status is absent when the mid had been applied before (nothing changed this time)
    return status(r, (x) => ({ version: Number(x[1]), status: x[2] === undefined ? null : String(x[2]), ...computerTurn(x, 3) }));
  }

  /** With more than two players the game may go on without the resigner (`status` playing). */
  async resign(playerId: string, gameId: string, idem = '') {
    const k = this.keys;
    const b = bucketOf(gameId);
    const r = await this.run('resign', [k.game(gameId), k.deadlines(b), k.outbox(b)],
      [playerId, this.limits.finishedTtlS, idem, this.limits.turnMs, k.gameChannel(gameId)]);
    return status(r, (x) => ({ version: Number(x[1]), status: String(x[2]), ...computerTurn(x, 3) }));
  }

  /** The rematch's id is derived from the old game's (keys.ts rematchId); `_newGameId` is not used. */
  rematch(playerId: string, gameId: string, _newGameId = '', idem = '') { return seats.rematch(this, playerId, gameId, idem); }

  /**
   * Applies the due time rule of one game: what this call applied (each is applied by one call
   * only), or the computer's turn it claimed (for COMPUTER_LEASE_MS), or null.
   */
  async expire(gameId: string): Promise<ExpireResult> {
    const l = this.limits;
    const k = this.keys;
    const b = bucketOf(gameId);
    return expireResult(await this.exec('expire', [k.deadlines(b), k.game(gameId), k.outages(b), k.sweepClock(b), k.outbox(b)],
      [gameId, l.finishedTtlS, l.turnMs, l.abandonMs, l.inviteTtlMs, COMPUTER_LEASE_MS, k.gameChannel(gameId)]));
  }

  /**
   * Takes up to `count` games whose time rule is due, in `buckets` (in order, until `count`), out of
   * every other gateway's sweep for `leaseMs` (lua/claim-3.lua, which also keeps each bucket's sweep
   * clock: a bucket nobody swept for `gapMs` had an outage); the caller applies them with `expire`.
   */
  async claimDue(count: number, leaseMs: number, buckets: readonly number[] = ALL_BUCKETS, gapMs = OUTAGE_MIN_GAP_MS): Promise<string[]> {
    const k = this.keys;
    const l = this.limits;
    const history = Math.max(l.turnMs, l.abandonMs, l.inviteTtlMs) + OUTAGE_HISTORY_MARGIN_MS;
    const out: string[] = [];
    for (const b of buckets) {
      if (out.length >= count) break;
      const ids = await this.call.claim([k.deadlines(b), k.sweepClock(b), k.outages(b)],
        [count - out.length, leaseMs, Math.max(gapMs, OUTAGE_MIN_GAP_MS), 0, history]) as string[];
      out.push(...ids);
    }
    return out;
  }

  /**
   * When bucket `bucket`'s earliest time rule (or claim) falls due (epoch ms, Redis' clock), or null
   * when it has none: a read of one key, which lets a sweep skip a bucket with nothing due (see
   * gateway/housekeeping.ts) instead of running the claim script on it.
   */
  async firstDue(bucket: number): Promise<number | null> {
    const r = await this.redis.zrange(this.keys.deadlines(bucket), '0', '0', 'WITHSCORES');
    return r.length >= 2 ? Number(r[1]) : null;
  }

  /** Registered instances whose registration has lapsed (dead, not reaped yet), but `self`. */
  async deadInstances(self: string): Promise<string[]> {
    return (await presence.registry(this)).dead.filter((id) => id !== self);
  }

  /** The live gateway instances' ids (the sweep spreads the buckets over them). */
  async liveInstanceIds(): Promise<string[]> {
    return (await presence.registry(this)).live.map(([id]) => id);
  }

  /** Cleans up after a dead gateway instance, up to `batch` of its players per call (presence.ts reap). */
  reap(instance: string, batch: number): Promise<{ handled: number; left: number } | null> { return presence.reap(this, instance, batch); }

  /** Game ids whose time rule is due by Redis' clock (at most `limit`), over every bucket. */
  async dueGames(limit: number): Promise<string[]> {
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const all = await Promise.all(ALL_BUCKETS.map((b) => this.redis.zrangebyscore(this.keys.deadlines(b), '-inf', now, 'LIMIT', 0, limit)));
    return all.flat().slice(0, limit);
  }

  /** Every unfinished game has one entry in its bucket's deadlines (at the latest its idle rule): this counts them. */
  async deadlineCount(): Promise<number> {
    const n = await Promise.all(ALL_BUCKETS.map((b) => this.redis.zcard(this.keys.deadlines(b))));
    return n.reduce((a, b) => a + b, 0);
  }

  /** The current snapshot of a game as its `state` frame, or null; once what it read survives a Redis process' death. */
  async readGame(gameId: string): Promise<RawSnapshot | null> {
    const key = this.keys.game(gameId);
    const s = await this.redis.hget(key, 's');
    return this.settled(s === null ? null : toRaw(s), key);
  }

  /**
   * What a room needs of a game: its snapshot and newest presence message (one read), or null when
   * there is no such game. Returns once what it read survives a Redis process' death.
   */
  async readRoom(gameId: string): Promise<{ snapshot: RawSnapshot; presence: RawPresence | null } | null> {
    const key = this.keys.game(gameId);
    const [s, p] = await this.redis.hmget(key, 's', 'p');
    return this.settled(s === null ? null : { snapshot: toRaw(s), presence: p === null ? null : toRawPresence(p) }, key);
  }

  /** The player's unfinished games, read from their snapshots (stale entries released: G2), once durable. */
  unfinishedGames(playerId: string): Promise<{ id: string; raw: RawSnapshot }[]> { return seats.unfinishedGames(this, playerId); }

  /**
   * Keeps this gateway instance registered for `ttlMs` (3 heartbeats); `info` is what /api/gateways
   * shows of it. Also keeps the registry's clock (lua/heartbeat-2.lua): a silence of every gateway
   * longer than 2 beats (and at least OUTAGE_MIN_GAP_MS) is an outage of the registry's shard, after
   * which lapsed registrations are not judged for the TTL and a beat.
   * Returns false when the registration had lapsed (its connections may have been pruned since).
   */
  async heartbeat(instanceId: string, info: object, ttlMs: number): Promise<boolean> {
    const beat = ttlMs / 3;
    const r = await this.call.heartbeat([this.keys.instances(), this.keys.registryClock()],
      [instanceId, JSON.stringify(info), ttlMs, Math.round(Math.max(2 * beat, OUTAGE_MIN_GAP_MS)), Math.round(ttlMs + beat)]);
    return r === 1;
  }

  /** Ends this instance's registration (lapsed now); what is left of it (connections not forgotten) is reaped like a dead one's. */
  async unregister(instanceId: string): Promise<void> {
    const v = await this.redis.hget(this.keys.instances(), instanceId);
    await this.call.heartbeat([this.keys.instances(), this.keys.registryClock()], [instanceId, v?.replace(/^\d+ /, '') ?? '{}', 0, 0, 0]);
  }

  /** The live gateway instances' descriptions. */
  async liveInstances(): Promise<unknown[]> {
    return (await presence.registry(this)).live.map(([, info]) => JSON.parse(info) as unknown);
  }
}
