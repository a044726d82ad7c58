// What happens on a client socket: admission (origin, per-IP cap), the hello timeout, frame size,
// rate limit, validation, hello/resume, dispatch to the command handlers, and cleanup on close.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CLOSE, MAX_FRAME_BYTES, PROTOCOL_VERSION, parseClientMessage, ridOf, sanitizeName, type ClientMessage, type ErrorCode } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import { errText } from '../log.js';
import type { Metrics } from '../metrics.js';
import { hashToken, type Store } from '../store/store.js';
import type { Socket, SocketHandlers, UpgradeInfo } from '../transport/types.js';
import { COMMANDS, joinSeat, type CommandDeps } from './commands.js';
import { Conn, TokenBucket } from './conn.js';
import { errorFrame } from './messages.js';
import type { Players } from './players.js';
import type { Rooms } from './rooms.js';

export interface SocketDeps {
  cfg: Config;
  instanceId: string;
  store: Store;
  rooms: Rooms;
  players: Players;
  metrics: Metrics;
  log: Logger;
  isReady(): boolean;
  /** True once the gateway drains: new sockets are refused (503) so clients go elsewhere. */
  isDraining(): boolean;
  originAllowed(origin: string | undefined): boolean;
  newId(size: number): string;
  newGameId(): string;
  newCode(): string;
  /** Work that must finish before the process exits (disconnect bookkeeping). */
  track(p: Promise<unknown>): void;
}

const ABUSE_WINDOW_MS = 10_000;

/** Error replies by which Redis says it cannot serve now (loading, failover, busy, full, auth). */
const STORE_DOWN_REPLY = /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|OOM|NOAUTH|WRONGPASS|NOPERM)\b/;

/**
 * The error code for a command that threw: a script's error reply or a bug in the gateway is
 * INTERNAL; a lost connection, a timeout or a Redis that says it cannot serve now is UNAVAILABLE.
 */
export function failureCode(e: unknown): 'UNAVAILABLE' | 'INTERNAL' {
  if (!(e instanceof Error)) return 'UNAVAILABLE';
  if (e.name === 'ReplyError') return STORE_DOWN_REPLY.test(e.message) ? 'UNAVAILABLE' : 'INTERNAL';
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError ? 'INTERNAL' : 'UNAVAILABLE';
}
export const isUnavailable = (e: unknown): boolean => failureCode(e) === 'UNAVAILABLE';
/** Whether the error came from Redis (counted in trine_redis_errors_total), not from the gateway's own code. */
const fromRedis = (e: unknown): boolean => failureCode(e) === 'UNAVAILABLE' || (e instanceof Error && e.name === 'ReplyError');
type Outcome = 'ok' | 'refused' | 'unavailable' | 'internal';
const msSince = (t: number) => Math.round((performance.now() - t) * 100) / 100;

export class SocketHandler implements SocketHandlers<Conn> {
  readonly conns = new Set<Conn>();
  private readonly perIp = new Map<string, number>();
  private readonly cmd: CommandDeps;

  constructor(private readonly d: SocketDeps) {
    this.cmd = {
      store: d.store, rooms: d.rooms, metrics: d.metrics, log: d.log, newGameId: d.newGameId, newCode: d.newCode,
      reply: (c, msg) => { d.metrics.messagesOut.inc({ type: String(msg.t) }); c.send(JSON.stringify(msg)); },
      fail: (c, rid, code, message) => this.fail(c, rid, code, message),
    };
  }

  get deps(): CommandDeps { return this.cmd; }

  upgrade(info: UpgradeInfo): [number, string] | null {
    if (info.path !== '/ws') return [404, 'not found'];
    if (this.d.isDraining()) return [503, 'gateway restarting: connect to another one'];
    if (!this.d.originAllowed(info.origin)) return [403, 'origin not allowed'];
    if ((this.perIp.get(info.ip) ?? 0) >= this.d.cfg.MAX_CONNS_PER_IP) return [429, 'too many connections from this address'];
    return null;
  }

  open(socket: Socket): Conn {
    const id = this.d.newId(10);
    const now = Date.now();
    const c = new Conn(socket, id, `${this.d.instanceId}|${id}`, new TokenBucket(this.d.cfg.RATE_PER_S, this.d.cfg.RATE_BURST, now), now);
    this.conns.add(c);
    this.perIp.set(socket.ip, (this.perIp.get(socket.ip) ?? 0) + 1);
    this.d.metrics.connections.inc();
    c.helloTimer = setTimeout(() => this.end(c, CLOSE.POLICY, 'no hello'), this.d.cfg.HELLO_TIMEOUT_MS);
    return c;
  }

  end(c: Conn, code: number, reason: string): void {
    if (c.closed) return;
    this.d.metrics.closes.inc({ code: String(code) });
    c.socket.end(code, reason);
  }

