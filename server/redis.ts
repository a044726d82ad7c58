// The gateway's two Redis connections: commands (auto-pipelined) and pub/sub. The gateway sends
// no command while a connection is not ready (it answers UNAVAILABLE itself); a command caught by a
// disconnect fails at the first failed reconnect attempt or after the command timeout, never later.
// Both reconnect by themselves, forever, with a capped backoff. (The offline queue stays on: with
// it off, ioredis' auto-pipelining rejects a promise nobody holds when the socket drops.)
// REDIS_URL may carry user:password (ACL) and use rediss:// (TLS, the server's certificate verified).
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

export function redisOptions(commandTimeoutMs: number): RedisOptions {
  return {
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    reconnectOnError: () => false,
    lazyConnect: false,
  };
}

/** TLS options for a rediss:// URL: verify the server against `caFile` (else the system CAs). */
export function redisTls(url: string, caFile?: string): Pick<RedisOptions, 'tls'> {
  if (!/^rediss:/i.test(url)) return {};
  return { tls: caFile ? { ca: readFileSync(caFile) } : {} };
}

export function connectRedis(url: string, commandTimeoutMs: number, name: string, tlsCaFile?: string, overrides: RedisOptions = {}): Redis {
  return new Redis(url, { ...redisOptions(commandTimeoutMs), ...redisTls(url, tlsCaFile), connectionName: name, ...overrides });
}
