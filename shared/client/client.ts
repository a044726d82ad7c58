// One logical connection to the cluster over a succession of sockets, for the page and the bots
// alike. It says hello (resuming the player with the token the caller keeps), matches answers to
// requests by rid and resends unanswered ones unchanged (requests.ts), proves the socket alive with
// pings, and when a socket is lost reconnects with backoff and jitter (backoff.ts) to the next
// gateway of a live list (gateways.ts): at once after 1012 (a draining gateway), never after 1008
// or 1009 (the server refused this client: trying again would only repeat it).
import { CLOSE, NO_RECONNECT_CLOSES, PROTOCOL_VERSION } from '../wire.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { GatewayDirectory } from './gateways.js';
import { RequestTable, type SendReport } from './requests.js';
import { randomId, systemClock, type ClientSocket, type Clock, type OpenSocket, type TimerHandle } from './seams.js';
import { RequestError, type ConnState, type OkAnswer, type Outgoing, type Push, type Welcome } from './types.js';

export interface ClientHandlers {
  /** The fields of the next hello (asked before every hello: the token changes after the first welcome). */
  hello(): { token?: string; name?: string };
  /** After every welcome: the first one and each resume. */
  welcome(w: Welcome): void;
  /** Every message that is not an answer to a request: state (see versions.ts), matched, rematch, presence... */
  push(m: Push): void;
  /** The connection's phase changed (connecting, connected, reconnecting, closed). */
  phase?(s: ConnState): void;
}

export interface ClientTimings {
  /** A socket not welcomed this long after it was opened is given up (connect + handshake + hello). */
  welcomeTimeoutMs: number;
  /** A request not answered this long on a live socket is sent again. */
  answerTimeoutMs: number;
  pingEveryMs: number;
  /** A ping not answered this long: the socket is dead (a silent network cut never closes by itself). */
  pongTimeoutMs: number;
  /** A request is sent at most this many times, resends included. */
  maxSends: number;
  /** Connection attempts in a row without a welcome before the client gives up (phase closed; checkNow() starts over). */
  maxReconnects: number;
}

export const DEFAULT_TIMINGS: Readonly<ClientTimings> = Object.freeze({
  welcomeTimeoutMs: 5000, answerTimeoutMs: 10_000, pingEveryMs: 15_000, pongTimeoutMs: 5000, maxSends: 20, maxReconnects: 500,
});

export interface ClientOptions {
  gateways: GatewayDirectory;
  openSocket: OpenSocket;
  handlers: ClientHandlers;
  clock?: Clock;
  random?: () => number;
  /** Fresh idempotency keys for state changes. */
  newId?: () => string;
  /** Prefix of this client's rids (the bots put their label in it). */
  ridPrefix?: string;
  backoff?: BackoffPolicy;
  /** False: one socket only, no reconnect (a probe). */
  reconnect?: boolean;
  timings?: Partial<ClientTimings>;
  /** Told of every request sent and every message received (statistics, recorders). */
  observer?: { sent?(s: SendReport, at: number): void; received?(m: Push, at: number): void };
}

type TimerName = 'retry' | 'welcome' | 'ping' | 'pong';

export class ProtocolClient {
  private sock: ClientSocket | null = null;
  private url = '';
  private welcomed = false;
  private everWelcomed = false;
  private stopped = false;
  /** Attempts since the last welcome, and the outage they belong to (the gateway lost first, and its spread draw). */
  private attempt = 0;
  private lostUrl: string | null = null;
  private spread = 0;
  private pingRid: string | null = null;
  private readonly timers: Record<TimerName, TimerHandle | null> = { retry: null, welcome: null, ping: null, pong: null };
  private current: ConnState = { phase: 'connecting', gateway: null, closeCode: null };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly t: ClientTimings;
  private readonly requests: RequestTable;

