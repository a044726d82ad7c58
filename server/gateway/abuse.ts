// Per-connection limits on what a client may send: a token bucket for the message rate, and a
// window counting bad input (malformed messages, requests before hello, rate-limited messages)
// past which the socket is closed. Pure: time is given by the caller.
import type { ErrorCode } from '../../shared/protocol.js';

/** Token bucket: `rate` tokens per second, at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The window in which a connection's bad input is counted (ABUSE_LIMIT of them close it). */
export const ABUSE_WINDOW_MS = 10_000;

/** Counts a connection's bad input in fixed windows of ABUSE_WINDOW_MS. */
export class AbuseWindow {
  private count = 0;
  private start = 0;
  /** Counts one more; true when the count in the current window is past `limit`. */
  add(now: number, limit: number): boolean {
    if (now - this.start > ABUSE_WINDOW_MS) { this.start = now; this.count = 0; }
    return ++this.count > limit;
  }
}

/** Error answers that are the client's fault and count toward the abuse limit. */
export const isBadInput = (code: ErrorCode): boolean => code === 'BAD_MESSAGE' || code === 'HELLO_FIRST' || code === 'RATE_LIMITED';
