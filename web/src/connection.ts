// One logical connection to the cluster over a succession of WebSockets. Says hello (resuming the
// player with the stored token), answers requests by rid, and when a socket is lost reconnects
// with backoff and jitter to whichever gateway answers, never after close 1008 or 1009.
// Idempotent requests (a move with its mid, queue, watch...) that were not answered survive the
// loss and are sent again, unchanged, on the next socket.
import type { ClientMessage, ServerMessage } from '../../shared/protocol.js';
import { CLOSE, NO_RECONNECT_CLOSES, PROTOCOL_VERSION, type ErrorCode } from '../../shared/wire.js';
import { backoffDelay } from './backoff.js';
import type { GatewayDirectory } from './gateways.js';

export type Phase = 'connecting' | 'connected' | 'reconnecting' | 'closed';
export interface ConnState { phase: Phase; gateway: string | null; closeCode: number | null }

export type Welcome = Extract<ServerMessage, { t: 'welcome' }>;
export type OkAnswer = Extract<ServerMessage, { t: 'ok' }>;
type Request = Exclude<ClientMessage, { t: 'hello' }>;
type Outgoing = Request extends infer M ? (M extends Request ? Omit<M, 'rid'> : never) : never;

/** A request that failed: a wire error code, or DISCONNECTED / TIMEOUT from the page itself. */
export class RequestError extends Error {
  constructor(readonly code: ErrorCode | 'DISCONNECTED' | 'TIMEOUT', message: string) { super(message); }
}

export interface ConnectionEvents {
  hello(): { token?: string; name?: string };
  welcome(w: Welcome): void;
  message(m: { t: string } & Record<string, unknown>): void;
  state(s: ConnState): void;
}

