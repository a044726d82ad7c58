// The requests in flight of one client, across all its sockets: each gets a rid (and an `idem`
// when it is a state change without one), is matched to its answer by rid, and until it is
// answered for good it is sent again, byte for byte the same, after UNAVAILABLE (and the other
// "try again" answers), after its answer timed out, and on the next socket after a lost one. Every
// retry is bounded: a request is sent at most `maxSends` times.
import type { ErrorCode } from '../wire.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { ClientSocket, Clock, TimerHandle } from './seams.js';
import { IDEM_TYPES, RequestError, type ClientFailure, type OkAnswer, type Outgoing, type SentRequest } from './types.js';

/** Answers that mean "not applied, or not known to be: the same request may be sent again". */
const RETRYABLE: ReadonlySet<string> = new Set<ErrorCode>(['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);

/** The socket requests go out on: the welcomed one, or null while there is none. */
export type CurrentSocket = () => { socket: ClientSocket; gateway: string } | null;

export interface SendReport { msg: SentRequest; attempt: number; gateway: string }

export interface RequestTableOptions {
  current: CurrentSocket;
  clock: Clock;
  random: () => number;
  newId: () => string;
  ridPrefix: string;
  backoff: BackoffPolicy;
  maxSends: number;
  answerTimeoutMs: number;
  /** Told of every send (the first and each resend), e.g. for a recorder. */
  sent?(s: SendReport, at: number): void;
}

interface Pending {
  msg: SentRequest;
  text: string;
  sends: number;
  /** The socket the last send went out on (null: not sent on any live socket). */
  sentOn: ClientSocket | null;
  /** The answer timeout, or the pause before a retry. */
  timer: TimerHandle | null;
  lastFailure: ErrorCode | ClientFailure | null;
  resolve(ok: OkAnswer): void;
  reject(e: RequestError): void;
}

export class RequestTable {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  constructor(private readonly o: RequestTableOptions) {}

  get size(): number { return this.pending.size; }

  /** A fresh rid of this client (also for pings, which are not requests kept here). */
  nextRid(): string { return `${this.o.ridPrefix}${++this.seq}`; }

  /** Registers a request and sends it now if a socket is welcomed, else on the next one. */
  add(msg: Outgoing): Promise<OkAnswer> {
    const rid = this.nextRid();
    const needsIdem = IDEM_TYPES.has(msg.t) && !(msg as { idem?: string }).idem;
    const stamped = { ...msg, rid, ...(needsIdem ? { idem: this.o.newId() } : {}) } as SentRequest;
    return new Promise<OkAnswer>((resolve, reject) => {
      const p: Pending = { msg: stamped, text: JSON.stringify(stamped), sends: 0, sentOn: null, timer: null, lastFailure: null, resolve, reject };
      this.pending.set(rid, p);
      this.send(p);
    });
  }

  /** After a welcome: sends every request that has not gone out on this socket yet. */
  flush(socket: ClientSocket): void {
    for (const p of [...this.pending.values()]) if (p.sentOn !== socket) this.send(p);
  }

  /** An `ok`, `pong` or `error` carrying `rid`: settles or retries its request. False when no request has that rid. */
  answer(rid: string, m: { t: string; code?: unknown; message?: unknown }): boolean {
    const p = this.pending.get(rid);
    if (!p) return false;
    if (m.t !== 'error') { this.settle(p, m as OkAnswer); return true; }
    const code = String(m.code) as ErrorCode;
    p.lastFailure = code;
    if (RETRYABLE.has(code) && p.sends < this.o.maxSends) {
      this.arm(p, backoffDelay(p.sends - 1, this.o.backoff, this.o.random), () => this.send(p));
    } else {
      this.settle(p, new RequestError(code, typeof m.message === 'string' ? m.message : code));
    }
    return true;
  }

  /** The socket is gone: nothing is awaited on it any more; every request waits for the next one. */
  orphan(): void {
    for (const p of this.pending.values()) {
      p.sentOn = null;
      this.disarm(p);
    }
  }

  /** The session is over: every request fails with `code`. */
  failAll(code: ClientFailure, why: string): void {
    for (const p of [...this.pending.values()]) this.settle(p, new RequestError(code, why));
  }

  private send(p: Pending): void {
    this.disarm(p);
    const cur = this.o.current();
    if (!cur) { p.sentOn = null; return; }
    if (p.sends >= this.o.maxSends) {
      this.settle(p, new RequestError(p.lastFailure ?? 'TIMEOUT', `no answer after ${p.sends} sends`));
      return;
    }
    p.sends++;
    p.sentOn = cur.socket;
    this.o.sent?.({ msg: p.msg, attempt: p.sends, gateway: cur.gateway }, this.o.clock.now());
    // a live socket that does not answer: the same request again (the ping finds a dead socket)
    this.arm(p, this.o.answerTimeoutMs, () => { p.lastFailure = 'TIMEOUT'; this.send(p); });
    cur.socket.send(p.text);
  }

  private settle(p: Pending, result: OkAnswer | RequestError): void {
    if (this.pending.get(p.msg.rid) !== p) return;
    this.pending.delete(p.msg.rid);
    this.disarm(p);
    if (result instanceof RequestError) p.reject(result); else p.resolve(result);
  }

  private arm(p: Pending, ms: number, fn: () => void): void {
    this.disarm(p);
    p.timer = this.o.clock.setTimeout(() => { p.timer = null; fn(); }, ms);
  }

  private disarm(p: Pending): void {
    if (p.timer !== null) this.o.clock.clearTimeout(p.timer);
    p.timer = null;
  }
}
