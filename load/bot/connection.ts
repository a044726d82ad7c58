// One bot's session: the shared protocol client (shared/client/) over `ws` sockets, plus what is the
// bots' own: counting sockets and errors in the run's statistics, telling the recorder every move
// attempt, answer, snapshot and lost session, and the one-move-at-a-time move with its result.
import WebSocket from 'ws';
import { ProtocolClient } from '../../shared/client/client.js';
import { GatewayDirectory, wsGateway } from '../../shared/client/gateways.js';
import type { SendReport } from '../../shared/client/requests.js';
import type { OpenSocket } from '../../shared/client/seams.js';
import { RequestError, type ConnState, type OkAnswer, type Outgoing, type Push, type StateFrame, type Welcome } from '../../shared/client/types.js';
import type { BackoffPolicy } from '../../shared/client/backoff.js';
import { NO_RECONNECT_CLOSES, type GameSnapshot } from '../../shared/protocol.js';
import type { MoveAttempt, Recorder } from './recorder.js';

export type { Welcome };

/** What the bot counts in its statistics. */
export interface ConnStats {
  opened(): void;
  closed(): void;
  /** An error answer (by code) or a client-side failure (`closed_CODE`, `connect_failed`). */
  error(code: string): void;
}

export type MoveResult = { ok: true; version: number; firstSentAt: number; attempts: number } | { ok: false; code: string; attempts: number };

export interface BotHandlers {
  /** After every welcome (the first one and each resume). */
  welcome(w: Welcome): void;
  /** Every snapshot; `reset` replaces what is held, even at a lower version (shared/client/versions.ts). */
  state(game: GameSnapshot, reset: boolean): void;
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
  /** Parameters of the one backoff policy (shared/client/backoff.ts); its default otherwise. */
  backoff?: BackoffPolicy;
  /** How often the client proves its socket alive with a `ping` (default: the client's); idle bots set it beyond the run. */
  pingEveryMs?: number;
}

/** Failures of the session itself, not answers to the move. */
export const isDisconnected = (e: unknown): boolean => e instanceof RequestError && (e.code === 'DISCONNECTED' || e.code === 'STOPPED');

export class BotConnection {
  handlers: BotHandlers | null = null;
  token = '';
  playerId = '';
  gateway = '';
  ended = false;
  private stopping = false;
  private moving: MoveAttempt & { firstSentAt: number } | null = null;
  private readonly client: ProtocolClient;
  private firstWelcome!: () => void;
  /** Resolves at the first welcome, or when the session ends without one. */
  readonly ready: Promise<void> = new Promise((r) => { this.firstWelcome = r; });

  constructor(readonly o: BotConnectionOptions) {
    const first = o.first % o.urls.length;
    const urls = [...o.urls.slice(first), ...o.urls.slice(0, first)];
    this.client = new ProtocolClient({
      // the gateways given, and no others: a load run targets exactly what the operator named
      gateways: new GatewayDirectory(urls.map(wsGateway)),
      openSocket: this.wsSockets(),
      ridPrefix: `${o.label}.`, reconnect: o.reconnect, backoff: o.backoff,
      // a ramp-up keeps hundreds of handshakes in flight: a welcome may take longer than a person would wait
      timings: { welcomeTimeoutMs: 15_000, ...(o.pingEveryMs ? { pingEveryMs: o.pingEveryMs } : {}) },
      handlers: {
        hello: () => (this.token ? { token: this.token } : { name: o.name }),
        welcome: (w) => this.welcome(w),
        push: (m) => this.push(m),
        phase: (s) => this.phase(s),
      },
      observer: { sent: (s, at) => this.sent(s, at), received: (m, at) => this.received(m, at) },
    });
  }

  get label(): string { return this.o.label; }
  get welcomed(): boolean { return this.client.isWelcomed; }
  get movePending(): boolean { return this.moving !== null; }

  start(): void { this.client.start(); }

  /** Closes for good (code 1000); a pending move is answered `STOPPED`. */
  stop(): void {
    this.stopping = true;
    this.client.stop();
  }

  /**
   * A protocol `ping` (PROTOCOL.md: `{"t":"ping","rid"}` -> `{"t":"pong","rid"}`) through the request
   * table, which settles on the `pong` of its rid; rejects like a request.
   */
  ping(): Promise<unknown> { return this.client.request({ t: 'ping' } as unknown as Outgoing); }

