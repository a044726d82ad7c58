// Cluster housekeeping that no leader owns: applying due time rules (turn clocks, abandonment,
// invite expiry, idle games), cleaning up after dead gateway instances (S1's reconciler) and
// finishing quick matches a dead gateway left pending (S3's). Every gateway runs them on timers;
// the scripts make sure each rule is applied, and each dead instance's player handled, once. Time
// rules live per bucket of games: each gateway sweeps the buckets it owns (buckets.ts, rendezvous
// hashing over the live instances) and now and then all of them; each sweep of a bucket claims its
// own slice of the due games (lua/claim-3.lua), so that a backlog drains in parallel across
// gateways. The computer's turns are time rules too: a claimed one is played here (computer-turns.ts).
import type { Logger } from 'pino';
import { errText } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Outbox } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { ALL_BUCKETS } from '../store/store.js';
import { FULL_SWEEP_EVERY, ownedBuckets } from './buckets.js';
import type { ComputerTurns } from './computer-turns.js';

/** Due games claimed at once, and players reaped per script call (both bound one script's work). */
const SWEEP_BATCH = 50;
/** Claims per sweep while the backlog fills whole batches: the rest waits for the next sweep. */
const SWEEP_ROUNDS = 10;
/** Claimed games are off every other gateway's sweep this long: if this one dies, they are claimed again. */
const CLAIM_LEASE_MS = 5000;
/** Time rules of one slice applied at once (each is one script call). */
const SWEEP_CONCURRENCY = 8;
const REAP_BATCH = 200;
/** Reap calls per dead instance per round: its remaining players wait for the next round. */
const REAP_ROUNDS = 50;

export interface HousekeepingDeps {
  store: Pick<Store, 'claimDue' | 'expire' | 'deadInstances' | 'reap'> & Partial<Pick<Store, 'liveInstanceIds' | 'reconcileMatches' | 'firstDue'>>;
  /** A bucket nobody swept for this long had an outage (its clocks stop for it): above the full-sweep period. */
  gapMs?: number;
  /** This gateway's clock (ms): when it last claimed each bucket (default Date.now). */
  now?(): number;
  instanceId: string;
  /** Whether commands may be served now (sweeping needs no more). */
  canServe(): boolean;
  /** Whether the gateway is ready (reaping also needs the heartbeat to be answered: see Readiness). */
  isReady(): boolean;
  /** Plays a computer's turn the expire script handed over (claimed for this gateway). */
  computer: Pick<ComputerTurns, 'play'>;
  log: Logger;
  metrics: Pick<Metrics, 'timeRules' | 'gamesFinished' | 'redisErrors' | 'playersReaped' | 'outboxRepublished'>;
  /** REDIS_MODE=sentinel: the outboxes (one per bucket) whose leftovers any gateway publishes; null in single mode. */
  outbox?: Pick<Outbox, 'reconcile'> | null;
}

/** An outbox entry this old was left by its gateway (it died, or its barrier failed): any gateway publishes it. */
const OUTBOX_GRACE_MS = 1000;
/** Every this many outbox checks (OUTBOX_CHECK_MS apart), every bucket's outbox, not only the owned buckets'. */
const OUTBOX_FULL_EVERY = 20;

export class Housekeeping {
  private sweeping = false;
  private reaping = false;
  private reconciling = false;
  private matching = false;
  /** Outbox checks so far (every OUTBOX_FULL_EVERY-th looks at every bucket). */
  private outboxChecks = 0;
  /** When this gateway last ran the claim script on each bucket (its own clock, ms). */
  private readonly claimedAt = new Map<number, number>();
  /** Sweeps so far (every FULL_SWEEP_EVERY-th sweeps every bucket). */
  private sweeps = 0;
  /** The buckets this gateway owns, by the live instances last read from the registry (all until then). */
  private owned: readonly number[] = ALL_BUCKETS;

  constructor(private readonly d: HousekeepingDeps) {}

