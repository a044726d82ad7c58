// A gateway process's composition root: WebSocket and HTTP on one port, Redis for every piece of
// state. It keeps only what it can rebuild (rooms, local sockets) and tells when it cannot serve.
// Everything it needs from outside (configuration, Redis clients, the Store, the transport, ids,
// the clock) is passed in; server/main.ts builds the real ones, a test may pass fakes.
// The jobs live in their own modules: readiness.ts (Redis health and recovery), registration.ts
// (registration and heartbeat), housekeeping.ts (time rules, dead instances), computer-turns.ts
// (the computer opponent's moves, claimed like time rules), drain.ts (stopping),
// sockets.ts (client sockets), rooms.ts and players.ts (fan-out), channels.ts (pub/sub messages).
import type { Logger } from 'pino';
import { MAX_FRAME_BYTES } from '../../shared/protocol.js';
import type { Config } from '../config.js';
import { httpRoutes } from '../http.js';
import { scrub } from '../log.js';
import { perLabel, type Metrics } from '../metrics.js';
import { decodeChannelMessage } from '../store/channels.js';
import type { DurabilitySetup } from '../store/durability.js';
import type { Store } from '../store/store.js';
import type { Transport, TransportFactory } from '../transport/types.js';
import { joinSeat } from './commands.js';
import { ComputerTurns } from './computer-turns.js';
import type { Conn } from './conn.js';
import { Drain } from './drain.js';
import { Housekeeping } from './housekeeping.js';
import type { Ids } from './ids.js';
import { originPolicy } from './origins.js';
import { Players } from './players.js';
import { Readiness, type Verdict } from './readiness.js';
import type { RedisLink } from './redis-link.js';
import { Registration } from './registration.js';
import { Rooms } from './rooms.js';
import { SocketHandler } from './sockets.js';
import { Subscriptions, type Subscriber } from './subscriptions.js';

/** The subscriber connection: a RedisLink in subscriber mode that delivers channel messages. */
export type SubscriberLink = RedisLink & Subscriber & {
  on(event: 'message', listener: (channel: string, payload: string) => void): unknown;
};

export interface GatewayOptions {
  cfg: Config;
  log: Logger;
  metrics: Metrics;
  /** The Store, on the command connection `cmd`. */
  store: Store;
  /**
   * The Store's durability (REDIS_MODE): `outbox` delivery turns the outbox reconciler on; its
   * barrier's own connection is closed with the gateway. Default: scripts publish, nothing to close.
   */
  durability?: Pick<DurabilitySetup, 'delivery' | 'close'>;
  cmd: RedisLink;
  sub: SubscriberLink;
  transport: TransportFactory;
  assets: (path: string) => { type: string; body: string | Uint8Array } | null;
  ids: Ids;
  now(): number;
  /**
   * Sentinel mode: whether the node the command connection talks to is a primary (ROLE). The
   * heartbeat asks; a node that is not makes the gateway drop both connections and ask the
   * Sentinels again (see Registration).
   */
  isPrimary?: () => Promise<boolean>;
}

/** Sockets that send nothing (not even a pong) for this long are dropped by the transport. */
const IDLE_TIMEOUT_S = 60;
/** How often the gauges are refreshed and a pending recovery retried. */
const TICK_MS = 1000;
/** REDIS_MODE=sentinel: how often the outbox is checked for entries a change left unpublished for a second. */
const OUTBOX_CHECK_MS = 500;

