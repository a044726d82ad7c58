// Waiting in tests without guessing: poll a condition until it holds, with a bound and a message
// that says what never happened and what was last seen. A fixed sleep before an assertion either
// wastes time or, on a loaded machine, asserts too early; these wait exactly as long as needed.
import type { Redis } from 'ioredis';

// every script call and plain command of the Store keeps to one slot (server/store/scripts.ts checkSlots)
process.env.TRINE_CHECK_SLOTS ??= '1';

export interface UntilOptions<T> {
  /** When the probed value is good enough (default: truthy). */
  ok?: (v: T) => boolean;
  /** Give up after this many ms (default 5000). */
  timeoutMs?: number;
  /** Pause between probes (default 50 ms). */
  everyMs?: number;
}

/**
 * Probes until `ok` holds and returns that value; throws `<what>: not within N ms (last: ...)`
 * otherwise. A probe that throws ends the wait with its error (a probe may assert what must hold
 * all along, e.g. that a process is still running).
 */
export async function until<T>(what: string, probe: () => T | Promise<T>, o: UntilOptions<T> = {}): Promise<T> {
  const ok = o.ok ?? ((v: T) => Boolean(v));
  const timeoutMs = o.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${shown(last)})`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 50));
  }
}

/** Redis' clock in epoch ms: the clock every time rule is evaluated by. */
export async function redisNowMs(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Waits until Redis' clock has passed `epochMs` (a time rule's instant), however busy the machine is. */
export function untilRedisClock(redis: Redis, epochMs: number, what = `Redis' clock past ${epochMs}`, timeoutMs = 15_000): Promise<number> {
  if (!Number.isFinite(epochMs)) throw new Error(`${what}: not a time (${epochMs})`);
  return until(what, () => redisNowMs(redis), { ok: (now) => now > epochMs, timeoutMs, everyMs: 20 });
}

function shown(v: unknown): string {
  try { return JSON.stringify(v)?.slice(0, 300) ?? String(v); } catch { return String(v); }
}
