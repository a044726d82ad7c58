// Fakes of the gateway's own seams for in-process unit tests (never of Redis): a manual clock,
// counters, a silent logger, a subscriber connection, a fan-out transport and room members.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import type { Member, Role } from '../../server/gateway/rooms.js';
import type { Metrics } from '../../server/metrics.js';
import type { Subscriber } from '../../server/gateway/subscriptions.js';

export const silentLog = pino({ level: 'silent' });

/** A clock a test moves by hand. */
export class ManualClock {
  constructor(public t = 1_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void { this.t += ms; }
}

/** A counter or gauge that remembers what it was given, by label set. */
export class FakeCounter {
  readonly values = new Map<string, number>();
  inc(labels?: Record<string, string> | number, n?: number): void {
    const [key, by] = typeof labels === 'object' ? [JSON.stringify(labels), n ?? 1] : ['', labels ?? 1];
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  set(v: number): void { this.values.set('', v); }
  labels(labels: Record<string, string>): { inc(n?: number): void; observe(v: number): void } {
    return { inc: (n = 1) => this.inc(labels, n), observe: () => this.inc(labels, 1) };
  }
  get(labels?: Record<string, string>): number { return this.values.get(labels ? JSON.stringify(labels) : '') ?? 0; }
}

/** Metrics of the given names, each a FakeCounter (typed as the gateway's metrics, which the modules take). */
export function fakeMetrics<K extends keyof Metrics>(...names: K[]): Pick<Metrics, K> & Record<K, FakeCounter> {
  return Object.fromEntries(names.map((n) => [n, new FakeCounter()])) as unknown as Pick<Metrics, K> & Record<K, FakeCounter>;
}

/** A promise settled by the test. */
export function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Waits until every promise callback queued so far has run (no timers involved). */
export const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve(); };

/** A subscriber connection: records SUBSCRIBE/UNSUBSCRIBE; `failNext` makes the next SUBSCRIBE fail. */
export class FakeSubscriber implements Subscriber {
  status = 'ready';
  readonly subscribed: string[][] = [];
  readonly unsubscribed: string[][] = [];
  failNext: Error | null = null;
  async subscribe(...channels: string[]): Promise<unknown> {
    const e = this.failNext;
    this.failNext = null;
    if (e) throw e;
    this.subscribed.push(channels);
    return channels.length;
  }
  async unsubscribe(...channels: string[]): Promise<unknown> {
    this.unsubscribed.push(channels);
    return 0;
  }
}

/** Room members' transport: publish sends to every member subscribed to the topic. */
export class FakeFanout {
  private readonly topics = new Map<string, Set<FakeMember>>();
  readonly published: [topic: string, text: string][] = [];
  publish(topic: string, text: string): void {
    this.published.push([topic, text]);
    for (const m of this.topics.get(topic) ?? []) m.send(text);
  }
  add(topic: string, m: FakeMember): void {
    if (!this.topics.has(topic)) this.topics.set(topic, new Set());
    this.topics.get(topic)!.add(m);
  }
  remove(topic: string, m: FakeMember): void { this.topics.get(topic)?.delete(m); }
}

/** A socket as a room sees it: what it received, in order. */
export class FakeMember implements Member {
  closed = false;
  readonly rooms = new Map<string, Role>();
  readonly received: string[] = [];
  constructor(private readonly fanout: FakeFanout) {}
  send(text: string): void { if (!this.closed) this.received.push(text); }
  subscribe(topic: string): void { this.fanout.add(topic, this); }
  unsubscribe(topic: string): void { this.fanout.remove(topic, this); }
  /** The `t` of each frame received, with its version or presence sequence where it has one. */
  kinds(): string[] {
    return this.received.map((f) => {
      const m = JSON.parse(f) as { t: string; game?: { version: number }; online?: unknown };
      return m.t === 'state' ? `state@${m.game!.version}` : m.t === 'presence' ? `presence:${JSON.stringify(m.online)}` : m.t;
    });
  }
}

/** A Redis connection's status and events, as readiness watches them. */
export class FakeLink extends EventEmitter {
  status = 'connecting';
  pings = 0;
  disconnects: (boolean | undefined)[] = [];
  pingResult: Promise<unknown> = Promise.resolve('PONG');
  becomeReady(): void { this.status = 'ready'; this.emit('ready'); }
  lose(): void { this.status = 'reconnecting'; this.emit('close'); }
  ping(): Promise<unknown> { this.pings++; return this.pingResult; }
  disconnect(reconnect?: boolean): void { this.disconnects.push(reconnect); }
}

/** The subscriber connection: a FakeLink that subscribes and delivers channel messages. */
export class FakeSubLink extends FakeLink {
  readonly channels = new Set<string>();
  async subscribe(...channels: string[]): Promise<unknown> { for (const c of channels) this.channels.add(c); return channels.length; }
  async unsubscribe(...channels: string[]): Promise<unknown> { for (const c of channels) this.channels.delete(c); return 0; }
  /** A message as Redis would deliver it (only on a subscribed channel). */
  deliver(channel: string, payload: string): void { if (this.channels.has(channel)) this.emit('message', channel, payload); }
}
