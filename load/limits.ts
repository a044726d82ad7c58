// Limits of this process that decide how many sockets it can open.
import { readFileSync } from 'node:fs';

/** The soft limit on open files (`ulimit -n`), or null when it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !m ? null : m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return null;
  }
}

/** Sockets this process can hold besides its other files (a margin for stdio, Redis, child pipes). */
export function socketBudget(margin = 100): number {
  const limit = openFileLimit();
  return limit === null ? Number.MAX_SAFE_INTEGER : Math.max(0, limit - margin);
}
