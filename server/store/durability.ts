// The durability barrier: what the gateway awaits between a change (or a read) in Redis and
// anything a client or a watcher learns of it. `sync(key)` resolves once every write that completed
// before the call (on the shard of `key`, a key of the slot that changed or was read: the store
// passes the first key of the change) survives the SIGKILL of any one Redis process, or throws DurabilityError (the
// client is answered UNAVAILABLE: "not known to be applied", settled by its resend with mid/idem).
//
// - fsync (REDIS_MODE=single): Redis runs with appendonly yes + appendfsync always. Redis 7.0
//   fsyncs the AOF in beforeSleep before it writes any reply or pub/sub message of that event loop
//   turn, so by the time a reply reaches the gateway the write is on disk: nothing to wait for.
// - replica (REDIS_MODE=sentinel): WAIT counts only the calling connection's own writes and blocks
//   that connection, so a dedicated connection writes a fence key of this gateway instance and then
//   WAITs for one replica. The replication stream is ordered: once a replica has the fence it has
//   every write that completed before it. Callers arriving while a round is in flight share the
//   next round, so there is one WAIT per group of callers, never one per command.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface DurabilityBarrier {
  /** `fsync`: nothing to wait for, every reply already follows the fsync (callers may skip `sync`). */
  readonly mode: 'fsync' | 'replica';
  /**
   * `key`: a key of the slot the change or read was in (a cluster barrier WAITs on that key's
   * shard); the fsync and sentinel barriers ignore it (one primary holds every slot).
   */
  sync(key?: string): Promise<void>;
}

/** A change or read could not be made safe in time: answered UNAVAILABLE (not TypeError: see failureCode). */
export class DurabilityError extends Error {
  override name = 'DurabilityError';
}

/** The barrier's own connection: writes the fence, then WAITs; resolves with the replicas that acknowledged. */
export interface FenceConnection {
  fenceAndWait(timeoutMs: number): Promise<number>;
}

/** fsync mode: every reply already follows the fsync of the writes before it. */
export const fsyncBarrier: DurabilityBarrier = { mode: 'fsync', sync: (_key?: string) => Promise.resolve() };

const noop = () => {};

export class ReplicaBarrier implements DurabilityBarrier {
  readonly mode = 'replica';
  /** The round whose fence is written or being waited on. */
  private current: Promise<void> | null = null;
  /** The round that starts once `current` ends: shared by everyone who called while `current` ran. */
  private queued: Promise<void> | null = null;
  /** Rounds run so far (for tests and metrics). */
  rounds = 0;

  constructor(private readonly conn: FenceConnection, private readonly timeoutMs: number) {}

  sync(_key?: string): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.current) return this.start();
    // the round in flight may have written its fence before this caller's write completed
    this.queued = this.current.then(noop, noop).then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<void> {
    const p: Promise<void> = this.round().finally(() => { if (this.current === p) this.current = null; });
    this.current = p;
    return p;
  }

  private async round(): Promise<void> {
    this.rounds++;
    const acked = await this.conn.fenceAndWait(this.timeoutMs);
    if (acked < 1) throw new DurabilityError(`no replica acknowledged within ${this.timeoutMs} ms`);
  }
}

/**
 * The fence connection on a dedicated ioredis client (no auto-pipelining: a WAIT blocks its
 * connection). The fence key expires by itself; its value only has to change.
 */
export function redisFence(redis: Redis, fenceKey: string): FenceConnection {
  let n = 0;
  return {
    async fenceAndWait(timeoutMs) {
      // a plain pipeline, not MULTI: inside a transaction WAIT would not block
      const res = await redis.pipeline().set(fenceKey, String(++n), 'PX', 60_000).call('WAIT', 1, timeoutMs).exec();
      if (!res) throw new DurabilityError('fence not sent');
      const [[setErr], [waitErr, acked]] = res;
      if (setErr) throw setErr;
      if (waitErr) throw waitErr;
      return Number(acked);
    },
  };
}

/**
 * fsync mode, at start-up: warns when the server does not fsync every write (CONFIG may be refused
 * by a managed Redis or an ACL: then nothing is known and nothing is logged but a debug line).
 */
export async function checkFsync(redis: Redis, log: Logger): Promise<boolean | null> {
  try {
    const [ao, fs] = await Promise.all([redis.config('GET', 'appendonly'), redis.config('GET', 'appendfsync')]) as [string[], string[]];
    const ok = ao[1] === 'yes' && fs[1] === 'always';
    if (!ok) {
      log.warn({ appendonly: ao[1], appendfsync: fs[1] }, 'REDIS_MODE=single but Redis does not fsync every write (appendonly yes, appendfsync always): an acknowledged change can be lost if Redis dies');
    }
    return ok;
  } catch (e) {
    log.debug({ err: (e as Error).message }, 'could not read the persistence settings of Redis (CONFIG refused)');
    return null;
  }
}

export interface DurabilitySetup {
  barrier: DurabilityBarrier;
  delivery: 'publish' | 'outbox';
  close(): void;
}

/**
 * The barrier and delivery of a Redis mode: `single` fsync (scripts publish), `sentinel` (and
 * `cluster`, once it exists: a fence per shard then) replica (outbox) on a connection of its own,
 * made by `connect` only in that mode.
 */
export function openDurability(o: { mode: 'single' | 'sentinel' | 'cluster'; timeoutMs: number; fenceKey: string; connect(): Redis }): DurabilitySetup {
  if (o.mode === 'single') return { barrier: fsyncBarrier, delivery: 'publish', close: () => {} };
  const conn = o.connect();
  return { barrier: new ReplicaBarrier(redisFence(conn, o.fenceKey), o.timeoutMs), delivery: 'outbox', close: () => conn.disconnect() };
}
