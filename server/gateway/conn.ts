// One client connection's state on a gateway: who it is once it said hello, the games it follows,
// its rate limit and abuse count. Nothing here outlives the socket; all of it can be rebuilt from a
// hello with the player's token.
import type { Socket } from '../transport/types.js';
import type { Role } from './rooms.js';
import { AbuseWindow, type TokenBucket } from './abuse.js';

export class Conn {
  /** The player, once hello completed (requests are served from then on). */
  playerId: string | null = null;
  /** The player this connection is recorded for in Redis (its conns, the instance's index), as soon as hello's script answered. */
  recorded: string | null = null;
  name = '';
  tokenHash = '';
  helloPending = false;
  closed = false;
  readonly rooms = new Map<string, Role>();
  helloTimer: NodeJS.Timeout | null = null;
  sessionTouchedAt = 0;
  /** Bad input in the current window (see abuse.ts). */
  readonly abuse = new AbuseWindow();
  inflight = 0;
  private roomOps: Promise<unknown> = Promise.resolve();

  constructor(readonly socket: Socket, readonly id: string, readonly member: string, readonly bucket: TokenBucket, readonly openedAt: number) {}

  /**
   * Runs this connection's watch and unwatch one after another, in the order they arrived: an
   * unwatch sent right behind a watch must not be overtaken by it (the watch waits on Redis).
   */
  inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.roomOps.then(fn);
    this.roomOps = p.catch(() => {});
    return p;
  }

  send(text: string): void { if (!this.closed) this.socket.send(text); }
  subscribe(topic: string): void { this.socket.subscribe(topic); }
  unsubscribe(topic: string): void { this.socket.unsubscribe(topic); }
}
