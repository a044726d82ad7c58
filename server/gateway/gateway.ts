// A gateway process: WebSocket and HTTP on one port, Redis for every piece of state. It keeps only
// what it can rebuild (rooms, local sockets) and tells when it cannot serve (readiness).
import { customAlphabet } from 'nanoid';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MAX_FRAME_BYTES } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import { httpRoutes } from '../http.js';
import { errText, scrub } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { connectRedis } from '../redis.js';
import { Store } from '../store/store.js';
import type { Transport, TransportOptions } from '../transport/types.js';
import type { Conn } from './conn.js';
import { joinSeat } from './commands.js';
import { Players } from './players.js';
import { Rooms } from './rooms.js';
import { SocketHandler } from './sockets.js';
import { Subscriptions } from './subscriptions.js';
import { originPolicy } from './origins.js';

export const newId = customAlphabet('0123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ', 16);
const idOf = (size: number) => newId(size);
/** Invite codes: 6 characters of an alphabet without look-alikes (no 0/O, 1/I/L). */
export const newInviteCode = customAlphabet('23456789ABCDEFGHJKMNPQRSTUVWXYZ', 6);

const MAX_FAILED_BEATS = 3;

export interface GatewayOptions {
  cfg: Config;
  log: Logger;
  transport: (opts: TransportOptions<Conn> & { sendBufferLimit: number; idleTimeoutS: number }) => Transport;
  assets: (path: string) => { type: string; body: string | Uint8Array } | null;
}

export class Gateway {
  readonly metrics: Metrics;
  readonly instanceId: string;
  private readonly cmdRedis: Redis;
  private readonly subRedis: Redis;
  private readonly store: Store;
  private readonly rooms: Rooms;
  private readonly players: Players;
  private readonly sockets: SocketHandler;
  private readonly transport: Transport;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private draining = false;
  private wasReady = { cmd: false, sub: false };
  private sweeping = false;
  private reaping = false;
  /** Set once this instance is registered in Redis: until then its players would look offline. */
  private registered = false;
  /**
   * Redis connections lost so far (`lost`, and `subLost` for the subscriber) and how many of those
   * losses recovery has caught up with: the gateway serves again only once resubscribed and resynced.
   */
  private lost = 0;
  private recovered = 0;
  private subLost = 0;
  private subRecovered = 0;
  private recovering = false;
  private beat: Promise<void> | null = null;
  private beatSince = 0;
  private lastBeatOk = 0;
  /** Heartbeats failed in a row: at MAX_FAILED_BEATS the connections are dropped and made again. */
  private failedBeats = 0;
  private readonly subs: Subscriptions;

