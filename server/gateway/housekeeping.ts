// Cluster housekeeping that no leader owns: applying due time rules (turn clocks, abandonment,
// invite expiry) and cleaning up after dead gateway instances. Every gateway runs both on a timer;
// the Lua scripts make sure each rule is applied, and each dead instance's player handled, once.
import type { Logger } from 'pino';
import { errText } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';

/** Due games read per sweep, and players reaped per script call (both bound one script's work). */
const SWEEP_BATCH = 100;
const REAP_BATCH = 200;
/** Reap calls per dead instance per round: its remaining players wait for the next round. */
const REAP_ROUNDS = 50;

export interface HousekeepingDeps {
  store: Pick<Store, 'dueGames' | 'expire' | 'deadInstances' | 'reap'>;
  instanceId: string;
  /** Whether commands may be served now (sweeping needs no more). */
  canServe(): boolean;
  /** Whether the gateway is ready (reaping also needs the heartbeat to be answered: see Readiness). */
  isReady(): boolean;
  log: Logger;
  metrics: Pick<Metrics, 'timeRules' | 'gamesFinished' | 'redisErrors' | 'playersReaped'>;
}

export class Housekeeping {
  private sweeping = false;
  private reaping = false;

  constructor(private readonly d: HousekeepingDeps) {}

  /**
   * Applies due time rules; any gateway may, the scripts make sure each applies once. The gateway
   * that applied a rule counts the game's ending (trine_games_finished_total) and logs it.
   */
  async sweep(): Promise<void> {
    const { d } = this;
    if (this.sweeping || !d.canServe()) return;
    this.sweeping = true;
    try {
      for (const id of await d.store.dueGames(SWEEP_BATCH)) {
        const applied = await d.store.expire(id);
        if (!applied) continue;
        d.metrics.timeRules.inc();
        d.metrics.gamesFinished.inc({ reason: applied });
        d.log.info({ gameId: id, event: 'finished', reason: applied }, 'time rule applied');
      }
    } catch (e) {
      d.metrics.redisErrors.inc({ op: 'sweep' });
      d.log.debug({ err: errText(e) }, 'sweep failed');
    } finally {
      this.sweeping = false;
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
      for (const id of await d.store.deadInstances(d.instanceId)) await this.reapInstance(id);
    } catch (e) {
      d.log.debug({ err: errText(e) }, 'reap failed');
    } finally {
      this.reaping = false;
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
