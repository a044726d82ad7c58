// The chaos experiment's options, events and result (load/chaos/experiment.ts runs it).
import type { Redis } from 'ioredis';
import type { Cluster, ClusterEvent } from '../../server/launcher/cluster.js';
import type { Keys } from '../../server/store/keys.js';
import type { BotConnection } from '../bot/connection.js';
import type { Stats } from '../stats.js';
import type { CheckResult } from './checker.js';
import type { History } from './history.js';

export type Fault = 'gateway-kill' | 'redis-restart' | 'primary-kill';

export interface ChaosOptions {
  gateways: number;
  durationS: number;
  killEveryS: number;
  restartDelayMs: number;
  games: number;
  spectators: number;
  /** Moves per second the bots aim at (their think time follows from it). */
  rate: number;
  faults: Fault[];
  /** single (default), sentinel (a primary, two replicas, three Sentinels) or cluster (3 primaries + 3 replicas); primary-kill needs one of the last two. */
  redisMode?: 'single' | 'sentinel' | 'cluster';
  /** primary-kill: the current primary is SIGKILLed every this many seconds. */
  primaryKillEveryS?: number;
  /** When Redis is stopped (s after the start) and for how long. */
  redisAtS: number;
  redisDownS: number;
  /**
   * Mixes other games into the classic quick matches: of every ten players, three queue for a
   * three-player variant together and one plays against the computer (classic, or a bigger board).
   */
  mix?: boolean;
  /** At most this many kills (Infinity: as the schedule allows). */
  maxKills?: number;
  env?: Record<string, string>;
  /** Called for every event, for the live view. */
  onEvent?(e: ChaosEvent): void;
  /** Given the cluster as soon as it exists (the CLI stops it on Ctrl-C). */
  onCluster?(c: Cluster): void;
  /** Changes Redis before the check (for the test that proves the checker catches loss). */
  tamper?(redis: Redis, keys: Keys, history: History): Promise<void>;
}

export type ChaosEvent =
  | { kind: 'kill'; gateway: string; pid: number; at: number }
  | { kind: 'skip'; at: number; down: number }
  | { kind: 'cluster'; e: ClusterEvent; at: number }
  | { kind: 'redis'; what: 'stopped' | 'started'; at: number }
  | { kind: 'primary-kill'; port: number; pid: number; at: number }
  | { kind: 'phase'; what: string; at: number };

export interface ChaosRun {
  o: ChaosOptions;
  t0: number;
  pausedAt: number;
  history: History;
  check: CheckResult;
  kills: { gateway: string; at: number }[];
  skipped: number;
  restarts: number;
  /** Share of gateway-time (gateways x duration) during which a gateway was down (killed and not ready again). */
  downShare: number;
  outage: { stopAt: number; backAt: number; notReadySeen: number } | null;
  /** primary-kill: each SIGKILL of the primary, and the failovers the launcher saw the Sentinels make. */
  primaryKills: { port: number; at: number; readyAt: number }[];
  failovers: number;
  stats: Stats;
  /** trine_rollbacks_total summed over the gateways at the end (since each one's last start; null: one did not answer). */
  gatewayRollbacks: number | null;
  /** Sessions lost and not yet resumed when the checker ran. */
  unresumed: number;
  logDir: string;
}

/** What the live view needs while the run goes on. */
export interface LiveState { cluster: Cluster; up: Set<string>; conns: BotConnection[]; stats: Stats; history: History; t0: number }