  /**
   * Applies due time rules; any gateway may, the scripts make sure each applies once. Claims a slice
   * of the due games and applies it with bounded concurrency, again while slices come back full. A
   * game whose rule fails is logged and left to its lease; the others go on. The gateway that
   * applied a rule counts the game's ending (trine_games_finished_total) and logs it.
   */
  async sweep(): Promise<void> {
    const { d } = this;
    if (this.sweeping || !d.canServe()) return;
    this.sweeping = true;
    try {
      const buckets = this.sweeps++ % FULL_SWEEP_EVERY === 0 ? ALL_BUCKETS : this.owned;
      const owned = new Set(this.owned);
      await eachLimited([...buckets], SWEEP_CONCURRENCY, (b) => this.sweepBucket(b, owned.has(b)));
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'sweep' });
      d.log.debug({ err: errText(e) }, 'sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  /** Claims and applies the due rules of one bucket (a failed claim fails the sweep: counted once). */
  private async sweepBucket(bucket: number, owned = true): Promise<void> {
    const { d } = this;
    // the claim script also keeps the bucket's sweep clock (its outage detection): its sweepers run
    // it at least every quarter of the outage gap; otherwise (and always for a bucket of another
    // gateway, swept by the full sweep's safety net) a bucket whose first rule is not due (a read of
    // one key, by this gateway's clock: a skew only moves the rule by that much) is skipped
    const now = d.now?.() ?? Date.now();
    if (d.store.firstDue && (!owned || now - (this.claimedAt.get(bucket) ?? 0) < (d.gapMs ?? 2000) / 4)) {
      const due = await d.store.firstDue(bucket);
      if (due === null || due > now) return;
    }
    this.claimedAt.set(bucket, now);
    for (let round = 0; round < SWEEP_ROUNDS && d.canServe(); round++) {
      const ids = await d.store.claimDue(SWEEP_BATCH, CLAIM_LEASE_MS, [bucket], d.gapMs);
      await eachLimited(ids, SWEEP_CONCURRENCY, (id) => this.applyRule(id));
      if (ids.length < SWEEP_BATCH) break;
    }
  }

  private async applyRule(id: string): Promise<void> {
    const { d } = this;
    try {
      const applied = await d.store.expire(id);
      if (!applied) return;
      if (typeof applied === 'object' && 'computer' in applied) return await d.computer.play(applied.computer);
      d.metrics.timeRules.inc();
      if (typeof applied === 'object') {
        d.log.info({ gameId: id, event: 'out', seat: applied.out, reason: applied.reason }, 'time rule applied: a seat is out, the game goes on');
        return;
      }
      d.metrics.gamesFinished.inc({ reason: applied });
      d.log.info({ gameId: id, event: 'finished', reason: applied }, 'time rule applied');
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'sweep' });
      d.log.warn({ gameId: id, err: errText(e) }, 'time rule failed; retried when its claim lapses');
    }
  }

  /**
   * Cleans up after dead gateway instances (registration lapsed, e.g. SIGKILLed): their players'
   * connections are dropped and whoever is left offline shows so and starts its abandonment clock.
   * Any gateway may; the reap script hands each player to one caller only.
   */
  async reapDead(): Promise<void> {
    const { d } = this;
    if (this.reaping || !d.isReady()) return;
    this.reaping = true;
    try {
      if (d.store.liveInstanceIds) this.owned = ownedBuckets(d.instanceId, await d.store.liveInstanceIds());
      for (const id of await d.store.deadInstances(d.instanceId)) await this.reapInstance(id);
    } catch (e) {
      d.log.debug({ err: errText(e) }, 'reap failed');
    } finally {
      this.reaping = false;
    }
  }

  /**
   * REDIS_MODE=sentinel: publishes the changes whose own gateway did not within a second, so that
   * every watcher gets every change within about two seconds even if that gateway died.
   */
  async reconcileOutbox(): Promise<void> {
    const { d } = this;
    if (!d.outbox || this.reconciling || !d.canServe()) return;
    this.reconciling = true;
    try {
      let n = 0;
      // the buckets this gateway sweeps (two gateways look at each), and every bucket now and then
      const buckets = this.outboxChecks++ % OUTBOX_FULL_EVERY === 0 ? ALL_BUCKETS : this.owned;
      for (const b of buckets) n += await d.outbox.reconcile(b, OUTBOX_GRACE_MS);
      if (n) {
        d.metrics.outboxRepublished.inc(n);
        d.log.info({ entries: n }, 'published outbox entries a change left behind');
      }
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'outbox' });
      d.log.debug({ err: errText(e) }, 'outbox reconcile failed');
    } finally {
      this.reconciling = false;
    }
  }

  /** S3's reconciler: finishes the quick matches a dead gateway left pending (older than a couple of seconds). */
  async finishMatches(): Promise<void> {
    const { d } = this;
    if (!d.store.reconcileMatches || this.matching || !d.canServe()) return;
    this.matching = true;
    try {
      const n = await d.store.reconcileMatches();
      if (n) d.log.info({ matches: n }, 'finished quick matches a gateway left pending');
    } catch (e) {
      d.log.debug({ err: errText(e) }, 'finishing pending matches failed');
    } finally {
      this.matching = false;
    }
  }

  /** Reaps one instance (a dead one, or this one after it unregistered on close). */
  async reapInstance(id: string): Promise<void> {
    let handled = 0;
    for (let round = 0; round < REAP_ROUNDS; round++) {
      const r = await this.d.store.reap(id, REAP_BATCH);
      if (!r) return;
      handled += r.handled;
      if (!r.left) break;
    }
    if (handled) {
      this.d.metrics.playersReaped.inc(handled);
      this.d.log.info({ instance: id, players: handled }, 'reaped a dead gateway instance');
    }
  }
}

/** Runs `fn` over `items`, at most `limit` at a time (`fn` handles its own failures). */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < items.length) await fn(items[next++]); };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
