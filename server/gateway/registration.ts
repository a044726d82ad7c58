// The gateway instance's registration in Redis and its heartbeat. The instance key (TTL 3 beats)
// is what makes this gateway's connections count as presence; the heartbeat renews it, checks that
// both Redis connections answer, and notices a registration that lapsed (a stall, a Redis restart)
// so that the connections a reaper may have dropped are recorded again.
import type { Logger } from 'pino';
import { errText } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { WRITES_REFUSED_REPLY } from './failures.js';
import type { RedisLink } from './redis-link.js';

/** Heartbeats failed in a row after which both connections are dropped and made again. */
export const MAX_FAILED_BEATS = 3;
/** A heartbeat unanswered this long (capped by the command timeout) makes the gateway not ready. */
const SLOW_BEAT_MS = 1000;

/** A local connection as the registration records it again after a lapse. */
export interface RecordedConn {
  readonly recorded: string | null;
  readonly closed: boolean;
  readonly member: string;
}

export interface RegistrationDeps {
  store: Pick<Store, 'heartbeat' | 'attach' | 'unregister'>;
  cmd: Pick<RedisLink, 'disconnect'>;
  sub: Pick<RedisLink, 'status' | 'ping' | 'disconnect'>;
  instanceId: string;
  /** What /api/gateways shows of this instance. */
  info: { id: string; instance: string; url: string; ws: string };
  heartbeatMs: number;
  commandTimeoutMs: number;
  /** The local connections (to record again after a lapse). */
  conns(): Iterable<RecordedConn>;
  isDraining(): boolean;
  now(): number;
  log: Logger;
  metrics: Pick<Metrics, 'redisErrors'>;
  /** Sentinel mode: whether the command connection's node is a primary now (ROLE); see below. */
  isPrimary?: () => Promise<boolean>;
  /** REDIS_MODE=cluster: an error reply to the heartbeat (a shard failing over) does not make the connections again. */
  clusterMode?: boolean;
}

export class Registration {
  /** Set once this instance is registered in Redis: until then its players would look offline. */
  private registeredOnce = false;
  private beat: Promise<void> | null = null;
  private beatSince = 0;
  private lastBeatOk = 0;
  /** Heartbeats failed in a row: at MAX_FAILED_BEATS the connections are dropped and made again. */
  private failedBeats = 0;
  /** The last beat failed because the node refused the write (a replica, or a primary without replicas). */
  private writesRefused = false;

  constructor(private readonly d: RegistrationDeps) {}

  get registered(): boolean { return this.registeredOnce; }

  /**
   * Why Redis' answers to the heartbeat make the gateway not ready, or null: a failed heartbeat, one
   * unanswered for a second (a silent network cut, a stalled Redis), or none confirmed within the
   * registration's TTL.
   */
  trouble(): string | null {
    const now = this.d.now();
    if (this.failedBeats > 0 && this.writesRefused) return 'redis refuses writes (not the primary, or no replica in reach)';
    if (this.failedBeats > 0 || (this.beatSince && now - this.beatSince > Math.min(SLOW_BEAT_MS, this.d.commandTimeoutMs))) {
      return 'redis not answering';
    }
    if (now - this.lastBeatOk > this.d.heartbeatMs * 3) return 'registration not renewed';
    return null;
  }

  /** Renews this instance's registration (one at a time: concurrent callers share the beat in flight). */
  heartbeat(): Promise<void> {
    this.beat ??= this.renew().finally(() => { this.beat = null; this.beatSince = 0; });
    return this.beat;
  }

  private async renew(): Promise<void> {
    const { d } = this;
    this.beatSince = d.now();
    try {
      // the subscriber answers PING too: a silent subscriber connection would lose every update
      const [wasAlive, primary] = await Promise.all([
        d.store.heartbeat(d.instanceId, d.info, d.heartbeatMs * 3),
        d.isPrimary?.() ?? true,
        d.sub.status === 'ready' ? d.sub.ping() : null,
      ]);
      // ROLE: a write can still succeed on an old primary a failover replaced (cut off from the Sentinels)
      if (!primary) throw Object.assign(new Error('READONLY the redis node is not the primary (ROLE)'), { name: 'ReplyError' });
      this.failedBeats = 0;
      this.writesRefused = false;
      // lapsed: the store says so, or no beat was confirmed for longer than the TTL (a beat whose
      // answer was lost, e.g. queued across a reconnect, may have renewed the key unseen meanwhile)
      const lapsed = !wasAlive || d.now() - this.lastBeatOk > d.heartbeatMs * 3;
      if (lapsed && this.registeredOnce) {
        // the registration lapsed (a stall, a Redis restart): readers may have pruned our connections
        d.log.warn('registration had lapsed; recording connections again');
        await d.store.attach(d.instanceId, [...d.conns()].filter((c) => c.recorded && !c.closed).map((c) => [c.recorded!, c.member]));
      }
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'heartbeat' });
      this.writesRefused = e instanceof Error && WRITES_REFUSED_REPLY.test(e.message);
      ++this.failedBeats;
      if (d.isPrimary && e instanceof Error && /^READONLY\b/.test(e.message) && !d.isDraining()) {
        // sentinel mode: the node answered, but is not a primary (demoted by a failover while this
        // connection stayed open, or an old primary that a failover replaced). Nothing else would
        // tell the subscriber: drop both connections; ioredis asks the Sentinels again.
        d.log.warn('the redis node is not the primary any more: reconnecting through the Sentinels');
        d.cmd.disconnect(true);
        d.sub.disconnect(true);
      } else if (this.failedBeats >= MAX_FAILED_BEATS && !d.isDraining() && !(d.clusterMode && e instanceof Error && e.name === 'ReplyError')) {
        // (cluster mode: a node that answers with an error reply, NOREPLICAS or CLUSTERDOWN during a failover, is
        // reachable and ioredis follows the slot map by itself: making the connections again would not help)
        // connections that stay "ready" but never answer (a silent network cut, a Redis host gone
        // without a reset, an address moved by a failover) are only noticed here: make them again
        this.failedBeats = 0;
        d.log.warn({ err: errText(e) }, `redis did not answer ${MAX_FAILED_BEATS} heartbeats: reconnecting`);
        d.cmd.disconnect(true);
        d.sub.disconnect(true);
      }
      throw e;
    }
    this.lastBeatOk = d.now();
    this.registeredOnce = true;
  }

  /** Ends the registration: what is left of this instance is reaped like a dead one's. */
  unregister(): Promise<void> {
    return this.d.store.unregister(this.d.instanceId);
  }
}
