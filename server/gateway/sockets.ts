// What happens on a client socket, from the transport's events: admission (admission.ts), the hello
// timeout, frame size, rate limit (abuse.ts), validation, then hello (hello.ts) or a request
// (dispatch.ts), and cleanup on close. Answers and closes go through answers.ts.
import type { Logger } from 'pino';
import { CLOSE, MAX_FRAME_BYTES, parseClientMessage, ridOf, type ErrorCode } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import { errText } from '../log.js';
import { perLabel, type Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Socket, SocketHandlers, UpgradeInfo } from '../transport/types.js';
import { TokenBucket } from './abuse.js';
import { Admission } from './admission.js';
import { Answers } from './answers.js';
import type { CommandDeps } from './commands.js';
import type { ComputerTurns } from './computer-turns.js';
import { Conn } from './conn.js';
import { Dispatcher } from './dispatch.js';
import { HelloHandler } from './hello.js';
import type { Ids } from './ids.js';
import type { Players } from './players.js';
import type { Rooms } from './rooms.js';

export type SocketConfig = Pick<Config, 'GATEWAY_ID' | 'RATE_PER_S' | 'RATE_BURST' | 'ABUSE_LIMIT' | 'HELLO_TIMEOUT_MS' | 'MAX_CONNS_PER_IP' | 'MAX_CONNS_PER_PLAYER'>;

export interface SocketDeps {
  cfg: SocketConfig;
  instanceId: string;
  store: Store;
  rooms: Rooms;
  players: Players;
  /** Claims a computer's turn at once when a command passed the turn to it. */
  computer: Pick<ComputerTurns, 'nudge'>;
  metrics: Metrics;
  log: Logger;
  ids: Ids;
  /** The open connections of this gateway (shared with the registration, which records them again after a lapse). */
  conns: Set<Conn>;
  isReady(): boolean;
  /** True once the gateway drains: new sockets are refused (503) so clients go elsewhere. */
  isDraining(): boolean;
  originAllowed(origin: string | undefined): boolean;
  /** Work that must finish before the process exits (commands, disconnect bookkeeping). */
  track(p: Promise<unknown>): void;
  now(): number;
}

export class SocketHandler implements SocketHandlers<Conn> {
  private readonly admission: Admission;
  private readonly answers: Answers;
  private readonly helloHandler: HelloHandler;
  private readonly dispatcher: Dispatcher;
  private readonly received = perLabel((type) => this.d.metrics.messagesIn.labels({ type }));

  constructor(private readonly d: SocketDeps) {
    const { cfg } = d;
    this.admission = new Admission({ maxConnsPerIp: cfg.MAX_CONNS_PER_IP, isDraining: d.isDraining, originAllowed: d.originAllowed });
    const answers = this.answers = new Answers({ metrics: d.metrics, abuseLimit: cfg.ABUSE_LIMIT, now: d.now });
    const commands: CommandDeps = {
      store: d.store, rooms: d.rooms, computer: d.computer, metrics: d.metrics, log: d.log, newGameId: d.ids.newGameId, newCode: d.ids.newCode,
      reply: (c, msg) => answers.reply(c, msg),
      fail: (c, rid, code, message) => answers.fail(c, rid, code, message),
    };
    this.helloHandler = new HelloHandler({
      store: d.store, rooms: d.rooms, players: d.players, answers, ids: d.ids, instanceId: d.instanceId, gatewayId: cfg.GATEWAY_ID,
      maxConnsPerPlayer: cfg.MAX_CONNS_PER_PLAYER, isReady: d.isReady, track: d.track, now: d.now, log: d.log, metrics: d.metrics,
    });
    this.dispatcher = new Dispatcher({ commands, answers, store: d.store, isReady: d.isReady, track: d.track, now: d.now, log: d.log, metrics: d.metrics });
  }

  get conns(): ReadonlySet<Conn> { return this.d.conns; }

  upgrade(info: UpgradeInfo): [number, string] | null { return this.admission.decide(info); }

  open(socket: Socket): Conn {
    const { d } = this;
    const id = d.ids.newId(10);
    const now = d.now();
    const c = new Conn(socket, id, `${d.instanceId}|${id}`, new TokenBucket(d.cfg.RATE_PER_S, d.cfg.RATE_BURST, now), now);
    d.conns.add(c);
    this.admission.opened(socket.ip);
    d.metrics.connections.inc();
    c.helloTimer = setTimeout(() => this.end(c, CLOSE.POLICY, 'no hello'), d.cfg.HELLO_TIMEOUT_MS);
    return c;
  }

  end(c: Conn, code: number, reason: string): void { this.answers.end(c, code, reason); }

  fail(c: Conn, rid: string | undefined, code: ErrorCode, message?: string): void { this.answers.fail(c, rid, code, message); }

  message(c: Conn, text: string | null, bytes: number): void {
    if (c.closed) return;
    if (bytes > MAX_FRAME_BYTES) { this.end(c, CLOSE.TOO_BIG, 'frame over 4096 bytes'); return; }
    if (!c.bucket.take(this.d.now())) { this.fail(c, text === null ? undefined : ridOf(text), 'RATE_LIMITED'); return; }
    if (text === null) { this.fail(c, undefined, 'BAD_MESSAGE', 'Binary frames are not accepted: send JSON text.'); return; }
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.received('invalid').inc();
      this.fail(c, parsed.rid, c.playerId || parsed.t === 'hello' || !parsed.t ? parsed.code : 'HELLO_FIRST', parsed.message);
      return;
    }
    const msg = parsed.msg;
    this.received(msg.t).inc();
    if (msg.t === 'hello') { this.helloHandler.handle(c, msg); return; }
    if (!c.playerId) { this.fail(c, msg.rid, 'HELLO_FIRST'); return; }
    this.dispatcher.run(c, msg);
  }

  close(c: Conn, code: number): void {
    const { d } = this;
    c.closed = true;
    d.conns.delete(c);
    if (c.helloTimer) clearTimeout(c.helloTimer);
    this.admission.closed(c.socket.ip);
    d.metrics.connections.dec();
    const games = [...c.rooms].filter(([, role]) => role === 'player').map(([id]) => id);
    d.rooms.leaveAll(c);
    const pid = c.recorded;
    if (!pid) return;
    d.players.remove(c, pid);
    d.log.info({ conn: c.id, playerId: pid, code, games, secs: Math.round((d.now() - c.openedAt) / 1000) }, 'closed');
    d.track(d.store.disconnect(pid, d.instanceId, c.member).catch((e) => {
      d.metrics.redisErrors.inc({ op: 'disconnect' });
      d.log.warn({ conn: c.id, playerId: pid, games, err: errText(e) }, 'disconnect not recorded');
    }));
  }
}