export class Gateway {
  readonly instanceId: string;
  private readonly conns = new Set<Conn>();
  private readonly rooms: Rooms;
  private readonly players: Players;
  private readonly subs: Subscriptions;
  private readonly drainer: Drain;
  private readonly registration: Registration;
  private readonly health: Readiness;
  private readonly housekeeping: Housekeeping;
  private readonly sockets: SocketHandler;
  private readonly transport: Transport;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: GatewayOptions) {
    const { cfg, log, metrics, store, now } = o;
    const instanceId = this.instanceId = `${cfg.GATEWAY_ID}-${o.ids.newInstanceSuffix()}`;
    const drain = this.drainer = new Drain({ drainMs: cfg.DRAIN_MS, now, log, metrics });
    const isDraining = () => drain.draining;
    const transport = this.transport = o.transport({ maxFrameBytes: MAX_FRAME_BYTES, sendBufferLimit: cfg.SEND_BUFFER_LIMIT, idleTimeoutS: IDLE_TIMEOUT_S });
    const subs = this.subs = new Subscriptions(o.sub);
    const forwarded = perLabel((type) => metrics.messagesOut.labels({ type }));
    const rooms = this.rooms = new Rooms({
      subs, transport, spectatorLimit: cfg.MAX_SPECTATORS,
      channelOf: (id) => store.keys.gameChannel(id), read: (id) => store.readRoom(id),
      onForward: (_id, n, type) => forwarded(type).inc(n),
      onRollback: (gameId, forwarded, read) => {
        metrics.rollbacks.inc();
        log.warn({ gameId, forwarded, read }, 'game read at a lower version than forwarded (rolled back by a failover): forwarding it with reset');
      },
    });
    this.players = new Players({ subs, store, log, follow: (c, id, announce) => joinSeat({ rooms }, c, id, announce) });
    const registration = this.registration = new Registration({
      store, cmd: o.cmd, sub: o.sub, instanceId, heartbeatMs: cfg.HEARTBEAT_MS, commandTimeoutMs: cfg.REDIS_COMMAND_TIMEOUT_MS,
      info: { id: cfg.GATEWAY_ID, instance: instanceId, url: cfg.PUBLIC_URL, ws: `${cfg.PUBLIC_URL.replace(/^http/, 'ws')}/ws` },
      conns: () => this.conns, isDraining, now, log, metrics, isPrimary: o.isPrimary, clusterMode: cfg.REDIS_MODE === 'cluster',
    });
    const health = this.health = new Readiness({
      cmd: o.cmd, sub: o.sub, registration, subs, rooms, players: this.players, isDraining, now, log, metrics,
    });
    const computer = new ComputerTurns({ store, metrics, log, track: (p) => drain.track(p), now });
    this.housekeeping = new Housekeeping({
      store, instanceId, canServe: () => health.canServe(), isReady: () => health.readiness().ok, computer, log, metrics,
      outbox: o.durability?.delivery === 'outbox' ? store.outbox : null,
      gapMs: Math.max(2 * cfg.HEARTBEAT_MS, 8 * cfg.SWEEP_MS), now,
    });
    this.sockets = new SocketHandler({
      cfg, instanceId, store, rooms, players: this.players, computer, metrics, log, ids: o.ids, conns: this.conns,
      isReady: () => health.canServe(), isDraining, originAllowed: originPolicy(cfg), track: (p) => drain.track(p), now,
    });
    this.wire();
  }

  /** Whether commands are served: Redis connected, resubscribed and resynced after any loss, registered, not draining. */
  canServe(): boolean { return this.health.canServe(); }

  /** /readyz: serving, and Redis answers the heartbeat. */
  readiness(): Verdict { return this.health.readiness(); }

  get metrics(): Metrics { return this.o.metrics; }

  private wire(): void {
    const { metrics, store } = this.o;
    this.o.sub.on('message', (channel: string, payload: string) => {
      metrics.pubsubReceived.inc();
      const msg = decodeChannelMessage(store.keys, channel, payload);
      const handled = msg?.channel === 'game' ? this.rooms.onEvent(msg.gameId, msg.event)
        : msg?.channel === 'player' ? this.players.onNotice(msg.playerId, msg.notice) : false;
      if (!handled) metrics.pubsubDropped.inc();
    });
    this.health.watch();
  }

  async start(): Promise<void> {
    const { cfg, log, metrics, store } = this.o;
    await this.transport.listen(cfg.HOST, cfg.PORT, {
      sockets: this.sockets,
      http: httpRoutes({ ready: () => this.readiness(), registry: metrics.registry, asset: this.o.assets, gateways: () => store.liveInstances() }),
    });
    log.info({ host: cfg.HOST, port: cfg.PORT, transport: this.transport.name, instance: this.instanceId, redis: scrub(cfg.REDIS_URL), publicUrl: cfg.PUBLIC_URL }, 'listening');
    const every = (ms: number, fn: () => Promise<void>) => this.timers.push(setInterval(() => { fn().catch(() => {}); }, ms));
    every(cfg.HEARTBEAT_MS, () => (this.o.cmd.status === 'ready' && !this.drainer.draining ? this.registration.heartbeat() : Promise.resolve()));
    every(cfg.SWEEP_MS, () => this.housekeeping.sweep());
    every(cfg.HEARTBEAT_MS, () => this.housekeeping.reapDead());
    every(cfg.HEARTBEAT_MS, () => this.housekeeping.finishMatches());
    every(OUTBOX_CHECK_MS, () => this.housekeeping.reconcileOutbox());
    every(TICK_MS, async () => {
      metrics.gamesActive.set(this.rooms.size);
      metrics.ready.set(this.readiness().ok ? 1 : 0);
      if (this.health.catchUpPending) await this.health.recover();
      else if (this.canServe()) metrics.gamesUnfinished.set(await store.deadlineCount());
    });
  }

  /**
   * SIGTERM: readiness 503 and new sockets refused (503), every client closed with 1012 so that it
   * reconnects elsewhere at once, then in-flight commands and the disconnect bookkeeping of the
   * closed sockets finish (at most DRAIN_MS), then the gateway unregisters and stops listening.
   */
  async drain(): Promise<void> {
    if (await this.drainer.run(this.sockets)) await this.close();
  }

  /** Stops everything at once (after a drain, or in tests): no more serving, registration removed. */
  async close(): Promise<void> {
    this.drainer.stop();
    for (const t of this.timers) clearInterval(t);
    await this.registration.unregister().then(() => this.housekeeping.reapInstance(this.instanceId)).catch(() => {});
    this.transport.stopListening();
    this.o.cmd.disconnect();
    this.o.sub.disconnect();
    this.o.durability?.close();
  }
}
