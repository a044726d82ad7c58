// One bot's socket session over the wire contract (shared/protocol.ts), kept alive across gateway
// failures: it says hello (resuming with its token after the first welcome), reconnects after any
// close but 1008/1009 with exponential backoff and full jitter to any gateway of its URL list,
// and resends its pending move with the SAME mid until it is answered. Requests are matched to
// answers by rid; answers to rids of a lost socket are never confused with new ones.
import WebSocket from 'ws';
import { NO_RECONNECT_CLOSES, PROTOCOL_VERSION, type ErrorCode, type GameSnapshot } from '../../shared/protocol.js';
import type { MoveAttempt, Recorder } from './recorder.js';

/** What the bot counts in its statistics. */
export interface ConnStats {
  opened(): void;
  closed(): void;
  /** An error answer (by code) or a client-side failure (`closed_CODE`, `connect_failed`). */
  error(code: string): void;
}

export interface Welcome { player: { id: string; name: string }; token: string; gateway: string; resumed: boolean; games: string[] }
export type Answer = { t: 'ok' | 'pong'; rid: string; gameId?: string; code?: string; version?: number } | { t: 'error'; rid?: string; code: ErrorCode; message: string };
export type MoveResult = { ok: true; version: number; firstSentAt: number; attempts: number } | { ok: false; code: string; attempts: number };

export interface BotHandlers {
  /** After every welcome (the first one and each resume). */
  welcome(w: Welcome): void;
  state(game: GameSnapshot): void;
  /** `matched` and `rematch` notices. */
  notice?(msg: { t: 'matched' | 'rematch'; gameId: string; from?: string }): void;
  /** The session ended for good (closed with 1008/1009, or stopped). */
  ended?(code: number): void;
}

export interface BotConnectionOptions {
  urls: readonly string[];
  /** Index into `urls` of the first gateway to try. */
  first: number;
  /** Observer id in the recorder and in rids. */
  label: string;
  name?: string;
  localAddress?: string;
  reconnect?: boolean;
  stats: ConnStats;
  recorder?: Recorder;
  /** A move not answered within this long on a live socket is sent again (same mid). */
  moveTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/** Retryable answers: the move may be sent again, with its mid, after a pause. */
const RETRYABLE = new Set<string>(['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED']);

interface PendingMove extends MoveAttempt {
  firstSentAt: number;
  resolve(r: MoveResult): void;
  timer: NodeJS.Timeout | null;
}

class Disconnected extends Error { constructor() { super('disconnected'); } }

export class BotConnection {
  handlers: BotHandlers | null = null;
  token = '';
  playerId = '';
  gateway = '';
  welcomed = false;
  ended = false;
  /** Times this session was welcomed again after losing a socket. */
  resumes = 0;
  private ws: WebSocket | null = null;
  private urlIndex: number;
  private failures = 0;
  private seq = 0;
  private readonly waiting = new Map<string, { resolve(a: Answer): void; reject(e: Error): void }>();
  private move_: PendingMove | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private firstWelcome!: () => void;
  /** Resolves at the first welcome, or when the session ends without one. */
  readonly ready: Promise<void> = new Promise((r) => { this.firstWelcome = r; });

  constructor(readonly o: BotConnectionOptions) {
    this.urlIndex = o.first % o.urls.length;
  }

  get label(): string { return this.o.label; }
  get url(): string { return this.o.urls[this.urlIndex]; }
  get movePending(): boolean { return this.move_ !== null; }

  start(): void { this.open(); }

  /** Closes for good (code 1000); a pending move is answered `STOPPED`. */
  stop(): void {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.finishMove({ ok: false, code: 'STOPPED', attempts: this.move_?.attempt ?? 0 });
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    else this.end(1000);
  }

