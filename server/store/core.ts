// What every part of the Store shares: the client (a small interface: an ioredis Redis or Cluster),
// the keys, the scripts, the durability barrier, the one publisher, and the fault hook with which a
// test cuts a multi-step sequence short between two steps (a seam, not a mock: the steps before
// it ran against Redis, the reconciler has to repair the rest).
import type { Redis } from 'ioredis';
import { Keys } from './keys.js';
import { Outbox, redisPublisher, type Publisher } from './outbox.js';
import { registerScripts, type ScriptCall, type ScriptName } from './scripts.js';
import { FSYNC, type Durability, type StoreLimits } from './store-types.js';

/**
 * What the Store sends besides its scripts, each a command of ONE key (or of one slot's keys).
 * An ioredis `Redis` is one, and so is a `Cluster`.
 */
export type StoreRedis = Pick<Redis, 'defineCommand' | 'get' | 'set' | 'del' | 'expire' | 'hget' | 'hmget' | 'hdel' | 'zrem'
  | 'zcard' | 'zrange' | 'zrangebyscore' | 'sadd' | 'srem' | 'scard' | 'srandmember' | 'smembers' | 'publish' | 'time'>;

/**
 * Called with a step's name before the step runs (`STEP` of `SEQUENCE:STEP`, e.g. `create:game`):
 * a test throws from it to leave a sequence cut short, as a gateway dying there would.
 */
export type FaultHook = (step: string) => void;

export class StoreCore {
  readonly keys: Keys;
  readonly outbox: Outbox;
  readonly publisher: Publisher;
  protected readonly call: Record<ScriptName, ScriptCall>;

  constructor(readonly redis: StoreRedis, readonly limits: StoreLimits, prefix = 'trine', readonly durability: Durability = FSYNC,
    readonly fault: FaultHook = () => {}) {
    this.keys = new Keys(prefix);
    this.publisher = durability.publisher ?? redisPublisher(redis);
    this.outbox = new Outbox(redis, this.keys, durability.barrier, this.publisher);
    // published once a replica has the change: the same barrier round the caller's answer awaits
    this.call = registerScripts(redis, this.keys, { gameIdleMs: limits.gameIdleTtlS * 1000, delivery: durability.delivery }, {
      publish: (pubs, key) => {
        durability.barrier.sync(key).then(() => this.outbox.deliver(pubs, key)).catch(() => { /* left in the outbox for a reconciler */ });
      },
      // S4: a game's end (or a seat's exit) releases the index entries; a failure leaves them stale (G2), harmless
      release: async (rel) => {
        try { this.fault('end:release'); } catch { return; }
        const done: Promise<unknown>[] = [];
        for (let i = 0; i + 2 < rel.length; i += 3) {
          const [kind, gameId, of] = [rel[i], rel[i + 1], rel[i + 2]];
          done.push((kind === 'p' ? this.release(of, gameId) : this.dropCode(of, gameId)).catch(() => {}));
        }
        await Promise.all(done);
      },
    });
  }

  /**
   * Runs a script; `durable`: its reply reaches a client, so it returns only once the change (or
   * what it read) survives a Redis process' death. What the script recorded for watchers is
   * published after that too, never before (see the constructor).
   */
  exec(name: ScriptName, keys: string[], args: (string | number)[], durable = true): Promise<unknown> {
    const reply = this.call[name](keys, args);
    // fsync mode: the reply itself follows the fsync (see durability.ts): no promise hop for a barrier with nothing to wait for
    if (!durable || this.durability.barrier.mode === 'fsync') return reply;
    return reply.then((r) => this.durability.barrier.sync(keys[0]).then(() => r));
  }

  run(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown[]> {
    return this.exec(name, keys, args) as Promise<unknown[]>;
  }

  /** Resolves once what was read before the call (in the slot of `key`) survives a Redis process' death. */
  settled<T>(value: T, key: string): Promise<T> {
    if (this.durability.barrier.mode === 'fsync') return Promise.resolve(value);
    return this.durability.barrier.sync(key).then(() => value);
  }

  /**
   * Resolves with `value` once the changes of a sequence survive a Redis process' death: one
   * barrier per slot it wrote (`keys`, a key of each), so that a cluster barrier WAITs on each shard.
   * A sequence runs its steps without a barrier each and ends here, after its idem record: an
   * answer lost to a failed barrier is then given again by the resend.
   */
  async settledAll<T>(value: T, keys: string[]): Promise<T> {
    if (this.durability.barrier.mode === 'fsync') return value;
    await Promise.all([...new Set(keys)].map((k) => this.durability.barrier.sync(k)));
    return value;
  }

  /** Sends a notice the gateway publishes itself (player channels), once the change of `key` is durable. */
  async notify(channel: string, payload: string, key: string): Promise<void> {
    await this.settled(null, key);
    await this.publisher.publish(channel, payload).catch(() => { /* notices are hints: readers resync */ });
  }

  /** Deletes a finished game's invite code (its own bucket), unless it names another game by now. */
  async dropCode(code: string, gameId: string): Promise<void> {
    const key = this.keys.code(code);
    if ((await this.redis.get(key)) === gameId) await this.redis.del(key);
  }

  /** Releases a games index entry (S2's undo, S4, and G2's repair): harmless when absent. */
  async release(playerId: string, gameId: string): Promise<void> {
    await this.redis.zrem(this.keys.playerGames(playerId), gameId);
  }
}
