// Publishing. Every publication the gateway makes goes through one Publisher (a plain PUBLISH; a
// cluster makes it SPUBLISH): outbox delivery, the reconciler's republishing, player notices.
//
// REDIS_MODE=sentinel: what a change is to publish waits in the outbox of its game's bucket
// (`trine:outbox:{t:B}`, written by the script itself: lua/includes/core.lua, `emit`). The gateway
// that made a change publishes it once the barrier says a replica has it, then removes exactly the
// entries it published; a gateway that died in between leaves them, and the sweeper of the bucket
// publishes them after a second (reconcile, called with the bucket's sweep).
import type { Redis } from 'ioredis';
import type { DurabilityBarrier } from './durability.js';
import type { Keys } from './keys.js';
import { encodeGameEvent, toRaw } from './channels.js';

/** The one way the gateway publishes on a channel. */
export interface Publisher {
  publish(channel: string, payload: string): Promise<unknown>;
}

/** PUBLISH on the client (single, sentinel). */
export function redisPublisher(redis: Pick<Redis, 'publish'>): Publisher {
  return { publish: (channel, payload) => redis.publish(channel, payload) };
}

/** The bucket a key of a game's slot names (`{t:B}`), or null. */
export function bucketOfKey(key: string): number | null {
  const m = /\{t:(\d+)\}/.exec(key);
  return m ? Number(m[1]) : null;
}

export type OutboxRedis = Pick<Redis, 'zrem' | 'zrangebyscore' | 'hget' | 'time'>;

export class Outbox {
  /** Entries published per bucket, to remove from each bucket's outbox in one ZREM per tick. */
  private published = new Map<number, string[]>();
  private flushing = false;

  constructor(private readonly redis: OutboxRedis, private readonly keys: Keys, private readonly barrier: DurabilityBarrier,
    private readonly publisher: Publisher) {}

  /**
   * Publishes a script's publications (flat `ENTRY, CHANNEL, PAYLOAD, ...`) of the change whose
   * first key is `key`; the caller has awaited the barrier, so the change is safe: a failed
   * publication does not fail the request, its entry stays and a reconciler publishes it. A failed
   * removal is as harmless.
   */
  async deliver(pubs: string[], key: string): Promise<void> {
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i + 2 < pubs.length; i += 3) sent.push(this.publisher.publish(pubs[i + 1], pubs[i + 2]));
    if (!(await Promise.all(sent).then(() => true, () => false))) return;
    const bucket = bucketOfKey(key);
    if (bucket === null) return;
    let list = this.published.get(bucket);
    if (!list) this.published.set(bucket, (list = []));
    for (let i = 0; i < pubs.length; i += 3) list.push(pubs[i]);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    const all = this.published;
    this.published = new Map();
    for (const [bucket, entries] of all) {
      this.redis.zrem(this.keys.outbox(bucket), ...entries).catch(() => { /* republished by a reconciler, harmless */ });
    }
  }

  /**
   * Publishes every entry of bucket `bucket`'s outbox older than `olderThanMs` (by Redis' clock),
   * at most `limit`: a state as the game's current snapshot (a newer version supersedes the one
   * recorded; receivers keep the highest), a notice as recorded; then removes them. Any gateway may
   * run it, at any time: a publication twice is harmless. Returns how many entries it handled.
   */
  async reconcile(bucket: number, olderThanMs: number, limit = 200): Promise<number> {
    const key = this.keys.outbox(bucket);
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const entries = await this.redis.zrangebyscore(key, '-inf', now - olderThanMs, 'LIMIT', 0, limit);
    if (!entries.length) return 0;
    const reads = await Promise.all(entries.map((e) => {
      const state = /^S (\S+) \d+$/.exec(e);
      return state ? this.redis.hget(this.keys.game(state[1]), 's').then((s) => ({ id: state[1], s })) : null;
    }));
    // what was just read may itself not be on a replica yet
    await this.barrier.sync(key);
    const sent: Promise<unknown>[] = [];
    entries.forEach((e, i) => {
      const read = reads[i];
      if (read) {
        if (read.s === null) return; // the game expired since
        sent.push(this.publisher.publish(this.keys.gameChannel(read.id), encodeGameEvent({ kind: 'state', snapshot: toRaw(read.s) })));
        return;
      }
      const m = /^N (\S+) (.+)$/s.exec(e);
      if (m) sent.push(this.publisher.publish(m[1], m[2]));
    });
    await Promise.all(sent);
    await this.redis.zrem(key, ...entries);
    return entries.length;
  }
}
