// The gateway's Redis connections for its REDIS_MODE, built in one place: the command client the
// Store runs on, the subscriber link, the durability (barrier + delivery) and how the gateway
// publishes, and the heartbeat's check that the store takes writes.
//   single    one Redis: scripts publish, Redis fsyncs before it answers (appendfsync always)
//   sentinel  the primary the Sentinels name: outbox delivery, a fence + WAIT 1 on a connection of its own
//   cluster   a Redis Cluster: outbox delivery, SPUBLISH, SSUBSCRIBE, a fence + WAIT 1 per shard
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { clusterWritable, connectCluster, shardedSubscriberLink, shardPublisher } from './redis-cluster.js';
import { connectRedis, corkedPerTurn, isPrimary, redisOptions } from './redis.js';
import type { SubscriberLink } from './gateway/gateway.js';
import type { RedisLink } from './gateway/redis-link.js';
import { ClusterBarrier } from './store/durability-cluster.js';
import { checkFsync, openDurability, type DurabilitySetup } from './store/durability.js';
import { Keys } from './store/keys.js';
import type { Publisher } from './store/outbox.js';
import type { StoreRedis } from './store/store.js';

export interface GatewayConnections {
  cmd: StoreRedis & RedisLink;
  sub: SubscriberLink;
  durability: DurabilitySetup;
  /** Default (undefined): PUBLISH on `cmd`. */
  publisher?: Publisher;
  /** The heartbeat's check that the connection reaches a node that takes writes (sentinel: ROLE; cluster: every shard). */
  writable?: () => Promise<boolean>;
}

export function openConnections(cfg: Config, log: Logger, fenceSuffix: string): GatewayConnections {
  const name = (role: string) => `trine-${cfg.GATEWAY_ID}-${role}`;
  const waitTimeout = cfg.REDIS_COMMAND_TIMEOUT_MS + cfg.DURABILITY_TIMEOUT_MS;
  if (cfg.REDIS_MODE === 'cluster') {
    const cmd = connectCluster(cfg, name('cmd'));
    const sub = shardedSubscriberLink(connectCluster(cfg, name('sub'), { sharded: true }));
    const barrier = new ClusterBarrier(cmd, {
      prefix: cfg.REDIS_PREFIX, timeoutMs: cfg.DURABILITY_TIMEOUT_MS,
      nodeOptions: { ...redisOptions(waitTimeout), connectionName: name('fence'), username: cmd.options.redisOptions?.username, password: cmd.options.redisOptions?.password, tls: cmd.options.redisOptions?.tls },
    });
    return {
      cmd: cmd as unknown as StoreRedis & RedisLink, sub: sub as unknown as SubscriberLink,
      durability: { barrier, delivery: 'outbox', close: () => barrier.close() },
      publisher: shardPublisher(cmd), writable: () => clusterWritable(cmd),
    };
  }
  // each writes what it is sent in one event-loop turn at once (corkedPerTurn: a script call per move
  // on one, a SUBSCRIBE and an UNSUBSCRIBE per game on the other), rather than auto-pipelined
  const cmd = corkedPerTurn(connectRedis(cfg, name('cmd')));
  const sub = corkedPerTurn(connectRedis(cfg, name('sub')));
  // REDIS_MODE=sentinel: a WAIT blocks its connection, so the barrier has one of its own
  const durability = openDurability({
    mode: cfg.REDIS_MODE, timeoutMs: cfg.DURABILITY_TIMEOUT_MS,
    fenceKey: new Keys(cfg.REDIS_PREFIX).fence(`${cfg.GATEWAY_ID}-${fenceSuffix}`),
    connect: () => connectRedis(cfg, name('fence'), { commandTimeout: waitTimeout }),
  });
  // single mode relies on Redis fsyncing every write before it answers: say so when it does not
  if (durability.delivery === 'publish') void checkFsync(cmd, log);
  return { cmd, sub, durability, writable: cfg.REDIS_MODE === 'sentinel' ? () => isPrimary(cmd) : undefined };
}
