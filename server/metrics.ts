// The gateway's Prometheus metrics (prom-client), on a registry of its own. Every series carries
// the label gateway=GATEWAY_ID. Counters of cluster-wide events (games created, finished, time rules)
// are counted only by the gateway whose command or claim wrote the change, so summing them over
// gateways counts each event once. docs/OPERATIONS.md explains each metric and what to watch.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_CODES } from '../shared/protocol.js';

/**
 * Why a game ended, as counted by trine_games_finished_total: a completed line, a full board, a
 * resignation, a waiting game cancelled by its creator, or a time rule (turn clock, abandonment,
 * invite expiry, idle lifetime).
 */
export const FINISH_REASONS = ['line', 'draw', 'resign', 'cancelled', 'timeout', 'abandoned', 'expired', 'idle'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];
export const GAME_KINDS = ['quick', 'private', 'rematch', 'computer'] as const;

export function createMetrics(gateway: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway });
  collectDefaultMetrics({ register: registry, prefix: 'trine_process_', eventLoopMonitoringPrecision: 20 });
  const registers = [registry];
  const m = {
    registry,
    connections: new Gauge({ name: 'trine_connections', help: 'Open WebSocket connections.', registers }),
    messagesIn: new Counter({ name: 'trine_messages_in_total', help: 'Client messages received, by type ("invalid" for those that failed validation).', labelNames: ['type'], registers }),
    messagesOut: new Counter({ name: 'trine_messages_out_total', help: 'Messages sent to clients, by type (a forwarded snapshot counts once per recipient).', labelNames: ['type'], registers }),
    commandSeconds: new Histogram({
      name: 'trine_command_duration_seconds', help: 'Time from a request to its answer, by command and outcome (ok, refused: an error answer by the rules, unavailable, internal).',
      labelNames: ['command', 'outcome'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    }),
    errors: new Counter({ name: 'trine_errors_total', help: 'Error answers sent to clients, by code.', labelNames: ['code'], registers }),
    closes: new Counter({ name: 'trine_closes_total', help: 'Sockets the gateway closed, by close code.', labelNames: ['code'], registers }),
    redisErrors: new Counter({ name: 'trine_redis_errors_total', help: 'Redis commands that failed (unreachable, timed out, or script error), by what the gateway was doing.', labelNames: ['op'], registers }),
    redisReconnects: new Counter({ name: 'trine_redis_reconnects_total', help: 'Times a Redis connection (cmd or sub) became ready again after being lost.', labelNames: ['conn'], registers }),
    pubsubReceived: new Counter({ name: 'trine_pubsub_messages_received_total', help: 'Pub/sub messages received from Redis.', registers }),
    pubsubDropped: new Counter({ name: 'trine_pubsub_messages_dropped_total', help: 'Pub/sub messages with no local recipient or not understood.', registers }),
    gamesCreated: new Counter({ name: 'trine_games_created_total', help: 'Games created by a command through this gateway, by kind (sum over gateways: every game once).', labelNames: ['kind'], registers }),
    gamesFinished: new Counter({ name: 'trine_games_finished_total', help: 'Games ended by a command or time rule this gateway applied, by reason (sum over gateways: every game once).', labelNames: ['reason'], registers }),
    gamesActive: new Gauge({ name: 'trine_games_active', help: 'Games this gateway serves to at least one local socket (a game followed on two gateways counts on both).', registers }),
    gamesUnfinished: new Gauge({ name: 'trine_games_unfinished', help: 'Unfinished games (waiting or playing) in the whole cluster, read from Redis each second (size of the deadlines set: exact while TURN_MS and INVITE_TTL_MS are on); every gateway reports the same value, aggregate with max().', registers }),
    moves: new Counter({ name: 'trine_moves_total', help: 'Moves applied through this gateway (a repeated mid is not counted).', registers }),
    resumes: new Counter({ name: 'trine_resumes_total', help: 'Sessions resumed with a known token.', registers }),
    playersReaped: new Counter({ name: 'trine_players_reaped_total', help: 'Players of dead gateway instances whose connections this gateway cleaned up.', registers }),
    timeRules: new Counter({ name: 'trine_time_rules_applied_total', help: 'Due time rules (turn clocks, invites, abandonment) this gateway applied.', registers }),
    computerMoves: new Counter({ name: 'trine_computer_moves_total', help: 'Moves of the computer opponent this gateway claimed and applied, by how it chose (perfect, win, block, heuristic).', labelNames: ['reason'], registers }),
    computerThinkSeconds: new Histogram({
      name: 'trine_computer_think_seconds', help: 'Time the computer opponent took to choose a move on this gateway (its budget is 50 ms).',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1], registers,
    }),
    rollbacks: new Counter({ name: 'trine_rollbacks_total', help: 'Games read at a lower version than this gateway had forwarded (a failover lost acknowledged writes); forwarded with "reset": true.', registers }),
    outboxRepublished: new Counter({ name: 'trine_outbox_republished_total', help: 'REDIS_MODE=sentinel: outbox entries this gateway published for a change whose own gateway did not (it died or failed between the change and its publishing).', registers }),
    durabilityFailures: new Counter({ name: 'trine_durability_failures_total', help: 'Changes or reads not known to survive a Redis process death in time (no replica acknowledged within DURABILITY_TIMEOUT_MS), answered UNAVAILABLE.', registers }),
    ready: new Gauge({ name: 'trine_ready', help: '1 while the gateway can serve (Redis reachable, resynced, not draining), else 0.', registers }),
  };
  for (const code of ERROR_CODES) m.errors.labels({ code }).inc(0);
  for (const reason of FINISH_REASONS) m.gamesFinished.labels({ reason }).inc(0);
  for (const kind of GAME_KINDS) m.gamesCreated.labels({ kind }).inc(0);
  for (const conn of ['cmd', 'sub']) m.redisReconnects.labels({ conn }).inc(0);
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A labelled metric's child per label value, looked up once: prom-client hashes the label set on
 * every labelled call, several times per move. For label values from a fixed set (message types,
 * commands, outcomes) only.
 */
export function perLabel<C>(child: (value: string) => C): (value: string) => C {
  const children = new Map<string, C>();
  return (value) => {
    let c = children.get(value);
    if (c === undefined) children.set(value, (c = child(value)));
    return c;
  };
}
