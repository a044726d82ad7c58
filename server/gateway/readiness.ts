// Redis health and recovery: whether this gateway may serve, and getting back to serving by itself
// after a Redis connection was lost. Pub/sub is at-most-once and a restarted Redis forgets our
// subscriptions, so after a loss the gateway serves again only once it resubscribed, renewed its
// registration and re-read every game it serves; until then every request is answered UNAVAILABLE.
import type { Logger } from 'pino';
import { errText } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RedisLink } from './redis-link.js';
import type { Registration } from './registration.js';

export interface Verdict { ok: boolean; why: string }

/** What recovery rebuilds, and reports the size of. */
interface Rebuildable { readonly size: number; resync(): Promise<void> }

export interface ReadinessDeps {
  cmd: Pick<RedisLink, 'status' | 'on'>;
  sub: Pick<RedisLink, 'status' | 'on'>;
  registration: Pick<Registration, 'registered' | 'heartbeat' | 'trouble'>;
  subs: { readonly size: number; resubscribeAll(): Promise<void> };
  rooms: Rebuildable;
  players: Rebuildable;
  isDraining(): boolean;
  now(): number;
  log: Logger;
  metrics: Pick<Metrics, 'redisErrors' | 'redisReconnects'>;
}

type LinkName = 'cmd' | 'sub';

export class Readiness {
  private readonly wasReady: Record<LinkName, boolean> = { cmd: false, sub: false };
  /**
   * Redis connections lost so far (`lost`, and `subLost` for the subscriber) and how many of those
   * losses recovery has caught up with: the gateway serves again only once resubscribed and resynced.
   */
  private lost = 0;
  private recovered = 0;
  private subLost = 0;
  private subRecovered = 0;
  /** Gaps of the subscriber without a loss (see RedisLink 'gap'), and those caught up with. */
  private gaps = 0;
  private gapsCaught = 0;
  private recovering = false;

  constructor(private readonly d: ReadinessDeps) {}

  /** Follows both connections' events: counts losses, registers on the first `ready`, recovers on the next ones. */
  watch(): void {
    const { d } = this;
    for (const [name, conn] of [['cmd', d.cmd], ['sub', d.sub]] as const) {
      conn.on('error', (e: Error) => {
        d.metrics.redisErrors.inc({ op: 'connection' });
        d.log.debug({ conn: name, err: errText(e) }, 'redis error');
      });
      conn.on('close', () => this.onClose(name));
      conn.on('ready', () => this.onReady(name));
      // a connection made before it was watched may be ready already: its 'ready' was missed
      if (conn.status === 'ready') this.onReady(name);
    }
    d.sub.on('gap', () => this.onGap());
  }

  /** Messages may have been lost, the subscriptions are in place: re-read, still serving meanwhile. */
  private onGap(): void {
    // nothing followed (the first slot map of a fresh start says subscribersReady too): nothing to re-read
    if (!this.wasReady.sub || this.d.isDraining() || this.d.rooms.size + this.d.players.size === 0) return;
    this.gaps++;
    this.d.log.info({ rooms: this.d.rooms.size, players: this.d.players.size }, 'subscriptions moved (a slot moved); re-reading every followed game');
    void this.recover();
  }

  private onClose(name: LinkName): void {
    if (!this.wasReady[name] || this.d.isDraining()) return;
    if (this.lost === this.recovered) this.d.log.warn({ conn: name }, 'redis connection lost; answering UNAVAILABLE until it is back');
    this.lost++;
    if (name === 'sub') this.subLost++;
  }

  private onReady(name: LinkName): void {
    const { d } = this;
    const again = this.wasReady[name];
    this.wasReady[name] = true;
    if (!again) {
      d.log.info({ conn: name }, 'redis ready');
      if (name === 'cmd') d.registration.heartbeat().catch((e) => d.log.warn({ err: errText(e) }, 'registration failed'));
      return;
    }
    d.metrics.redisReconnects.inc({ conn: name });
    d.log.info({ conn: name }, 'redis ready again');
    void this.recover();
  }

  private redisUp(): boolean { return this.d.cmd.status === 'ready' && this.d.sub.status === 'ready'; }

  /** Whether a loss has not been recovered from yet (the ticker retries recover() meanwhile). */
  get resyncPending(): boolean { return this.recovered !== this.lost; }

  /** Whether recover() has something to do: a loss, or a gap, not caught up with yet. */
  get catchUpPending(): boolean { return this.resyncPending || this.gapsCaught !== this.gaps; }

  /** Whether commands are served: Redis connected, resubscribed and resynced after any loss, registered, not draining. */
  canServe(): boolean { return this.serving().ok; }

  serving(): Verdict {
    if (this.d.isDraining()) return { ok: false, why: 'draining' };
    if (!this.redisUp()) return { ok: false, why: 'redis unreachable' };
    if (!this.d.registration.registered) return { ok: false, why: 'registering' };
    if (this.resyncPending) return { ok: false, why: 'resyncing after a redis reconnect' };
    return { ok: true, why: 'ok' };
  }

  /** /readyz: serving, and Redis answers the heartbeat (see Registration.trouble). */
  readiness(): Verdict {
    const s = this.serving();
    if (!s.ok) return s;
    const why = this.d.registration.trouble();
    return why ? { ok: false, why } : s;
  }

  /**
   * After lost connections, once both are back: resubscribe (if the subscriber was lost), renew the
   * registration, re-read every served game and every local player's games. Retried every second
   * by the ticker until it succeeds; commands are answered UNAVAILABLE until then. After a gap (no
   * loss) only the re-reading, and commands are served meanwhile (they read Redis, not the feed).
   */
  async recover(): Promise<void> {
    const { d } = this;
    if (this.recovering || d.isDraining() || !this.redisUp() || !this.catchUpPending) return;
    this.recovering = true;
    const lost = this.lost;
    const subLost = this.subLost;
    const gaps = this.gaps;
    const started = d.now();
    try {
      if (this.subRecovered !== subLost) {
        await d.subs.resubscribeAll();
        this.subRecovered = subLost;
      }
      await d.registration.heartbeat();
      await d.rooms.resync();
      await d.players.resync();
      this.recovered = lost;
      this.gapsCaught = gaps;
      d.log.info({ rooms: d.rooms.size, players: d.players.size, channels: d.subs.size, ms: d.now() - started }, 'resubscribed and resynced');
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'resync' });
      d.log.warn({ err: errText(e) }, 'resync failed; retrying');
    } finally {
      this.recovering = false;
    }
  }
}