  constructor(private readonly o: GatewayOptions) {
    const { cfg, log } = o;
    this.instanceId = `${cfg.GATEWAY_ID}-${idOf(6)}`;
    this.metrics = createMetrics(cfg.GATEWAY_ID);
    this.cmdRedis = connectRedis(cfg, `trine-${cfg.GATEWAY_ID}-cmd`);
    this.subRedis = connectRedis(cfg, `trine-${cfg.GATEWAY_ID}-sub`);
    this.store = new Store(this.cmdRedis, {
      maxGamesPerPlayer: cfg.MAX_GAMES_PER_PLAYER, turnMs: cfg.TURN_MS, abandonMs: cfg.ABANDON_MS, inviteTtlMs: cfg.INVITE_TTL_MS,
      finishedTtlS: cfg.FINISHED_TTL_S, sessionTtlS: cfg.SESSION_TTL_S,
    }, cfg.REDIS_PREFIX);
    const subs = this.subs = new Subscriptions(this.subRedis);
    let transport: Transport | null = null;
    this.rooms = new Rooms({
      subs, transport: { publish: (t, x) => transport!.publish(t, x) } as Transport, spectatorLimit: cfg.MAX_SPECTATORS,
      channelOf: (id) => this.store.keys.gameChannel(id), read: (id) => this.store.readRoom(id),
      onForward: (_id, n, type) => this.metrics.messagesOut.inc({ type }, n),
      onDropped: () => this.metrics.pubsubDropped.inc(),
    });
    let sockets: SocketHandler | null = null;
    this.players = new Players({
      subs, rooms: this.rooms, store: this.store, log,
      follow: (c, id, announce) => joinSeat(sockets!.deps, c, id, announce),
    });
    const origins = originPolicy(cfg);
    this.sockets = sockets = new SocketHandler({
      cfg, instanceId: this.instanceId, store: this.store, rooms: this.rooms, players: this.players, metrics: this.metrics, log,
      isReady: () => this.canServe(), isDraining: () => this.draining, originAllowed: origins, newId: idOf, newGameId: () => idOf(12), newCode: () => newInviteCode(),
      track: (p) => this.track(p),
    });
    this.transport = transport = o.transport({
      maxFrameBytes: MAX_FRAME_BYTES, sockets: this.sockets, sendBufferLimit: cfg.SEND_BUFFER_LIMIT, idleTimeoutS: 60,
      http: httpRoutes({
        ready: () => this.readiness(), registry: this.metrics.registry, asset: o.assets,
        gateways: () => this.store.liveInstances(),
      }),
    });
    this.wire();
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    p.finally(() => this.pending.delete(p));
  }

  private redisUp(): boolean { return this.cmdRedis.status === 'ready' && this.subRedis.status === 'ready'; }

  /** Whether commands are served: Redis connected, resubscribed and resynced after any loss, registered, not draining. */
  canServe(): boolean {
    return this.serving().ok;
  }

  private serving(): { ok: boolean; why: string } {
    if (this.draining) return { ok: false, why: 'draining' };
    if (!this.redisUp()) return { ok: false, why: 'redis unreachable' };
    if (!this.registered) return { ok: false, why: 'registering' };
    if (this.recovered !== this.lost) return { ok: false, why: 'resyncing after a redis reconnect' };
    return { ok: true, why: 'ok' };
  }

  /**
   * /readyz: serving, and Redis answers: a failed heartbeat, one unanswered for a second (a silent
   * network cut, a stalled Redis) or none confirmed within the registration TTL makes it not ready.
   */
  readiness(): { ok: boolean; why: string } {
    const s = this.serving();
    if (!s.ok) return s;
    const now = Date.now();
    if (this.failedBeats > 0 || (this.beatSince && now - this.beatSince > Math.min(1000, this.o.cfg.REDIS_COMMAND_TIMEOUT_MS))) {
      return { ok: false, why: 'redis not answering' };
    }
    if (now - this.lastBeatOk > this.o.cfg.HEARTBEAT_MS * 3) return { ok: false, why: 'registration not renewed' };
    return s;
  }

  private wire(): void {
    const { log } = this.o;
    const keys = this.store.keys;
    this.subRedis.on('message', (channel: string, payload: string) => {
      this.metrics.pubsubReceived.inc();
      const parsed = keys.parseChannel(channel);
      const handled = parsed?.kind === 'game' ? (this.rooms.onMessage(parsed.id, payload), true)
        : parsed?.kind === 'player' ? this.players.onMessage(parsed.id, payload) : false;
      if (!handled) this.metrics.pubsubDropped.inc();
    });
    for (const [name, conn] of [['cmd', this.cmdRedis], ['sub', this.subRedis]] as const) {
      conn.on('error', (e: Error) => {
        this.metrics.redisErrors.inc({ op: 'connection' });
        log.debug({ conn: name, err: errText(e) }, 'redis error');
      });
      conn.on('close', () => {
        if (!this.wasReady[name] || this.draining) return;
        if (this.lost === this.recovered) log.warn({ conn: name }, 'redis connection lost; answering UNAVAILABLE until it is back');
        this.lost++;
        if (name === 'sub') this.subLost++;
      });
      conn.on('ready', () => {
        const again = this.wasReady[name];
        this.wasReady[name] = true;
        if (!again) {
          log.info({ conn: name }, 'redis ready');
          if (name === 'cmd') this.heartbeat().catch((e) => log.warn({ err: errText(e) }, 'registration failed'));
          return;
        }
        this.metrics.redisReconnects.inc({ conn: name });
        log.info({ conn: name }, 'redis ready again');
        void this.recover();
      });
    }
  }

