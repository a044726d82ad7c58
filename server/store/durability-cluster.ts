// The durability barrier of REDIS_MODE=cluster: the sentinel barrier (durability.ts: a fence write
// then `WAIT 1` on a connection of its own, one round per group of callers), once per shard.
// `sync(key)` finds the primary that holds the slot of `key` (a key of the change: the store passes
// the first key of the script) in the command client's slot map, and joins that primary's next
// round. The round writes a fence key in that same slot (`PREFIX:fence:{TAG}`, TAG the hash tag
// of `key`) on a dedicated connection to that node, then WAITs: the node's replication stream is
// ordered, so a replica that has the fence has every write the node completed before it. A node
// that no longer holds the slot answers MOVED: the round fails (UNAVAILABLE, settled by the
// client's resend) and the next caller starts a round on the node the map names now.
// Known window: if the slot map is refreshed (a failover) between a change's reply and its
// barrier, the round runs on the promoted node, which may lack the change; the refresh follows
// MOVED replies or a lost node, so the change's reply and the refresh would have to cross within
// the same event-loop turn (see docs/REDIS.md).
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { DurabilityError, ReplicaBarrier, type DurabilityBarrier } from './durability.js';

/** The part of the command client's Cluster the barrier reads: the slot map (slot -> node keys, primary first). */
export type SlotMap = Pick<Cluster, 'slots'>;

/** The hash tag of a key (what is hashed for its slot), or the whole key when it has none. */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

interface ShardRound { conn: Redis; barrier: ReplicaBarrier; fenceKey: string }

export class ClusterBarrier implements DurabilityBarrier {
  readonly mode = 'replica';
  private readonly shards = new Map<string, ShardRound>();
  private n = 0;

  constructor(private readonly map: SlotMap, private readonly o: { prefix: string; timeoutMs: number; nodeOptions: RedisOptions }) {}

  sync(key?: string, retried = false): Promise<void> {
    if (key === undefined) return Promise.reject(new DurabilityError('cluster barrier: no key names the shard'));
    const node = this.map.slots[calculateSlot(key)]?.[0];
    if (!node) return Promise.reject(new DurabilityError('cluster barrier: the slot map is not known yet'));
    let shard = this.shards.get(node);
    if (!shard) shard = this.open(node, key);
    const s = shard;
    return s.barrier.sync().catch((e: unknown) => {
      // MOVED (the fence's slot left that node: a slot moved), a lost node: the next round starts
      // afresh, with a fence in the slot of this caller's key; after MOVED this caller tries that
      // once at once (the node still holds its key: the change was just made there)
      if (this.shards.get(node) === s && !(e instanceof DurabilityError)) this.forget(node);
      if (!retried && /^MOVED /.test((e as Error).message)) return this.sync(key, true);
      throw e instanceof DurabilityError ? e : new DurabilityError(`cluster barrier: ${(e as Error).message}`);
    });
  }

  private open(node: string, key: string): ShardRound {
    const i = node.lastIndexOf(':');
    const conn = new Redis({ ...this.o.nodeOptions, host: node.slice(0, i), port: Number(node.slice(i + 1)), lazyConnect: false });
    conn.on('error', () => { /* a round fails; counted by the caller */ });
    const fenceKey = `${this.o.prefix}:fence:{${hashTag(key)}}`;
    const barrier = new ReplicaBarrier({
      fenceAndWait: async (timeoutMs) => {
        // a plain pipeline on the node's own connection: both commands reach that node, WAIT counts its replicas
        const res = await conn.pipeline().set(fenceKey, String(++this.n), 'PX', 60_000).call('WAIT', 1, timeoutMs).exec();
        if (!res) throw new DurabilityError('fence not sent');
        const [[setErr], [waitErr, acked]] = res;
        if (setErr) throw setErr;
        if (waitErr) throw waitErr;
        return Number(acked);
      },
    }, this.o.timeoutMs);
    const shard = { conn, barrier, fenceKey };
    this.shards.set(node, shard);
    return shard;
  }

  private forget(node: string): void {
    this.shards.get(node)?.conn.disconnect();
    this.shards.delete(node);
  }

  close(): void {
    for (const node of [...this.shards.keys()]) this.forget(node);
  }
}