interface Pending {
  rid: string;
  msg: Outgoing;
  resend: boolean;
  sentOn: WebSocket | null;
  resolve(ok: OkAnswer): void;
  reject(e: RequestError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const WELCOME_TIMEOUT_MS = 5000;
const REQUEST_TIMEOUT_MS = 20_000;
const PING_EVERY_MS = 15_000;
const PONG_TIMEOUT_MS = 5000;

export class Connection {
  private ws: WebSocket | null = null;
  private url = '';
  private welcomed = false;
  private everWelcomed = false;
  private attempt = 0;
  private spread = 0;
  private lost: string | null = null;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private timers: { retry?: ReturnType<typeof setTimeout>; welcome?: ReturnType<typeof setTimeout>; ping?: ReturnType<typeof setInterval> } = {};
  private current: ConnState = { phase: 'connecting', gateway: null, closeCode: null };

  constructor(private readonly dir: GatewayDirectory, private readonly on: ConnectionEvents) {}

  get state(): ConnState { return this.current; }

  start(): void {
    this.dir.refresh().catch(() => {});
    this.open(this.dir.home.ws);
  }

  /** Says hello again on a fresh socket to the same gateway (e.g. after a name change). */
  restart(): void {
    if (this.current.phase === 'closed' || !this.ws) return;
    const ws = this.ws;
    this.detach(ws);
    ws.close(CLOSE.NORMAL);
    this.orphan();
    this.open(this.url);
  }

  /**
   * The page came back to the foreground or the network came back: check the socket now, or stop
   * waiting out the backoff.
   */
  checkNow(): void {
    if (this.ws && this.welcomed) this.probe(this.ws);
    else if (this.current.phase === 'reconnecting' && !this.ws) {
      clearTimeout(this.timers.retry);
      this.open(this.dir.pick(this.lost, this.attempt++, this.spread).ws);
    }
  }

  /**
   * Sends a request and resolves with its `ok`. Requests made while disconnected wait for the next
   * socket. With `resend`, a request unanswered when its socket dies is sent again after reconnecting
   * (only for requests the server treats idempotently).
   */
  request(msg: Outgoing, { resend = false } = {}): Promise<OkAnswer> {
    if (this.current.phase === 'closed') return Promise.reject(new RequestError('DISCONNECTED', 'closed'));
    const rid = `r${++this.seq}`;
    return new Promise<OkAnswer>((resolve, reject) => {
      const p: Pending = { rid, msg, resend, sentOn: null, resolve, reject, timer: undefined };
      this.pending.set(rid, p);
      if (this.ws && this.welcomed) this.transmit(p, this.ws);
    });
  }

  /** Sends a request; an answer is awaited from then on (a request held while disconnected waits without limit). */
  private transmit(p: Pending, ws: WebSocket): void {
    p.sentOn = ws;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.settle(p.rid, new RequestError('TIMEOUT', 'no answer')), REQUEST_TIMEOUT_MS);
    ws.send(JSON.stringify({ ...p.msg, rid: p.rid }));
  }

  private settle(rid: string, result: OkAnswer | RequestError): void {
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    clearTimeout(p.timer);
    if (result instanceof RequestError) p.reject(result); else p.resolve(result);
  }

  private setState(s: Partial<ConnState>): void {
    this.current = { ...this.current, ...s };
    this.on.state(this.current);
  }

  private open(url: string): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.lostSocket(url, 1006);
      return;
    }
    this.ws = ws;
    this.url = url;
    this.welcomed = false;
    this.timers.welcome = setTimeout(() => this.drop(ws), WELCOME_TIMEOUT_MS);
    ws.onopen = () => {
      const { token, name } = this.on.hello();
      ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, rid: 'hello', ...(token ? { token } : {}), ...(name ? { name } : {}) }));
    };
    ws.onmessage = (ev) => this.receive(ws, ev.data);
    ws.onclose = (ev) => { this.detach(ws); this.lostSocket(url, ev.code); };
  }

  private receive(ws: WebSocket, data: unknown): void {
    if (typeof data !== 'string') return;
    let m: { t?: unknown; rid?: unknown } & Record<string, unknown>;
    try { m = JSON.parse(data); } catch { return; }
    if (typeof m !== 'object' || m === null || typeof m.t !== 'string') return;
    if (m.t === 'welcome') { this.welcome(ws, m as unknown as Welcome); return; }
    if (m.t === 'error' && m.rid === 'hello') { this.drop(ws); return; } // e.g. UNAVAILABLE: try elsewhere
    if ((m.t === 'ok' || m.t === 'error' || m.t === 'pong') && typeof m.rid === 'string' && this.pending.has(m.rid)) {
      const e = m as unknown as { t: string; code: ErrorCode; message: string };
      this.settle(m.rid, m.t === 'error' ? new RequestError(e.code, e.message) : (m as unknown as OkAnswer));
      return;
    }
    this.on.message(m as { t: string });
  }

  private welcome(ws: WebSocket, w: Welcome): void {
    clearTimeout(this.timers.welcome);
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.lost = null;
    this.setState({ phase: 'connected', gateway: w.gateway, closeCode: null });
    this.on.welcome(w);
    for (const p of this.pending.values()) if (p.sentOn !== ws) this.transmit(p, ws);
    clearInterval(this.timers.ping);
    this.timers.ping = setInterval(() => this.probe(ws), PING_EVERY_MS);
    this.dir.refresh().catch(() => {});
  }

  /** A socket that stops answering pings is treated as lost (a silent network cut never closes by itself). */
  private probe(ws: WebSocket): void {
    if (ws !== this.ws) return;
    const rid = `p${++this.seq}`;
    const timer = setTimeout(() => { this.pending.delete(rid); this.drop(ws); }, PONG_TIMEOUT_MS);
    this.pending.set(rid, { rid, msg: { t: 'ping' }, resend: false, sentOn: ws, resolve: () => {}, reject: () => {}, timer });
    ws.send(JSON.stringify({ t: 'ping', rid }));
  }

  /** Gives up on a socket at once, without waiting for a closing handshake a dead peer never sends. */
  private drop(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.detach(ws);
    try { ws.close(); } catch { /* already closing */ }
    this.lostSocket(this.url, 1006);
  }

  private detach(ws: WebSocket): void {
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (this.ws === ws) this.ws = null;
    clearTimeout(this.timers.welcome);
    clearInterval(this.timers.ping);
  }

  /** Requests sent on a socket that is gone: kept for the next one if idempotent, else failed. */
  private orphan(): void {
    for (const p of [...this.pending.values()]) {
      if (p.sentOn && !p.resend) this.settle(p.rid, new RequestError('DISCONNECTED', 'connection lost'));
      else { p.sentOn = null; clearTimeout(p.timer); }
    }
  }

  private lostSocket(url: string, code: number): void {
    this.orphan();
    if (NO_RECONNECT_CLOSES.includes(code)) {
      for (const p of [...this.pending.values()]) this.settle(p.rid, new RequestError('DISCONNECTED', 'closed'));
      this.setState({ phase: 'closed', closeCode: code });
      return;
    }
    if (this.lost === null) { this.lost = url; this.spread = Math.random(); }
    this.setState({ phase: this.everWelcomed ? 'reconnecting' : 'connecting', closeCode: code });
    // a draining gateway (1012) asks for an immediate reconnect elsewhere
    const delay = code === CLOSE.RESTART && this.attempt === 0 ? 0 : backoffDelay(this.attempt);
    const next = this.dir.pick(this.lost, this.attempt, this.spread);
    this.attempt++;
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => {
      if (this.attempt % 3 === 0) this.dir.refresh().catch(() => {});
      this.open(next.ws);
    }, delay);
  }
}
