// REDIS_MODE=cluster: the gateway's connections to a Redis Cluster (REDIS_CLUSTER_NODES, any of its
// nodes: ioredis learns the rest from CLUSTER SLOTS). Three roles, as in the other modes:
// - commands: an ioredis `Cluster` (scripts by EVALSHA on the node of their one slot, NOSCRIPT
//   answered by EVAL there; reads and writes on primaries only);
// - pub/sub: a second `Cluster` with ioredis' sharded subscribers (one subscriber connection per
//   primary, SSUBSCRIBE sent per channel, so never channels of two slots in one command), seen by
//   the gateway as one subscriber link (`shardedSubscriberLink`): a lost shard subscriber counts
//   as a lost subscriber, and once ioredis has resubscribed everything the gateway resyncs every
//   game it follows (pub/sub is lossy);
// - the durability barrier: a connection per primary of its own (store/durability-cluster.ts).
// What ioredis 6.0.0 does and does not do here is in docs/REDIS.md, "ioredis and Redis Cluster".
import { EventEmitter } from 'node:events';
import { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { clusterNodeAddresses, type RedisSettings } from './config.js';
import { redisOptions, redisTls } from './redis.js';
import type { Publisher } from './store/outbox.js';

const backoff = (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/** The options of every Cluster the gateway makes; `sharded` for the subscriber's. */
export function clusterOptions(s: RedisSettings, name: string, sharded: boolean, overrides: RedisOptions = {}): ClusterOptions {
  const u = new URL(s.REDIS_URL);
  const node: RedisOptions = {
    ...redisOptions(s.REDIS_COMMAND_TIMEOUT_MS),
    connectionName: name,
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    ...redisTls(s.REDIS_URL, s.REDIS_TLS_CA_FILE),
    ...overrides,
  };
  return {
    redisOptions: node,
    scaleReads: 'master',
    shardedSubscribers: sharded,
    enableOfflineQueue: true,
    enableReadyCheck: true,
    // a failover: the slots move to the promoted replica within ~cluster-node-timeout; commands
    // caught meanwhile fail fast (the client's resend with mid/idem settles them)
    maxRedirections: 16,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    retryDelayOnMoved: 0,
    slotsRefreshTimeout: 1000,
    slotsRefreshInterval: 2000,
    clusterRetryStrategy: backoff,
    // a node's connection is made again when it drops (a restarted replica, a node that paused)
    clusterNodeRetryStrategy: backoff,
  } as ClusterOptions;
}

export function connectCluster(s: RedisSettings, name: string, o: { sharded?: boolean; overrides?: RedisOptions } = {}): Cluster {
  return new Cluster(clusterNodeAddresses(s.REDIS_CLUSTER_NODES ?? ''), clusterOptions(s, name, o.sharded ?? false, o.overrides));
}

/** SPUBLISH: a game's or a player's channel is published on the shard of its hash tag. */
export function shardPublisher(cluster: Pick<Cluster, 'spublish'>): Publisher {
  return { publish: (channel, payload) => cluster.spublish(channel, payload) };
}

/**
 * The gateway's subscriber link over a Cluster with sharded subscribers: subscribe/unsubscribe
 * send one SSUBSCRIBE/SUNSUBSCRIBE per channel (ioredis routes each to the subscriber of its
 * slot's primary); `message` carries `smessage`. `close` when a shard's subscriber is lost (a
 * primary died, a slot moved: ioredis drops it and makes new ones after a slots refresh) and `ready`
 * once ioredis has made them again and resubscribed every channel, slot by slot (or the Cluster
 * itself is ready again): the gateway then resubscribes (harmless: SSUBSCRIBE is idempotent; a
 * channel whose shard is still away fails, and the gateway's recovery retries every second) and
 * re-reads every game it follows. `gap` after a slot moved with no subscriber lost: resubscribed by
 * ioredis, the gateway re-reads every game it follows and serves meanwhile.
 */
export function shardedSubscriberLink(cluster: Cluster) {
  const events = new EventEmitter();
  let lost = false;
  cluster.on('smessage', (channel: string, payload: string) => events.emit('message', channel, payload));
  cluster.on('error', (e: Error) => events.emit('error', e));
  cluster.on('-subscriber', () => {
    if (lost) return;
    lost = true;
    events.emit('close');
  });
  cluster.on('subscribersReady', () => {
    // after a topology change without a lost subscriber (a slot moved: Redis pushed an unsolicited
    // SUNSUBSCRIBE, ioredis refreshed the slot map and resubscribed on the new owner) messages
    // published in between are gone: a gap, the gateway re-reads every game it follows
    if (!lost) { events.emit('gap'); return; }
    lost = false;
    events.emit('ready');
  });
  cluster.on('ready', () => { lost = false; events.emit('ready'); });
  cluster.on('close', () => { lost = true; events.emit('close'); });
  const each = (channels: string[], f: (c: string) => Promise<unknown>) => Promise.all(channels.map(f));
  return {
    // the Cluster's own status: after a lost shard subscriber the gateway is not serving anyway
    // (a loss awaits its recovery: resubscribe and resync, retried every second until they succeed),
    // and a status held back until ioredis says subscribersReady could stay back for good (a topology
    // reset that finds nothing to change says nothing)
    get status(): string { return cluster.status; },
    on(event: string, listener: (...a: never[]) => void) { events.on(event, listener as (...a: unknown[]) => void); return this; },
    subscribe: (...channels: string[]) => each(channels, (c) => cluster.ssubscribe(c)),
    unsubscribe: (...channels: string[]) => each(channels, (c) => cluster.sunsubscribe(c)),
    /** PING every primary's node connection: a silent shard is noticed by the heartbeat. */
    ping: () => Promise.all(cluster.nodes('master').map((n) => n.ping())),
    disconnect: (reconnect = false) => {
      if (reconnect) { cluster.disconnect(true); return; }
      events.removeAllListeners();
      cluster.disconnect();
    },
  };
}

/**
 * The heartbeat's check that every shard takes writes: each primary the slot map names answers
 * PING, and the cluster's own state is `ok` (CLUSTER INFO on one of them). Throws a CLUSTERDOWN
 * reply otherwise: /readyz says 503 `redis refuses writes` until the cluster has healed (a
 * failover: ~cluster-node-timeout), without dropping the connections.
 */
export async function clusterWritable(cluster: Cluster): Promise<boolean> {
  const down = (why: string) => Object.assign(new Error(`CLUSTERDOWN ${why}`), { name: 'ReplyError' });
  const masters = cluster.nodes('master');
  if (masters.length === 0) throw down('no primary known');
  await Promise.all(masters.map((n) => n.ping()));
  const info = String(await masters[0].call('CLUSTER', 'INFO'));
  if (!/cluster_state:ok/.test(info)) throw down('the cluster state is fail');
  return true;
}
