// The gateway's one seam to Redis: every state change through its Lua script, every read of a
// snapshot, and the instance registry. Callers get typed results, never raw replies.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isFinished, toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';
import { Keys } from './keys.js';
import { Outbox } from './outbox.js';
import { registerScripts, type ScriptCall, type ScriptName } from './scripts.js';
import {
  COMPUTER_LEASE_MS, computerTurn, expireResult, FSYNC, status, variantArgs, type Durability, type ExpireResult, type GameSpec, type StoreLimits,
} from './store-types.js';

// the stored forms and channel messages are decoded in channels.ts, the Store's types in store-types.ts;
// re-exported for the Store's callers
export { isFinished, parseSnapshot, toRaw, toRawPresence, type RawPresence, type RawSnapshot } from './channels.js';
export * from './store-types.js';
/** How long the reaper keeps the quick-match place of a player whose gateway was cut off (see lua/reap-6.lua). */
export const QUEUE_HOLD_MS = 60_000;
/** The shortest silence of every gateway taken for a store outage (ms). */
const OUTAGE_MIN_GAP_MS = 1000;
/** Outages are kept this long beyond the longest clock, for clocks that ran through them (see lua/expire-3.lua). */
const OUTAGE_HISTORY_MARGIN_MS = 60_000;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class Store {
  readonly keys: Keys;
  readonly outbox: Outbox;
  private readonly call: Record<ScriptName, ScriptCall>;

  constructor(readonly redis: Redis, readonly limits: StoreLimits, prefix = 'trine', readonly durability: Durability = FSYNC) {
    this.keys = new Keys(prefix);
    this.outbox = new Outbox(redis, this.keys, durability.barrier);
    // published once a replica has the change: the same barrier round the caller's answer awaits
    this.call = registerScripts(redis, this.keys, { gameIdleMs: limits.gameIdleTtlS * 1000, delivery: durability.delivery }, (pubs) => {
      durability.barrier.sync().then(() => this.outbox.deliver(pubs)).catch(() => { /* left in the outbox for a reconciler */ });
    });
  }

  /**
   * Runs a script; `durable`: its reply reaches a client, so it returns only once the change (or
   * what it read) survives a Redis process' death. What the script recorded for watchers is
   * published after that too, never before (see the constructor).
   */
  private exec(name: ScriptName, keys: (string | number)[], args: (string | number)[], durable = true): Promise<unknown> {
    const reply = this.call[name](keys, args);
    // fsync mode: the reply itself follows the fsync (see durability.ts): no promise hop for a barrier with nothing to wait for
    if (!durable || this.durability.barrier.mode === 'fsync') return reply;
    return reply.then((r) => this.durability.barrier.sync().then(() => r));
  }

  private run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown[]> {
    return this.exec(name, keys, args) as Promise<unknown[]>;
  }

  /** Resolves once what was read before the call survives a Redis process' death. */
  private settled<T>(value: T): Promise<T> {
    if (this.durability.barrier.mode === 'fsync') return Promise.resolve(value);
    return this.durability.barrier.sync().then(() => value);
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
      await this.exec('attach', [k.instancePlayers(instance), k.deadlines(), k.queue(), k.queueNames()],
        [this.limits.abandonMs, ...entries.slice(i, i + 200).flat()], false);
    }
  }

  /** Forgets a connection; false when the player has no live connection left (it went offline). */
  async disconnect(playerId: string, instance: string, conn: string): Promise<boolean> {
    const k = this.keys;
    const r = await this.exec('disconnect', [k.playerConns(playerId), k.queue(), k.queueNames(), k.instancePlayers(instance), k.deadlines()],
      [conn, playerId, this.limits.abandonMs], false);
    return r === 1;
  }

  /**
   * A resend of an applied `idem` answers the first game's id and code (not the ones passed now).
   * `spec.vs` computer: the game starts at once and has no invite code (`code` is ignored; '' back).
   */
  async create(playerId: string, name: string, gameId: string, code: string, idem = '', spec: GameSpec = {}) {
    const k = this.keys;
    const l = this.limits;
    const vs = spec.vs === 'computer';
    const r = await this.run('create', [k.playerGames(playerId), k.game(gameId), k.code(vs ? 'none' : code), k.queue(), k.queueNames(), k.deadlines()],
      [playerId, name, gameId, vs ? '' : code, l.maxGamesPerPlayer, l.inviteTtlMs, l.abandonMs, idem, variantArgs(spec.variant).json, vs ? 1 : 0, l.turnMs]);
    return status(r, (x) => ({ version: Number(x[1]), gameId: String(x[2]), code: String(x[3]) }));
  }

  /** The game an invite code names; a miss (answered NOT_FOUND) only once it survives a Redis process' death. */
  async gameOfCode(code: string): Promise<string | null> {
    const id = await this.redis.get(this.keys.code(code));
    return id === null ? this.settled(id) : id; // a hit goes on to the join script, which has its own barrier
  }

  /** A resend of an applied `idem` answers the first game's id, even once the code no longer names it. */
  async join(playerId: string, name: string, code: string, gameId: string, idem = '') {
    const k = this.keys;
    const r = await this.run('join', [k.code(code), k.game(gameId), k.playerGames(playerId), k.queue(), k.queueNames(), k.deadlines()],
      [playerId, name, gameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs, idem]);
    return status(r, (x) => ({ version: Number(x[1]), gameId: String(x[2]) }));
  }

  /**
   * The answer a `join` with this idem got when it was applied, or null: for a resend whose invite
   * code no longer names a game (it started and ended since). A read: nothing to apply.
   */
  async recalledJoin(playerId: string, idem: string): Promise<{ version: number; gameId: string } | null> {
    const v = await this.redis.get(this.keys.playerIdem(playerId, idem));
    const r = v === null ? null : JSON.parse(v) as unknown[];
    return this.settled(r && r[0] === 'OK' && typeof r[2] === 'string' ? { version: Number(r[1]), gameId: r[2] } : null);
  }

  /** Quick match of `spec.variant` (absent or classic: the classic queue). */
  async queue(playerId: string, name: string, newGameId: string, idem = '', spec: Pick<GameSpec, 'variant'> = {}) {
    const k = this.keys;
    const v = variantArgs(spec.variant);
    const [q, qn] = v.name ? [k.variantQueue(v.name), k.variantQueueNames(v.name)] : [k.queue(), k.queueNames()];
    const r = await this.run('queue', [k.queue(), k.queueNames(), k.playerGames(playerId), k.deadlines(), q, qn],
      [playerId, name, newGameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs, idem, v.json, v.name]);
    return status(r, (x) => ({ matched: x[1] === 'matched' ? String(x[2]) : null }));
  }

  async unqueue(playerId: string, idem = '') {
    const r = await this.run('unqueue', [this.keys.queue(), this.keys.queueNames()], [playerId, idem]);
    return status(r, () => ({}));
  }

  async move(playerId: string, gameId: string, cell: number, mid: string) {
    const r = await this.run('move', [this.keys.game(gameId), this.keys.deadlines()],
      [playerId, cell, mid, this.limits.turnMs, this.limits.finishedTtlS]);
    // status is absent when the mid had been applied before (nothing changed this time)
    return status(r, (x) => ({ version: Number(x[1]), status: x[2] === undefined ? null : String(x[2]), ...computerTurn(x, 3) }));
  }

  /** With more than two players the game may go on without the resigner (`status` playing). */
  async resign(playerId: string, gameId: string, idem = '') {
    const r = await this.run('resign', [this.keys.game(gameId), this.keys.deadlines()], [playerId, this.limits.finishedTtlS, idem, this.limits.turnMs]);
    return status(r, (x) => ({ version: Number(x[1]), status: String(x[2]), ...computerTurn(x, 3) }));
  }

  async rematch(playerId: string, gameId: string, newGameId: string, idem = '') {
    const k = this.keys;
    const r = await this.run('rematch', [k.game(gameId), k.game(newGameId), k.deadlines(), k.queue(), k.queueNames()],
      [playerId, newGameId, this.limits.maxGamesPerPlayer, this.limits.turnMs, this.limits.abandonMs, idem]);
    return status(r, (x) => ({ started: x[1] === 'started' ? String(x[2]) : null, ...computerTurn(x, 3) }));
  }

  /**
   * Applies the due time rule of one game: what this call applied (each is applied by one call
   * only), or the computer's turn it claimed (for COMPUTER_LEASE_MS), or null.
   */
  async expire(gameId: string): Promise<ExpireResult> {
    const l = this.limits;
    return expireResult(await this.exec('expire', [this.keys.deadlines(), this.keys.game(gameId), this.keys.outages()],
      [gameId, l.finishedTtlS, l.turnMs, l.abandonMs, l.inviteTtlMs, COMPUTER_LEASE_MS]));
  }

  /**
   * Takes up to `count` games whose time rule is due out of every other gateway's sweep for
   * `leaseMs` (a computer's turn for COMPUTER_LEASE_MS; see lua/claim-1.lua); the caller applies
   * them with `expire`.
   */
  async claimDue(count: number, leaseMs: number): Promise<string[]> {
    return (await this.call.claim([this.keys.deadlines()], [count, leaseMs, COMPUTER_LEASE_MS])) as string[];
  }

  /**
   * Cleans up after a dead gateway instance, up to `batch` of its players per call (see lua/reap-6.lua).
   * `left` is how many remain; null when the instance is alive after all.
   */
  async reap(instance: string, batch: number): Promise<{ handled: number; left: number } | null> {
    const k = this.keys;
    const r = (await this.exec('reap', [k.instance(instance), k.instancePlayers(instance), k.instances(), k.deadlines(), k.queue(), k.queueNames()],
      [instance, batch, this.limits.abandonMs, QUEUE_HOLD_MS], false)) as [number, number];
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
   * Size of the deadlines set: every unfinished game has one entry (at the latest its idle rule),
   * so this counts the cluster's unfinished games in O(1).
   */
  async deadlineCount(): Promise<number> {
    return this.redis.zcard(this.keys.deadlines());
  }

  /** The current snapshot of a game as its `state` frame, or null when there is no such game. */
  /** Returns once what it read survives a Redis process' death (it is sent to clients). */
  async readGame(gameId: string): Promise<RawSnapshot | null> {
    return this.settled(await this.readGameNow(gameId));
  }

  private async readGameNow(gameId: string): Promise<RawSnapshot | null> {
    const s = await this.redis.hget(this.keys.game(gameId), 's');
    return s === null ? null : toRaw(s);
  }

  /**
   * What a room needs of a game: its snapshot and newest presence message (one read), or null when
   * there is no such game. Returns once what it read survives a Redis process' death.
   */
  async readRoom(gameId: string): Promise<{ snapshot: RawSnapshot; presence: RawPresence | null } | null> {
    const [s, p] = await this.redis.hmget(this.keys.game(gameId), 's', 'p');
    return this.settled(s === null ? null : { snapshot: toRaw(s), presence: p === null ? null : toRawPresence(p) });
  }

  /** The player's unfinished games, read from their snapshots (stale entries are skipped), once durable. */
  async unfinishedGames(playerId: string): Promise<{ id: string; raw: RawSnapshot }[]> {
    const ids = await this.redis.smembers(this.keys.playerGames(playerId));
    const out: { id: string; raw: RawSnapshot }[] = [];
    await Promise.all(ids.map(async (id) => {
      const raw = await this.readGameNow(id);
      if (raw && !isFinished(raw)) out.push({ id, raw });
    }));
    return this.settled(out);
  }

  /**
   * Keeps this gateway instance registered for `ttlMs` (3 heartbeats); `info` is what /api/gateways
   * shows of it. Also records store outages (lua/heartbeat-4.lua): a silence of every gateway longer
   * than 2 beats (and at least OUTAGE_MIN_GAP_MS, so that a machine briefly too busy to beat is not
   * taken for one) is one; lapsed registrations are not judged for the TTL and a beat after it.
   * Returns false when the registration had lapsed (its connections may have been pruned since).
   */
  async heartbeat(instanceId: string, info: object, ttlMs: number): Promise<boolean> {
    const k = this.keys;
    const beat = ttlMs / 3;
    const l = this.limits;
    const history = Math.max(l.turnMs, l.abandonMs, l.inviteTtlMs) + OUTAGE_HISTORY_MARGIN_MS;
    const r = await this.call.heartbeat([k.instance(instanceId), k.instances(), k.storeClock(), k.outages()],
      [instanceId, JSON.stringify(info), ttlMs, Math.round(Math.max(2 * beat, OUTAGE_MIN_GAP_MS)), Math.round(ttlMs + beat), history]);
    return r === 1;
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