  /**
   * After lost connections, once both are back: resubscribe (if the subscriber was lost), renew the
   * registration, re-read every served game and every local player's games. Retried every second
   * by the ticker until it succeeds; commands are answered UNAVAILABLE until then.
   */
  private async recover(): Promise<void> {
    if (this.recovering || this.draining || !this.redisUp() || this.recovered === this.lost) return;
    this.recovering = true;
    const lost = this.lost;
    const subLost = this.subLost;
    const started = Date.now();
    try {
      if (this.subRecovered !== subLost) {
        await this.subs.resubscribeAll();
        this.subRecovered = subLost;
      }
      await this.heartbeat();
      await this.rooms.resync();
      await this.players.resync();
      this.recovered = lost;
      this.o.log.info({ rooms: this.rooms.size, players: this.players.size, channels: this.subs.size, ms: Date.now() - started }, 'resubscribed and resynced');
    } catch (e) {
      this.metrics.redisErrors.inc({ op: 'resync' });
      this.o.log.warn({ err: errText(e) }, 'resync failed; retrying');
    } finally {
      this.recovering = false;
    }
  }

  /** Renews this instance's registration (one at a time: concurrent callers share the beat in flight). */
  private heartbeat(): Promise<void> {
    this.beat ??= this.renew().finally(() => { this.beat = null; this.beatSince = 0; });
    return this.beat;
  }

  private async renew(): Promise<void> {
    const { cfg } = this.o;
    this.beatSince = Date.now();
    const info = { id: cfg.GATEWAY_ID, instance: this.instanceId, url: cfg.PUBLIC_URL, ws: `${cfg.PUBLIC_URL.replace(/^http/, 'ws')}/ws` };
    try {
      // the subscriber answers PING too: a silent subscriber connection would lose every update
      const [wasAlive] = await Promise.all([
        this.store.heartbeat(this.instanceId, info, cfg.HEARTBEAT_MS * 3),
        this.subRedis.status === 'ready' ? this.subRedis.ping() : null,
      ]);
      this.failedBeats = 0;
      if (!wasAlive && this.registered) {
        // the registration lapsed (a stall, a Redis restart): readers may have pruned our connections
        this.o.log.warn('registration had lapsed; recording connections again');
        await this.store.attach(this.instanceId, [...this.sockets.conns].filter((c) => c.recorded && !c.closed).map((c) => [c.recorded!, c.member]));
      }
    } catch (e) {
      this.metrics.redisErrors.inc({ op: 'heartbeat' });
      if (++this.failedBeats >= MAX_FAILED_BEATS && !this.draining) {
        // connections that stay "ready" but never answer (a silent network cut, a Redis host gone
        // without a reset, an address moved by a failover) are only noticed here: make them again
        this.failedBeats = 0;
        this.o.log.warn({ err: errText(e) }, `redis did not answer ${MAX_FAILED_BEATS} heartbeats: reconnecting`);
        this.cmdRedis.disconnect(true);
        this.subRedis.disconnect(true);
      }
      throw e;
    }
    this.lastBeatOk = Date.now();
    this.registered = true;
  }

