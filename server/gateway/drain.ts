// Stopping on purpose (SIGTERM, SIGINT): the gateway says it is draining (readiness 503, new
// sockets refused with 503), closes every client with 1012 so that it reconnects elsewhere at once,
// then waits (at most DRAIN_MS) for in-flight commands and the disconnect bookkeeping of the closed
// sockets. Everything that must finish before the process exits is tracked here.
import type { Logger } from 'pino';
import { CLOSE } from '../../shared/protocol.js';
import type { Metrics } from '../metrics.js';

/** How often the drain looks whether the work it waits for is done. */
const POLL_MS = 20;

/** What a drain closes: the open sockets. */
export interface OpenSockets<C> {
  readonly conns: ReadonlySet<C>;
  end(conn: C, code: number, reason: string): void;
}

export interface DrainDeps {
  drainMs: number;
  now(): number;
  log: Logger;
  metrics: Pick<Metrics, 'ready'>;
}

export class Drain {
  private stopping = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly d: DrainDeps) {}

  /** True once the gateway drains or closes: readiness says so and new sockets are refused. */
  get draining(): boolean { return this.stopping; }
  get inflight(): number { return this.pending.size; }

  /** Work that must finish before the process exits (commands, disconnect bookkeeping). */
  track(p: Promise<unknown>): void {
    this.pending.add(p);
    const forget = () => { this.pending.delete(p); }; // the caller handles its own failure
    p.then(forget, forget);
  }

  /** Stops serving at once, without waiting for anything (close() after a drain, or in tests). */
  stop(): void { this.stopping = true; }

  /** Drains the given sockets; false when the gateway was already draining or closed. */
  async run<C>(sockets: OpenSockets<C>): Promise<boolean> {
    const { d } = this;
    if (this.stopping) return false;
    this.stopping = true;
    d.metrics.ready.set(0);
    const conns = sockets.conns.size;
    d.log.info({ conns, inflight: this.pending.size }, 'draining');
    for (const c of [...sockets.conns]) sockets.end(c, CLOSE.RESTART, 'gateway restarting');
    const deadline = d.now() + d.drainMs;
    while (d.now() < deadline && (this.pending.size || sockets.conns.size)) {
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    d.log.info({ conns, unfinished: this.pending.size, open: sockets.conns.size }, 'drained');
    return true;
  }
}