  fail(c: Conn, rid: string | undefined, code: ErrorCode, message?: string): void {
    this.d.metrics.errors.inc({ code });
    this.d.metrics.messagesOut.inc({ type: 'error' });
    c.send(errorFrame(code, rid, message));
    if (code !== 'UNAVAILABLE' && code !== 'INTERNAL' && this.isBadInput(code)) this.countAbuse(c);
  }

  private isBadInput(code: ErrorCode): boolean {
    return code === 'BAD_MESSAGE' || code === 'HELLO_FIRST' || code === 'RATE_LIMITED';
  }

  private countAbuse(c: Conn): void {
    const now = Date.now();
    if (now - c.abuseWindowStart > ABUSE_WINDOW_MS) { c.abuseWindowStart = now; c.abuse = 0; }
    if (++c.abuse > this.d.cfg.ABUSE_LIMIT) this.end(c, CLOSE.POLICY, 'too many bad messages');
  }

  message(c: Conn, text: string | null, bytes: number): void {
    if (c.closed) return;
    if (bytes > MAX_FRAME_BYTES) { this.end(c, CLOSE.TOO_BIG, 'frame over 4096 bytes'); return; }
    if (!c.bucket.take(Date.now())) { this.fail(c, text === null ? undefined : ridOf(text), 'RATE_LIMITED'); return; }
    if (text === null) { this.fail(c, undefined, 'BAD_MESSAGE', 'Binary frames are not accepted: send JSON text.'); return; }
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.d.metrics.messagesIn.inc({ type: 'invalid' });
      this.fail(c, parsed.rid, c.playerId || parsed.t === 'hello' || !parsed.t ? parsed.code : 'HELLO_FIRST', parsed.message);
      return;
    }
    const msg = parsed.msg;
    this.d.metrics.messagesIn.inc({ type: msg.t });
    if (msg.t === 'hello') { this.hello(c, msg); return; }
    if (!c.playerId) { this.fail(c, msg.rid, 'HELLO_FIRST'); return; }
    this.run(c, msg);
  }

  private run(c: Conn, msg: Exclude<ClientMessage, { t: 'hello' }>): void {
    if (!this.d.isReady()) { this.fail(c, msg.rid, 'UNAVAILABLE'); return; }
    const started = performance.now();
    let refused: ErrorCode | undefined;
    let answered = false;
    const deps: CommandDeps = {
      ...this.cmd,
      reply: (cc, m) => { answered ||= cc === c; this.cmd.reply(cc, m); },
      fail: (cc, rid, code, text) => { refused ??= code; answered ||= cc === c; this.fail(cc, rid, code, text); },
    };
    c.inflight++;
    const handler = COMMANDS[msg.t] as (d: CommandDeps, c: Conn, m: typeof msg) => Promise<Record<string, unknown> | void>;
    this.d.track(handler(deps, c, msg).then((info) => {
      this.done(c, msg, started, refused ? 'refused' : 'ok', { ...info, code: refused });
    }, (e: unknown) => {
      const code = failureCode(e);
      if (fromRedis(e)) this.d.metrics.redisErrors.inc({ op: 'command' });
      this.done(c, msg, started, code === 'UNAVAILABLE' ? 'unavailable' : 'internal', { code, err: errText(e), ...(answered ? { answered } : {}) });
      // after its answer a handler only fails while following the game's updates: rather than answer
      // twice, close (1011) so that the client reconnects and gets every game's current snapshot
      if (answered) this.end(c, CLOSE.INTERNAL, 'lost track of a game: reconnect');
      else this.fail(c, msg.rid, code);
    }).finally(() => { c.inflight--; this.touchSession(c); }));
  }

  /**
   * One histogram observation and one log line per command: `command` (info for a step of a game's
   * story, debug for the rest) or `command failed` (warn), with the player, game, rid, version and ms.
   */
  private done(c: Conn, msg: Exclude<ClientMessage, { t: 'hello' }>, started: number, outcome: Outcome, info: Record<string, unknown>): void {
    this.d.metrics.commandSeconds.observe({ command: msg.t, outcome }, (performance.now() - started) / 1000);
    const level = outcome === 'unavailable' || outcome === 'internal' ? 'warn' : info.event ? 'info' : 'debug';
    if ((msg.t === 'ping' && outcome === 'ok') || !this.d.log.isLevelEnabled(level)) return;
    this.d.log[level]({
      cmd: msg.t, outcome, playerId: c.playerId, conn: c.id, rid: msg.rid, gameId: 'gameId' in msg ? msg.gameId : undefined,
      ...info, ms: msSince(started),
    }, level === 'warn' ? 'command failed' : 'command');
  }

  private hello(c: Conn, msg: Extract<ClientMessage, { t: 'hello' }>): void {
    if (msg.v !== PROTOCOL_VERSION) {
      this.fail(c, msg.rid, 'UNSUPPORTED_VERSION', `Protocol version ${String(msg.v).slice(0, 16)} is not supported; use 1.`);
      this.end(c, CLOSE.POLICY, 'unsupported version');
      return;
    }
    if (c.playerId || c.helloPending) { this.fail(c, msg.rid, 'BAD_MESSAGE', 'hello was already received on this socket.'); return; }
    if (!this.d.isReady()) { this.fail(c, msg.rid, 'UNAVAILABLE'); return; }
    c.helloPending = true;
    c.inflight++;
    const started = performance.now();
    this.d.track(this.resume(c, msg, started).catch((e: unknown) => {
      const code = failureCode(e);
      if (fromRedis(e)) this.d.metrics.redisErrors.inc({ op: 'hello' });
      this.d.log.warn({ cmd: 'hello', conn: c.id, rid: msg.rid, code, err: errText(e), ms: msSince(started) }, 'hello failed');
      this.fail(c, msg.rid, code);
    }).finally(() => { c.helloPending = false; c.inflight--; }));
  }

  private async resume(c: Conn, msg: Extract<ClientMessage, { t: 'hello' }>, started: number): Promise<void> {
    const { store, cfg, metrics } = this.d;
    const newToken = randomBytes(24).toString('base64url');
    const token = typeof msg.token === 'string' && msg.token.length >= 16 ? msg.token : null;
    const r = await store.hello({
      token, newToken, newPlayerId: this.d.newId(16), name: sanitizeName(msg.name),
      defaultName: `Guest-${this.d.newId(4)}`, instance: this.d.instanceId, conn: c.member,
    });
    if (c.closed) { this.d.track(store.disconnect(r.playerId, this.d.instanceId, c.member).catch(() => {})); return; }
    c.recorded = r.playerId; // from here on, close() forgets the connection
    if (c.helloTimer) { clearTimeout(c.helloTimer); c.helloTimer = null; }
    const tok = r.resumed ? token! : newToken;
    c.tokenHash = hashToken(tok);
    c.sessionTouchedAt = Date.now();
    c.name = r.name;
    if ((this.d.players.conns(r.playerId)?.size ?? 0) >= cfg.MAX_CONNS_PER_PLAYER) {
      // each socket is an entry of the player's connection set in Redis, which scripts walk: bounded
      this.fail(c, msg.rid, 'RATE_LIMITED', 'Too many connections for this player on this gateway.');
      this.end(c, CLOSE.POLICY, 'too many connections for this player'); // close() forgets it, here and in Redis
      return;
    }
    await this.d.players.add(c, r.playerId);
    if (c.closed) return; // closed meanwhile: close() already forgot it, here and in Redis
    c.playerId = r.playerId;
    if (r.resumed) metrics.resumes.inc();
    const games = await store.unfinishedGames(r.playerId);
    this.cmd.reply(c, { t: 'welcome', player: { id: r.playerId, name: r.name }, token: tok, gateway: cfg.GATEWAY_ID, resumed: r.resumed, games: games.map((g) => g.id) });
    this.d.log.info({ conn: c.id, playerId: r.playerId, resumed: r.resumed, games: games.map((g) => g.id), ip: c.socket.ip, ms: msSince(started) }, 'hello');
    for (const g of games) await joinSeat(this.cmd, c, g.id);
  }

  private touchSession(c: Conn): void {
    const now = Date.now();
    if (!c.tokenHash || now - c.sessionTouchedAt < 3600_000) return;
    c.sessionTouchedAt = now;
    this.d.store.touchSession(c.tokenHash).catch(() => { c.sessionTouchedAt = 0; });
  }

  close(c: Conn, code: number): void {
    c.closed = true;
    this.conns.delete(c);
    if (c.helloTimer) clearTimeout(c.helloTimer);
    const ip = c.socket.ip;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n); else this.perIp.delete(ip);
    this.d.metrics.connections.dec();
    const games = [...c.rooms].filter(([, role]) => role === 'player').map(([id]) => id);
    this.d.rooms.leaveAll(c);
    const pid = c.recorded;
    if (!pid) return;
    this.d.players.remove(c, pid);
    this.d.log.info({ conn: c.id, playerId: pid, code, games, secs: Math.round((Date.now() - c.openedAt) / 1000) }, 'closed');
    this.d.track(this.d.store.disconnect(pid, this.d.instanceId, c.member).catch((e) => {
      this.d.metrics.redisErrors.inc({ op: 'disconnect' });
      this.d.log.warn({ conn: c.id, playerId: pid, games, err: errText(e) }, 'disconnect not recorded');
    }));
  }
}

export { errText };