  /**
   * Applies due time rules; any gateway may, the scripts make sure each applies once. The gateway
   * that applied a rule counts the game's ending (trine_games_finished_total) and logs it.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping || !this.canServe()) return;
    this.sweeping = true;
    try {
      for (const id of await this.store.dueGames(100)) {
        const applied = await this.store.expire(id);
        if (!applied) continue;
        this.metrics.timeRules.inc();
        this.metrics.gamesFinished.inc({ reason: applied });
        this.o.log.info({ gameId: id, event: 'finished', reason: applied }, 'time rule applied');
      }
    } catch (e) {
      this.metrics.redisErrors.inc({ op: 'sweep' });
      this.o.log.debug({ err: errText(e) }, 'sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Cleans up after dead gateway instances (registration lapsed, e.g. SIGKILLed): their players'
   * connections are dropped and whoever is left offline shows so and starts its abandonment clock.
   * Any gateway may; the reap script hands each player to one caller only.
   */
  private async reapDead(): Promise<void> {
    if (this.reaping || !this.readiness().ok) return;
    this.reaping = true;
    try {
      for (const id of await this.store.deadInstances(this.instanceId)) await this.reapInstance(id);
    } catch (e) {
      this.o.log.debug({ err: errText(e) }, 'reap failed');
    } finally {
      this.reaping = false;
    }
  }

  private async reapInstance(id: string): Promise<void> {
    let handled = 0;
    for (let round = 0; round < 50; round++) {
      const r = await this.store.reap(id, 200);
      if (!r) return;
      handled += r.handled;
      if (!r.left) break;
    }
    if (handled) {
      this.metrics.playersReaped.inc(handled);
      this.o.log.info({ instance: id, players: handled }, 'reaped a dead gateway instance');
    }
  }

  async start(): Promise<void> {
    const { cfg, log } = this.o;
    await this.transport.listen(cfg.HOST, cfg.PORT);
    log.info({ host: cfg.HOST, port: cfg.PORT, transport: this.transport.name, instance: this.instanceId, redis: scrub(cfg.REDIS_URL), publicUrl: cfg.PUBLIC_URL }, 'listening');
    const every = (ms: number, fn: () => Promise<void>) => this.timers.push(setInterval(() => { fn().catch(() => {}); }, ms));
    every(cfg.HEARTBEAT_MS, () => (this.cmdRedis.status === 'ready' && !this.draining ? this.heartbeat() : Promise.resolve()));
    every(cfg.SWEEP_MS, () => this.sweep());
    every(cfg.HEARTBEAT_MS, () => this.reapDead());
    every(1000, async () => {
      this.metrics.gamesActive.set(this.rooms.size);
      this.metrics.ready.set(this.readiness().ok ? 1 : 0);
      if (this.recovered !== this.lost) await this.recover();
      else if (this.canServe()) this.metrics.gamesUnfinished.set(await this.store.deadlineCount());
    });
  }

  /**
   * SIGTERM: readiness 503 and new sockets refused (503), every client closed with 1012 so that it
   * reconnects elsewhere at once, then in-flight commands and the disconnect bookkeeping of the
   * closed sockets finish (at most DRAIN_MS), then the gateway unregisters and stops listening.
   */
  async drain(): Promise<void> {
    const { cfg, log } = this.o;
    if (this.draining) return;
    this.draining = true;
    this.metrics.ready.set(0);
    const conns = this.sockets.conns.size;
    log.info({ conns, inflight: this.pending.size }, 'draining');
    for (const c of [...this.sockets.conns]) this.sockets.end(c, 1012, 'gateway restarting');
    const deadline = Date.now() + cfg.DRAIN_MS;
    while (Date.now() < deadline && (this.pending.size || this.sockets.conns.size)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    log.info({ conns, unfinished: this.pending.size, open: this.sockets.conns.size }, 'drained');
    await this.close();
  }

  /** Stops everything at once (after a drain, or in tests): no more serving, registration removed. */
  async close(): Promise<void> {
    this.draining = true;
    for (const t of this.timers) clearInterval(t);
    await this.store.unregister(this.instanceId).then(() => this.reapInstance(this.instanceId)).catch(() => {});
    this.transport.stopListening();
    this.cmdRedis.disconnect();
    this.subRedis.disconnect();
  }
}
