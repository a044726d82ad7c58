// Reference-counted Redis channel subscriptions on the gateway's one subscriber connection: a
// channel is subscribed while at least one local holder needs it. Commands on one connection run
// in order, so an UNSUBSCRIBE followed by a SUBSCRIBE of the same channel ends subscribed.

/** What subscriptions need of the subscriber connection (an ioredis client in subscriber mode). */
export interface Subscriber {
  readonly status: string;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
}

export class Subscriptions {
  private readonly counts = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly sub: Subscriber) {}

  /** Holds `channel`; resolves once Redis confirmed the subscription. On rejection the hold is already released. */
  acquire(channel: string): Promise<void> {
    const n = this.counts.get(channel) ?? 0;
    this.counts.set(channel, n + 1);
    const waiting = this.pending.get(channel);
    if (n > 0 && waiting) return waiting.catch((e) => { this.release(channel); throw e; });
    if (n > 0) return Promise.resolve();
    const p = this.sub.subscribe(channel).then(() => { this.pending.delete(channel); }, (e) => {
      this.pending.delete(channel);
      throw e;
    });
    this.pending.set(channel, p);
    return p.catch((e) => { this.release(channel); throw e; });
  }

  release(channel: string): void {
    const n = this.counts.get(channel) ?? 0;
    if (n > 1) { this.counts.set(channel, n - 1); return; }
    if (n === 0) return;
    this.counts.delete(channel);
    if (this.sub.status === 'ready') this.sub.unsubscribe(channel).catch(() => { /* gone with the connection */ });
  }

  get size(): number { return this.counts.size; }

  /** After a reconnect: subscribes every held channel again. */
  async resubscribeAll(): Promise<void> {
    const all = [...this.counts.keys()];
    for (let i = 0; i < all.length; i += 1000) await this.sub.subscribe(...all.slice(i, i + 1000));
  }
}
