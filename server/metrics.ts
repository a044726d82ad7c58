// The gateway's Prometheus metrics (prom-client), on a registry of its own.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(gateway: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway });
  collectDefaultMetrics({ register: registry, prefix: 'trine_process_', eventLoopMonitoringPrecision: 20 });
  const m = {
    registry,
    connections: new Gauge({ name: 'trine_connections', help: 'Open WebSocket connections.', registers: [registry] }),
    messagesIn: new Counter({ name: 'trine_messages_in_total', help: 'Client messages received, by type.', labelNames: ['type'], registers: [registry] }),
    messagesOut: new Counter({ name: 'trine_messages_out_total', help: 'Messages sent to clients, by type (a forwarded snapshot counts once per recipient).', labelNames: ['type'], registers: [registry] }),
    commandSeconds: new Histogram({
      name: 'trine_command_duration_seconds', help: 'Time from a request to its answer, by command and outcome.',
      labelNames: ['command', 'outcome'], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    errors: new Counter({ name: 'trine_errors_total', help: 'Error answers sent to clients, by code.', labelNames: ['code'], registers: [registry] }),
    closes: new Counter({ name: 'trine_closes_total', help: 'Sockets the gateway closed, by close code.', labelNames: ['code'], registers: [registry] }),
    redisErrors: new Counter({ name: 'trine_redis_errors_total', help: 'Redis commands that failed (unreachable, timed out, or script error).', registers: [registry] }),
    redisReconnects: new Counter({ name: 'trine_redis_reconnects_total', help: 'Times a Redis connection became ready again after being lost.', labelNames: ['conn'], registers: [registry] }),
    pubsubReceived: new Counter({ name: 'trine_pubsub_messages_received_total', help: 'Pub/sub messages received from Redis.', registers: [registry] }),
    pubsubDropped: new Counter({ name: 'trine_pubsub_messages_dropped_total', help: 'Pub/sub messages with no local recipient or not understood.', registers: [registry] }),
    gamesCreated: new Counter({ name: 'trine_games_created_total', help: 'Games created through this gateway, by kind.', labelNames: ['kind'], registers: [registry] }),
    gamesFinished: new Counter({ name: 'trine_games_finished_total', help: 'Games finished by a command or time rule applied through this gateway, by reason.', labelNames: ['reason'], registers: [registry] }),
    gamesActive: new Gauge({ name: 'trine_games_active', help: 'Games this gateway follows for its sockets (rooms).', registers: [registry] }),
    moves: new Counter({ name: 'trine_moves_total', help: 'Moves acknowledged through this gateway.', registers: [registry] }),
    resumes: new Counter({ name: 'trine_resumes_total', help: 'Sessions resumed with a known token.', registers: [registry] }),
    playersReaped: new Counter({ name: 'trine_players_reaped_total', help: 'Players of dead gateway instances whose connections this gateway cleaned up.', registers: [registry] }),
    timeRules: new Counter({ name: 'trine_time_rules_applied_total', help: 'Due time rules (clocks, invites, abandonment) this gateway applied.', registers: [registry] }),
    ready: new Gauge({ name: 'trine_ready', help: '1 while the gateway can serve (Redis reachable, not draining).', registers: [registry] }),
  };
  return m;
}
export type Metrics = ReturnType<typeof createMetrics>;
