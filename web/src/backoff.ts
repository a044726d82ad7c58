// Reconnect delays: exponential backoff with jitter, so that thousands of pages that lost the same
// gateway do not all come back at the same instant.

export interface BackoffOptions { baseMs: number; capMs: number }

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 300, capMs: 8000 };

/**
 * Delay before reconnect attempt `attempt` (0 = the first after a loss): a random time between half
 * and all of min(cap, base * 2^attempt). `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
