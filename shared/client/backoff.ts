// The one reconnect and retry policy of every client (page and bots): exponential backoff with
// jitter, so that the thousands of clients of a gateway that died do not all come back at the same
// instant, and a client that keeps failing slows down to one try every few seconds.

export interface BackoffPolicy {
  /** The ceiling of the first delay (ms); it doubles with every further attempt. */
  baseMs: number;
  /** The ceiling never grows past this (ms). */
  capMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 250, capMs: 8000 });

/**
 * The pause before attempt `attempt` (0 = the first after a failure): a random time between half
 * and all of min(cap, base * 2^attempt). Half jitter rather than full: never a burst of instant
 * retries, and still spread.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempt), 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
