// How a command that threw is answered: UNAVAILABLE when Redis could not serve it (the client may
// retry, possibly elsewhere) or INTERNAL for a bug (a script's error reply, an exception in the
// gateway's own code).

/**
 * Error replies by which Redis says it cannot serve now (loading, failover, busy, full, auth;
 * NOREPLICAS: a primary without a replica in reach refuses writes, `min-replicas-to-write`).
 */
const STORE_DOWN_REPLY = /^(LOADING|READONLY|MASTERDOWN|NOREPLICAS|BUSY|TRYAGAIN|CLUSTERDOWN|OOM|NOAUTH|WRONGPASS|NOPERM)\b/;
/** Of those, the replies of a node that cannot take writes now: not a primary, one without replicas, a cluster with a shard down. */
export const WRITES_REFUSED_REPLY = /^(READONLY|MASTERDOWN|NOREPLICAS|CLUSTERDOWN)\b/;

/**
 * The error code for a command that threw: a script's error reply or a bug in the gateway is
 * INTERNAL; a lost connection, a timeout or a Redis that says it cannot serve now is UNAVAILABLE.
 */
export function failureCode(e: unknown): 'UNAVAILABLE' | 'INTERNAL' {
  if (!(e instanceof Error)) return 'UNAVAILABLE';
  if (e.name === 'ReplyError') return STORE_DOWN_REPLY.test(e.message) ? 'UNAVAILABLE' : 'INTERNAL';
  return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError ? 'INTERNAL' : 'UNAVAILABLE';
}

export const isUnavailable = (e: unknown): boolean => failureCode(e) === 'UNAVAILABLE';

/** Whether the error came from Redis (counted in trine_redis_errors_total), not from the gateway's own code. */
export const fromRedis = (e: unknown): boolean => failureCode(e) === 'UNAVAILABLE' || (e instanceof Error && e.name === 'ReplyError');
