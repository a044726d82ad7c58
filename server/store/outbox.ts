// REDIS_MODE=sentinel: how the states and notices a script recorded in the outbox reach watchers
// (see lua/includes/core.lua, `emit`). The gateway that made a change publishes them once the
// barrier says a replica has it, then removes exactly the entries it published; a gateway that
// died in between leaves them, and the reconciler of any gateway publishes them after a second.
import type { Redis } from 'ioredis';
import type { DurabilityBarrier } from './durability.js';
import type { Keys } from './keys.js';
import { encodeGameEvent, toRaw } from './channels.js';

export class Outbox {
  /** Entries published, to remove from the outbox in one ZREM per tick. */
  private published: string[] = [];
  private flushing = false;

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly barrier: DurabilityBarrier) {}

  /**
   * Publishes a script's publications (flat `ENTRY, CHANNEL, PAYLOAD, ...`); the caller has awaited
   * the barrier, so the change is safe: a failed publication does not fail the request, its entry
   * stays and a reconciler publishes it. A failed removal is as harmless.
   */
  async deliver(pubs: string[]): Promise<void> {
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i + 2 < pubs.length; i += 3) sent.push(this.redis.publish(pubs[i + 1], pubs[i + 2]));
    if (!(await Promise.all(sent).then(() => true, () => false))) return;
    for (let i = 0; i < pubs.length; i += 3) this.published.push(pubs[i]);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    const entries = this.published;
    this.published = [];
    if (entries.length) this.redis.zrem(this.keys.outbox(), ...entries).catch(() => { /* republished by a reconciler, harmless */ });
  }

  /**
   * Publishes every entry older than `olderThanMs` (by Redis' clock), at most `limit`: a state as
   * the game's current snapshot (a newer version supersedes the one recorded; receivers keep the
   * highest), a notice as recorded; then removes them. Any gateway may run it, at any time: a
   * publication twice is harmless. Returns how many entries it handled.
   */
  async reconcile(olderThanMs: number, limit = 200): Promise<number> {
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    const entries = await this.redis.zrangebyscore(this.keys.outbox(), '-inf', now - olderThanMs, 'LIMIT', 0, limit);
    if (!entries.length) return 0;
    const reads = await Promise.all(entries.map((e) => {
      const state = /^S (\S+) \d+$/.exec(e);
      return state ? this.redis.hget(this.keys.game(state[1]), 's').then((s) => ({ id: state[1], s })) : null;
    }));
    // what was just read may itself not be on a replica yet
    await this.barrier.sync();
    const sent: Promise<unknown>[] = [];
    entries.forEach((e, i) => {
      const read = reads[i];
      if (read) {
        if (read.s === null) return; // the game expired since
        sent.push(this.redis.publish(this.keys.gameChannel(read.id), encodeGameEvent({ kind: 'state', snapshot: toRaw(read.s) })));
        return;
      }
      const m = /^N (\S+) (.+)$/s.exec(e);
      if (m) sent.push(this.redis.publish(m[1], m[2]));
    });
    await Promise.all(sent);
    await this.redis.zrem(this.keys.outbox(), ...entries);
    return entries.length;
  }
}
