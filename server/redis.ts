// The gateway's two Redis connections: commands and pub/sub, each writing what it is sent in one
// event-loop turn at once (corkedPerTurn). The gateway sends no command while a connection is not
// ready (it answers UNAVAILABLE itself); a command caught by a disconnect fails at the first failed
// reconnect attempt or after the command timeout, never later. Both reconnect by themselves,
// forever, with a capped backoff. (The offline queue stays on: with it off, ioredis'
// auto-pipelining, were it turned on, rejects a promise nobody holds when the socket drops.)
// REDIS_URL may carry user:password (ACL) and use rediss:// (TLS, the server's certificate verified).
// In sentinel mode every (re)connection first asks the Sentinels for the primary; see connectRedis.
// A connection ioredis ends by itself is made again (`reviving`).
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { sentinelAddresses, type RedisSettings } from './config.js';

const backoff = (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1000);

export function redisOptions(commandTimeoutMs: number): RedisOptions {
  return {
    // corkedPerTurn batches the writes instead, cheaper per command (see there)
    enableAutoPipelining: false,
    enableOfflineQueue: true,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: backoff,
    reconnectOnError: () => false,
    lazyConnect: false,
  };
}

/** TLS options for a rediss:// URL: verify the server against `caFile` (else the system CAs). */
export function redisTls(url: string, caFile?: string): Pick<RedisOptions, 'tls'> {
  if (!/^rediss:/i.test(url)) return {};
  return { tls: caFile ? { ca: readFileSync(caFile) } : {} };
}

/**
 * Sentinel mode: ioredis asks the Sentinels (in turn) for the primary of REDIS_SENTINEL_NAME at
 * every (re)connection and checks with INFO that the node it reached is a master (else it drops
 * it and asks again). `failoverDetector` subscribes to +switch-master on the Sentinels and drops
 * the connection the moment they announce a new primary. A command answered READONLY means the
 * node was demoted under us: reconnect (1 = without resending: the caller answers UNAVAILABLE
 * and the client's resend, made safe by mid/idem, settles it). A demoted or partitioned old
 * primary that answers nothing is caught by the gateway's heartbeat (`isPrimary`).
 */
function sentinelOptions(s: RedisSettings): RedisOptions {
  const u = new URL(s.REDIS_URL);
  const tls = redisTls(s.REDIS_URL, s.REDIS_TLS_CA_FILE);
  return {
    sentinels: sentinelAddresses(s.REDIS_SENTINELS),
    name: s.REDIS_SENTINEL_NAME,
    role: 'master',
    failoverDetector: true,
    username: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    ...tls,
    enableTLSForSentinelMode: Boolean(tls.tls),
    sentinelRetryStrategy: backoff,
    sentinelReconnectStrategy: backoff,
    sentinelCommandTimeout: Math.min(1000, s.REDIS_COMMAND_TIMEOUT_MS),
    reconnectOnError: (e) => (/^READONLY\b/.test(e.message) ? 1 : false),
  };
}

/**
 * Makes `redis` end only when it is closed on purpose (`disconnect()` without reconnect). ioredis
 * (6.0.0) ends a connection for good, never to retry, when it is dropped while it is being made:
 * its connector finds itself disconnected ("Connection is closed.") and the client goes to status
 * `end`. In sentinel mode every failover runs that race: the connection to the dead primary is
 * being made again (asking the Sentinels, who still name the dead one) when the Sentinels announce
 * +switch-master and the failover detector of the previous connection drops it; the heartbeat may
 * drop a connection that is reconnecting too. Seen in `npm run chaos -- --redis sentinel --fault
 * primary-kill`: three of five gateways lost their subscriber for good at the 4th failover and
 * stayed unready. Such an end is followed by a new connection after the usual backoff; the gateway
 * then recovers as from any lost connection. (An instance method wraps `disconnect`, to tell the
 * two ends apart: a subclass of Redis does not typecheck here.)
 */
export function reviving(redis: Redis): Redis {
  let onPurpose = false;
  let revivals = 0;
  const disconnect = redis.disconnect.bind(redis);
  redis.disconnect = (reconnect = false) => {
    if (!reconnect) onPurpose = true;
    disconnect(reconnect);
  };
  redis.on('ready', () => { revivals = 0; });
  redis.on('end', () => {
    if (onPurpose) return;
    setTimeout(() => {
      if (onPurpose || redis.status !== 'end') return;
      redis.connect().catch(() => { /* ended again: the next 'end' revives it again */ });
    }, backoff(++revivals)).unref();
  });
  return redis;
}

/**
 * Writes every command sent on `redis` in one event-loop turn with one system call: the socket is
 * corked at the first and uncorked once the turn's I/O callbacks ran (setImmediate); Node then
 * writes all of them at once (writev). What auto-pipelining does, without its cost per command
 * (a Pipeline, a second Command and promise, callbacks through process.nextTick): for the command
 * connection, which carries a script call per move. Commands keep their order.
 */
export function corkedPerTurn(redis: Redis): Redis {
  let corked: { uncork(): void } | null = null;
  const uncork = () => {
    const s = corked;
    corked = null;
    s?.uncork();
  };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const s = redis.stream;
    if (!corked && !stream && redis.status === 'ready' && s?.writable) {
      s.cork();
      corked = s;
      setImmediate(uncork);
    }
    return send(command, stream);
  };
  return redis;
}

/** `overrides` for a connection of a special role (the durability barrier's: a longer timeout). */
export function connectRedis(s: RedisSettings, name: string, overrides: RedisOptions = {}): Redis {
  const base = { ...redisOptions(s.REDIS_COMMAND_TIMEOUT_MS), connectionName: name, ...overrides };
  if (s.REDIS_MODE === 'sentinel') return reviving(new Redis({ ...base, ...sentinelOptions(s) }));
  return reviving(new Redis(s.REDIS_URL, { ...base, ...redisTls(s.REDIS_URL, s.REDIS_TLS_CA_FILE) }));
}

/**
 * Whether the node this connection talks to is a primary now (ROLE). In sentinel mode a node that
 * is not (demoted, or an old primary cut off from the Sentinels that a failover replaced) must be
 * left: the caller drops the connection and ioredis asks the Sentinels again.
 */
export async function isPrimary(redis: Redis): Promise<boolean> {
  const role = await redis.call('ROLE') as unknown[];
  return Array.isArray(role) && role[0] === 'master';
}