  constructor(private readonly o: ClientOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.t = { ...DEFAULT_TIMINGS, ...o.timings };
    this.requests = new RequestTable({
      current: () => (this.sock && this.welcomed ? { socket: this.sock, gateway: this.current.gateway ?? '' } : null),
      clock: this.clock, random: this.random, newId: o.newId ?? randomId, ridPrefix: o.ridPrefix ?? 'r',
      backoff: o.backoff ?? DEFAULT_BACKOFF, maxSends: this.t.maxSends, answerTimeoutMs: this.t.answerTimeoutMs, sent: o.observer?.sent,
    });
  }

  get state(): ConnState { return this.current; }
  get isWelcomed(): boolean { return this.welcomed; }

  start(): void {
    this.o.gateways.refresh().catch(() => {});
    this.open(this.o.gateways.home.ws);
  }

  /**
   * Sends a request and resolves with its `ok`; rejects with a RequestError when it is refused for
   * good or the session ends. A request made while disconnected waits for the next socket.
   */
  request(msg: Outgoing): Promise<OkAnswer> {
    if (this.current.phase === 'closed') return Promise.reject(new RequestError(this.stopped ? 'STOPPED' : 'DISCONNECTED', 'closed'));
    return this.requests.add(msg);
  }

  /** Closes for good (code 1000); requests still pending fail with STOPPED. */
  stop(): void {
    this.stopped = true;
    const s = this.sock;
    this.detach();
    s?.close(CLOSE.NORMAL);
    this.end(CLOSE.NORMAL);
  }

  /** Says hello again on a fresh socket to the same gateway (e.g. after a name change). */
  restart(): void {
    if (this.current.phase === 'closed' || !this.sock) return;
    const s = this.sock;
    this.detach();
    s.close(CLOSE.NORMAL);
    this.open(this.url);
  }

  /** The page is in the foreground again, or the network is back: check the socket now, or stop waiting. */
  checkNow(): void {
    if (this.sock && this.welcomed) { this.probe(this.sock); return; }
    if (this.stopped || this.sock || this.o.reconnect === false) return;
    if (this.current.phase === 'closed' && NO_RECONNECT_CLOSES.includes(this.current.closeCode ?? 0)) return;
    // waiting out a backoff, or given up after maxReconnects: try the next gateway now
    this.cancel('retry');
    if (this.current.phase === 'closed') this.attempt = 0;
    this.open(this.o.gateways.pick(this.lostUrl, this.attempt++, this.spread).ws);
  }

  private setState(s: Partial<ConnState>): void {
    this.current = { ...this.current, ...s };
    this.o.handlers.phase?.(this.current);
  }

  private open(url: string): void {
    let sock: ClientSocket | null = null;
    const mine = () => sock !== null && this.sock === sock;
    try {
      sock = this.o.openSocket(url, {
        open: () => { if (mine()) this.hello(sock!); },
        message: (text) => { if (mine()) this.receive(sock!, text); },
        close: (code) => { if (mine()) { this.detach(); this.lost(url, code); } },
      });
    } catch {
      this.lost(url, 1006);
      return;
    }
    this.sock = sock;
    this.url = url;
    this.welcomed = false;
    this.arm('welcome', this.t.welcomeTimeoutMs, () => this.drop(sock!));
  }

