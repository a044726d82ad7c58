// A socket's hello: the protocol version, then the session (resumed by its token or a new guest)
// recorded in Redis with this connection, then the welcome and every unfinished game's snapshot.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { CLOSE, PROTOCOL_VERSION, sanitizeName, type ClientMessage } from '../../shared/protocol.js';
import { errText, msSince } from '../log.js';
import type { Metrics } from '../metrics.js';
import { hashToken, type Store } from '../store/store.js';
import type { Answers } from './answers.js';
import { joinSeat } from './commands.js';
import type { Conn } from './conn.js';
import { failureCode, fromRedis } from './failures.js';
import type { Ids } from './ids.js';
import type { Players } from './players.js';
import type { Rooms } from './rooms.js';

export type HelloMessage = Extract<ClientMessage, { t: 'hello' }>;

/** Tokens shorter than this are not looked up: a new session is made instead. */
const MIN_TOKEN_LENGTH = 16;

export interface HelloDeps {
  store: Pick<Store, 'hello' | 'disconnect' | 'unfinishedGames'>;
  rooms: Rooms;
  players: Pick<Players, 'conns' | 'add'>;
  answers: Answers;
  ids: Pick<Ids, 'newId'>;
  instanceId: string;
  gatewayId: string;
  maxConnsPerPlayer: number;
  isReady(): boolean;
  track(p: Promise<unknown>): void;
  now(): number;
  log: Logger;
  metrics: Pick<Metrics, 'resumes' | 'redisErrors'>;
}

export class HelloHandler {
  constructor(private readonly d: HelloDeps) {}

  handle(c: Conn, msg: HelloMessage): void {
    const { d } = this;
    if (msg.v !== PROTOCOL_VERSION) {
      d.answers.fail(c, msg.rid, 'UNSUPPORTED_VERSION', `Protocol version ${String(msg.v).slice(0, 16)} is not supported; use 1.`);
      d.answers.end(c, CLOSE.POLICY, 'unsupported version');
      return;
    }
    if (c.playerId || c.helloPending) { d.answers.fail(c, msg.rid, 'BAD_MESSAGE', 'hello was already received on this socket.'); return; }
    if (!d.isReady()) { d.answers.fail(c, msg.rid, 'UNAVAILABLE'); return; }
    c.helloPending = true;
    c.inflight++;
    const started = performance.now();
    d.track(this.resume(c, msg, started).catch((e: unknown) => {
      const code = failureCode(e);
      if (fromRedis(e)) d.metrics.redisErrors.inc({ op: 'hello' });
      d.log.warn({ cmd: 'hello', conn: c.id, rid: msg.rid, code, err: errText(e), ms: msSince(started) }, 'hello failed');
      d.answers.fail(c, msg.rid, code);
    }).finally(() => { c.helloPending = false; c.inflight--; }));
  }

  private async resume(c: Conn, msg: HelloMessage, started: number): Promise<void> {
    const { d } = this;
    // a token names its player (`PID.SECRET`): its session is in the player's slot
    const newPlayerId = d.ids.newId(16);
    const newToken = `${newPlayerId}.${randomBytes(24).toString('base64url')}`;
    const token = typeof msg.token === 'string' && msg.token.length >= MIN_TOKEN_LENGTH ? msg.token : null;
    const r = await d.store.hello({
      token, newToken, newPlayerId, name: sanitizeName(msg.name),
      defaultName: `Guest-${d.ids.newId(4)}`, instance: d.instanceId, conn: c.member,
    });
    if (c.closed) { d.track(d.store.disconnect(r.playerId, d.instanceId, c.member).catch(() => {})); return; }
    c.recorded = r.playerId; // from here on, close() forgets the connection
    if (c.helloTimer) { clearTimeout(c.helloTimer); c.helloTimer = null; }
    const tok = r.resumed ? token! : newToken;
    c.tokenHash = hashToken(tok);
    c.sessionTouchedAt = d.now();
    c.name = r.name;
    if ((d.players.conns(r.playerId)?.size ?? 0) >= d.maxConnsPerPlayer) {
      // each socket is an entry of the player's connection set in Redis, which scripts walk: bounded
      d.answers.fail(c, msg.rid, 'RATE_LIMITED', 'Too many connections for this player on this gateway.');
      d.answers.end(c, CLOSE.POLICY, 'too many connections for this player'); // close() forgets it, here and in Redis
      return;
    }
    await d.players.add(c, r.playerId);
    if (c.closed) return; // closed meanwhile: close() already forgot it, here and in Redis
    c.playerId = r.playerId;
    if (r.resumed) d.metrics.resumes.inc();
    const games = await d.store.unfinishedGames(r.playerId);
    d.answers.reply(c, { t: 'welcome', player: { id: r.playerId, name: r.name }, token: tok, gateway: d.gatewayId, resumed: r.resumed, games: games.map((g) => g.id) });
    d.log.info({ conn: c.id, playerId: r.playerId, resumed: r.resumed, games: games.map((g) => g.id), ip: c.socket.ip, ms: msSince(started) }, 'hello');
    for (const g of games) await joinSeat(d, c, g.id);
  }
}
