// Runs a request after hello: one command handler (commands.ts), answered UNAVAILABLE at once
// while the gateway cannot serve, a failure classified (failures.ts), one histogram observation and
// one log line per command, and the session's TTL refreshed while its player is active.
import type { Logger } from 'pino';
import { CLOSE, type ClientMessage, type ErrorCode } from '../../shared/protocol.js';
import { errText, msSince } from '../log.js';
import { perLabel, type Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Answers } from './answers.js';
import { COMMANDS, type CommandDeps } from './commands.js';
import type { Conn } from './conn.js';
import { failureCode, fromRedis } from './failures.js';

export type Request = Exclude<ClientMessage, { t: 'hello' }>;
type Outcome = 'ok' | 'refused' | 'unavailable' | 'internal';

/** A session is refreshed in Redis at most this often per connection. */
const SESSION_TOUCH_MS = 3600_000;

export interface DispatchDeps {
  /** What the command handlers get; reply and fail are wrapped per request to see its outcome. */
  commands: CommandDeps;
  answers: Answers;
  store: Pick<Store, 'touchSession'>;
  isReady(): boolean;
  track(p: Promise<unknown>): void;
  now(): number;
  log: Logger;
  metrics: Pick<Metrics, 'commandSeconds' | 'redisErrors'>;
}

export class Dispatcher {
  /** The histogram's child per `COMMAND OUTCOME`. */
  private readonly seconds = perLabel((key) => {
    const [command, outcome] = key.split(' ');
    return this.d.metrics.commandSeconds.labels({ command, outcome });
  });
  constructor(private readonly d: DispatchDeps) {}

  run(c: Conn, msg: Request): void {
    const { d } = this;
    if (!d.isReady()) { d.answers.fail(c, msg.rid, 'UNAVAILABLE'); return; }
    const started = performance.now();
    let refused: ErrorCode | undefined;
    let answered = false;
    const deps: CommandDeps = {
      ...d.commands,
      reply: (cc, m) => { answered ||= cc === c; d.commands.reply(cc, m); },
      fail: (cc, rid, code, text) => { refused ??= code; answered ||= cc === c; d.commands.fail(cc, rid, code, text); },
    };
    c.inflight++;
    const handler = COMMANDS[msg.t] as (d: CommandDeps, c: Conn, m: Request) => Promise<Record<string, unknown> | void>;
    d.track(handler(deps, c, msg).then((info) => {
      this.done(c, msg, started, refused ? 'refused' : 'ok', info, refused);
    }, (e: unknown) => {
      const code = failureCode(e);
      if (fromRedis(e)) d.metrics.redisErrors.inc({ op: 'command' });
      this.done(c, msg, started, code === 'UNAVAILABLE' ? 'unavailable' : 'internal', { err: errText(e), ...(answered ? { answered } : {}) }, code);
      // after its answer a handler only fails while following the game's updates: rather than answer
      // twice, close (1011) so that the client reconnects and gets every game's current snapshot
      if (answered) d.answers.end(c, CLOSE.INTERNAL, 'lost track of a game: reconnect');
      else d.answers.fail(c, msg.rid, code);
    }));
  }

  /**
   * One histogram observation and one log line per command: `command` (info for a step of a game's
   * story, debug for the rest) or `command failed` (warn), with the player, game, rid, version and ms.
   * Also where the request stops counting as in flight.
   */
  private done(c: Conn, msg: Request, started: number, outcome: Outcome, info: Record<string, unknown> | void, code: ErrorCode | undefined): void {
    const { d } = this;
    c.inflight--;
    this.touchSession(c);
    this.seconds(`${msg.t} ${outcome}`).observe((performance.now() - started) / 1000);
    const level = outcome === 'unavailable' || outcome === 'internal' ? 'warn' : info?.event ? 'info' : 'debug';
    if ((msg.t === 'ping' && outcome === 'ok') || !d.log.isLevelEnabled(level)) return;
    d.log[level]({
      cmd: msg.t, outcome, playerId: c.playerId, conn: c.id, rid: msg.rid, gameId: 'gameId' in msg ? msg.gameId : undefined,
      ...info, code, ms: msSince(started),
    }, level === 'warn' ? 'command failed' : 'command');
  }

  private touchSession(c: Conn): void {
    const now = this.d.now();
    if (!c.tokenHash || !c.recorded || now - c.sessionTouchedAt < SESSION_TOUCH_MS) return;
    c.sessionTouchedAt = now;
    this.d.store.touchSession(c.recorded, c.tokenHash).catch(() => { c.sessionTouchedAt = 0; });
  }
}