  private hello(sock: ClientSocket): void {
    const { token, name } = this.o.handlers.hello();
    sock.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, rid: 'hello', ...(token ? { token } : {}), ...(name ? { name } : {}) }));
  }

  private receive(sock: ClientSocket, text: string): void {
    let m: Push;
    try { m = JSON.parse(text); } catch { return; }
    if (typeof m !== 'object' || m === null || typeof m.t !== 'string') return;
    this.o.observer?.received?.(m, this.clock.now());
    const rid = typeof m.rid === 'string' ? m.rid : null;
    if (m.t === 'welcome') { this.welcome(sock, m as unknown as Welcome); return; }
    if (m.t === 'error' && rid === 'hello') {
      // the store is down: try again, maybe elsewhere. Any other refusal is followed by the gateway's
      // close (1008 for a version or a limit: not to be retried), or else by the welcome deadline.
      if (m.code === 'UNAVAILABLE' || m.code === 'INTERNAL') this.drop(sock);
      return;
    }
    if (m.t === 'pong' && rid !== null && rid === this.pingRid) { this.pingRid = null; this.cancel('pong'); return; }
    if (m.t === 'ok' || m.t === 'pong' || (m.t === 'error' && rid !== null)) {
      if (rid !== null) this.requests.answer(rid, m); // an answer to nothing pending is late: ignored
      return;
    }
    this.o.handlers.push(m);
  }

  private welcome(sock: ClientSocket, w: Welcome): void {
    this.cancel('welcome');
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.lostUrl = null;
    this.setState({ phase: 'connected', gateway: w.gateway, closeCode: null });
    this.o.handlers.welcome(w);
    if (this.sock !== sock) return; // the handler restarted or stopped the client
    this.requests.flush(sock);
    this.arm('ping', this.t.pingEveryMs, () => this.probe(sock));
    this.o.gateways.refresh().catch(() => {});
  }

  /** Sends a ping; no pong in time and the socket is treated as lost. */
  private probe(sock: ClientSocket): void {
    if (sock !== this.sock || this.pingRid !== null) return;
    this.pingRid = this.requests.nextRid();
    this.arm('pong', this.t.pongTimeoutMs, () => this.drop(sock));
    this.arm('ping', this.t.pingEveryMs, () => this.probe(sock));
    sock.send(JSON.stringify({ t: 'ping', rid: this.pingRid }));
  }

  /** Gives up on a socket at once, without waiting for a closing handshake a dead peer never sends. */
  private drop(sock: ClientSocket): void {
    if (sock !== this.sock) return;
    this.detach();
    sock.close();
    this.lost(this.url, 1006);
  }

  /** Forgets the current socket: its events are ignored from now on, and nothing is awaited on it. */
  private detach(): void {
    this.sock = null;
    this.welcomed = false;
    this.pingRid = null;
    for (const k of ['welcome', 'ping', 'pong'] as const) this.cancel(k);
    this.requests.orphan();
  }

  private lost(url: string, code: number): void {
    if (this.stopped || this.o.reconnect === false || NO_RECONNECT_CLOSES.includes(code) || this.attempt >= this.t.maxReconnects) {
      this.end(code);
      return;
    }
    if (this.lostUrl === null) { this.lostUrl = url; this.spread = this.random(); }
    this.setState({ phase: this.everWelcomed ? 'reconnecting' : 'connecting', closeCode: code });
    const delay = code === CLOSE.RESTART && this.attempt === 0 ? 0 : backoffDelay(this.attempt, this.o.backoff, this.random);
    const next = this.o.gateways.pick(this.lostUrl, this.attempt, this.spread);
    this.attempt++;
    this.arm('retry', delay, () => {
      if (this.attempt % 3 === 0) this.o.gateways.refresh().catch(() => {});
      this.open(next.ws);
    });
  }

  private end(code: number): void {
    if (this.current.phase === 'closed') return;
    for (const k of Object.keys(this.timers) as (TimerName)[]) this.cancel(k);
    this.requests.failAll(this.stopped ? 'STOPPED' : 'DISCONNECTED', `connection closed (${code})`);
    this.setState({ phase: 'closed', closeCode: code });
  }

  private arm(k: TimerName, ms: number, fn: () => void): void {
    this.cancel(k);
    this.timers[k] = this.clock.setTimeout(() => { this.timers[k] = null; fn(); }, ms);
  }

  private cancel(k: TimerName): void {
    if (this.timers[k] !== null) this.clock.clearTimeout(this.timers[k]);
    this.timers[k] = null;
  }
}