  /** Resolves with the `ok`; rejects with a RequestError (isDisconnected() when the session ended first). */
  request(msg: Outgoing): Promise<OkAnswer> { return this.client.request(msg); }

  /**
   * Places a mark. Resolves once the move is acknowledged (with its version) or refused for good;
   * until then the client resends it with its mid, across lost sockets, gateways and UNAVAILABLE.
   */
  move(gameId: string, cell: number, mid: string): Promise<MoveResult> {
    if (this.moving) return Promise.resolve({ ok: false, code: 'MOVE_PENDING', attempts: 0 });
    const mv = { gameId, cell, mid, attempt: 0, rid: '', gateway: '', firstSentAt: 0 };
    this.moving = mv;
    const done = (r: MoveResult) => { this.moving = null; return r; };
    return this.client.request({ t: 'move', gameId, cell, mid }).then((ok) => {
      if (typeof ok.version !== 'number') return done({ ok: false, code: 'BAD_ANSWER', attempts: mv.attempt });
      this.o.recorder?.acked(this.o.label, { ...mv }, ok.version, performance.now());
      return done({ ok: true, version: ok.version, firstSentAt: mv.firstSentAt, attempts: mv.attempt });
    }, (e: RequestError) => {
      if (!isDisconnected(e)) this.o.recorder?.rejected(this.o.label, { ...mv }, e.code, performance.now());
      return done({ ok: false, code: e.code, attempts: mv.attempt });
    });
  }

  /** `ws` sockets behind the client's seam, counted in the statistics. */
  private wsSockets(): OpenSocket {
    return (url, on) => {
      const ws = new WebSocket(url, { localAddress: this.o.localAddress, handshakeTimeout: 5000, perMessageDeflate: false });
      let opened = false;
      ws.on('open', () => { opened = true; this.o.stats.opened(); on.open(); });
      ws.on('message', (data, isBinary) => { if (!isBinary) on.message(String(data)); });
      ws.on('error', () => { /* followed by close */ });
      ws.on('close', (code) => {
        if (opened) this.o.stats.closed(); else if (!this.stopping) this.o.stats.error('connect_failed');
        on.close(opened ? code : 1006);
      });
      return { send: (text) => ws.send(text), close: (code) => ws.close(code) };
    };
  }

  private welcome(w: Welcome): void {
    this.token = w.token;
    this.playerId = w.player.id;
    this.gateway = w.gateway;
    this.o.recorder?.connected(this.o.label, { gateway: w.gateway, playerId: w.player.id, resumed: w.resumed, games: w.games.length }, performance.now());
    this.handlers?.welcome(w);
    this.firstWelcome();
  }

  private push(m: Push): void {
    if (m.t === 'state') {
      const f = m as unknown as StateFrame;
      this.handlers?.state(f.game, f.reset === true);
    } else if (m.t === 'matched' || m.t === 'rematch') {
      this.handlers?.notice?.(m as unknown as { t: 'matched' | 'rematch'; gameId: string; from?: string });
    } // additive contract: other types are ignored
  }

  private phase(s: ConnState): void {
    if (s.phase === 'connected') return;
    if (this.gateway) this.o.recorder?.disconnected(this.o.label, this.gateway, s.closeCode ?? 1006, performance.now());
    this.gateway = '';
    if (s.phase !== 'closed' || this.ended) return;
    if (!this.stopping && NO_RECONNECT_CLOSES.includes(s.closeCode ?? 0)) this.o.stats.error(`closed_${s.closeCode}`);
    this.ended = true;
    this.firstWelcome();
    this.handlers?.ended?.(s.closeCode ?? 1006);
  }

  private sent(s: SendReport, at: number): void {
    const mv = this.moving;
    if (s.msg.t !== 'move' || !mv || s.msg.mid !== mv.mid) return;
    mv.attempt = s.attempt;
    mv.rid = s.msg.rid;
    mv.gateway = s.gateway;
    if (s.attempt === 1) mv.firstSentAt = at;
    this.o.recorder?.sent(this.o.label, { gameId: mv.gameId, cell: mv.cell, mid: mv.mid, attempt: mv.attempt, rid: mv.rid, gateway: mv.gateway }, at);
  }

  private received(m: Push, at: number): void {
    if (m.t === 'error') {
      this.o.stats.error(String(m.code));
      this.o.recorder?.error(this.o.label, String(m.code), at);
    } else if (m.t === 'state') {
      const f = m as unknown as StateFrame;
      this.o.recorder?.snapshot(this.o.label, f.game, at, f.reset === true);
    }
  }
}