  private open(): void {
    if (this.stopping) return;
    const ws = new WebSocket(this.url, { localAddress: this.o.localAddress, handshakeTimeout: 5000, perMessageDeflate: false });
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.o.stats.opened();
      const hello: Record<string, unknown> = { t: 'hello', v: PROTOCOL_VERSION, rid: this.rid() };
      if (this.token) hello.token = this.token; else if (this.o.name) hello.name = this.o.name;
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (data, isBinary) => { if (!isBinary && this.ws === ws) this.frame(String(data)); });
    ws.on('error', () => { /* followed by close */ });
    ws.on('close', (code) => {
      if (opened) this.o.stats.closed(); else if (!this.stopping) this.o.stats.error('connect_failed');
      if (this.ws === ws) this.lost(opened ? code : 1006);
    });
  }

  private rid(): string { return `${this.o.label}.${++this.seq}`; }

  private lost(code: number): void {
    const at = performance.now();
    if (this.welcomed) this.o.recorder?.disconnected(this.o.label, this.gateway, code, at);
    this.welcomed = false;
    this.ws = null;
    for (const w of this.waiting.values()) w.reject(new Disconnected());
    this.waiting.clear();
    if (this.move_?.timer) { clearTimeout(this.move_.timer); this.move_.timer = null; }
    if (this.stopping || this.o.reconnect === false) { this.end(code); return; }
    if (NO_RECONNECT_CLOSES.includes(code)) {
      this.o.stats.error(`closed_${code}`);
      this.finishMove({ ok: false, code: `closed_${code}`, attempts: this.move_?.attempt ?? 0 });
      this.end(code);
      return;
    }
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.nextUrl(); this.open(); }, this.backoff());
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.firstWelcome();
    this.handlers?.ended?.(code);
  }

  /** Full jitter: a random pause up to base * 2^failures, capped. */
  private backoff(): number {
    const base = this.o.backoffBaseMs ?? 100;
    const cap = Math.min(this.o.backoffMaxMs ?? 3000, base * 2 ** Math.min(this.failures++, 10));
    return Math.random() * cap;
  }

  /** Any other gateway of the list (a random one), so that a dead one is left at once. */
  private nextUrl(): void {
    const n = this.o.urls.length;
    if (n > 1) this.urlIndex = (this.urlIndex + 1 + Math.floor(Math.random() * (n - 1))) % n;
  }

  private frame(text: string): void {
    let m: Record<string, any>;
    try { m = JSON.parse(text); } catch { this.o.stats.error('unparsable'); return; }
    switch (m.t) {
      case 'state': {
        this.o.recorder?.snapshot(this.o.label, m.game, performance.now());
        this.handlers?.state(m.game);
        return;
      }
      case 'ok': case 'pong': case 'error': this.answer(m as Answer); return;
      case 'welcome': this.welcome(m as unknown as Welcome); return;
      case 'matched': case 'rematch': this.handlers?.notice?.(m as { t: 'matched'; gameId: string }); return;
      default: return; // additive contract: unknown types are ignored
    }
  }

  private welcome(w: Welcome): void {
    if (this.token && w.token === this.token) this.resumes++;
    this.token = w.token;
    this.playerId = w.player.id;
    this.gateway = w.gateway;
    this.welcomed = true;
    this.failures = 0;
    this.o.recorder?.connected(this.o.label, { gateway: w.gateway, playerId: w.player.id, resumed: w.resumed, games: w.games.length }, performance.now());
    this.handlers?.welcome(w);
    this.firstWelcome();
    if (this.move_) this.sendMove();
  }

  private answer(a: Answer): void {
    if (a.t === 'error') {
      this.o.stats.error(a.code);
      this.o.recorder?.error(this.o.label, a.code, performance.now());
    }
    const rid = a.rid;
    if (rid === undefined) return;
    const mv = this.move_;
    if (mv && this.moveRids.has(rid)) { this.moveAnswer(mv, a); return; }
    const w = this.waiting.get(rid);
    if (w) { this.waiting.delete(rid); w.resolve(a); return; }
    if (a.t === 'error' && !this.welcomed) this.helloRefused();
  }

  /** A hello answered by an error (UNAVAILABLE while the store is down): try again later, maybe elsewhere. */
  private helloRefused(): void {
    this.ws?.close(1000);
  }

  /** Sends a request (not a move, not hello) and resolves with its answer; rejects when the socket is lost first. */
  request(body: Record<string, unknown>): Promise<Answer> {
    const ws = this.ws;
    if (!ws || !this.welcomed) return Promise.reject(new Disconnected());
    const rid = this.rid();
    return new Promise<Answer>((resolve, reject) => {
      this.waiting.set(rid, { resolve, reject });
      ws.send(JSON.stringify({ ...body, rid }));
    });
  }

  /** Rids of every attempt of the pending move: an answer to any of them answers the move. */
  private readonly moveRids = new Set<string>();

  /**
   * Places a mark. Resolves once the move is acknowledged (with its version) or refused for good;
   * until then it survives lost sockets, gateways and UNAVAILABLE answers, resent with its mid.
   */
  move(gameId: string, cell: number, mid: string): Promise<MoveResult> {
    if (this.move_) return Promise.resolve({ ok: false, code: 'MOVE_PENDING', attempts: 0 });
    return new Promise<MoveResult>((resolve) => {
      this.move_ = { gameId, cell, mid, attempt: 0, rid: '', gateway: '', firstSentAt: 0, resolve, timer: null };
      if (this.welcomed) this.sendMove();
    });
  }

  private sendMove(): void {
    const mv = this.move_;
    const ws = this.ws;
    if (!mv || !ws || !this.welcomed || this.stopping) return;
    if (mv.timer) clearTimeout(mv.timer);
    mv.attempt++;
    mv.rid = this.rid();
    mv.gateway = this.gateway;
    this.moveRids.add(mv.rid);
    const at = performance.now();
    if (mv.attempt === 1) mv.firstSentAt = at;
    this.o.recorder?.sent(this.o.label, { gameId: mv.gameId, cell: mv.cell, mid: mv.mid, attempt: mv.attempt, rid: mv.rid, gateway: mv.gateway }, at);
    ws.send(`{"t":"move","rid":"${mv.rid}","gameId":${JSON.stringify(mv.gameId)},"cell":${mv.cell},"mid":${JSON.stringify(mv.mid)}}`);
    mv.timer = setTimeout(() => { mv.timer = null; this.sendMove(); }, this.o.moveTimeoutMs ?? 5000);
  }

  private moveAnswer(mv: PendingMove, a: Answer): void {
    const at = performance.now();
    const attempt = { gameId: mv.gameId, cell: mv.cell, mid: mv.mid, attempt: mv.attempt, rid: a.rid ?? mv.rid, gateway: mv.gateway };
    if (a.t === 'ok' && typeof a.version === 'number') {
      this.o.recorder?.acked(this.o.label, attempt, a.version, at);
      this.finishMove({ ok: true, version: a.version, firstSentAt: mv.firstSentAt, attempts: mv.attempt });
      return;
    }
    const code = a.t === 'error' ? a.code : 'BAD_ANSWER';
    if (RETRYABLE.has(code)) {
      if (mv.timer) clearTimeout(mv.timer);
      mv.timer = setTimeout(() => { mv.timer = null; this.sendMove(); }, 100 + Math.random() * 400);
      return;
    }
    this.o.recorder?.rejected(this.o.label, attempt, code, at);
    this.finishMove({ ok: false, code, attempts: mv.attempt });
  }

  private finishMove(r: MoveResult): void {
    const mv = this.move_;
    if (!mv) return;
    if (mv.timer) clearTimeout(mv.timer);
    this.move_ = null;
    this.moveRids.clear();
    mv.resolve(r);
  }
}

export const isDisconnected = (e: unknown): boolean => e instanceof Disconnected;
