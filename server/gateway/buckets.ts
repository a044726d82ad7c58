// Which buckets of games ({t:B}, server/store/keys.ts) this gateway sweeps, without a leader:
// rendezvous hashing of (bucket, instance id) over the live instances the registry lists. Each
// gateway sweeps, every sweep, the buckets it ranks first or second (so that every bucket has two
// sweepers: one gateway's death, or a view of the registry that lags, leaves no bucket unswept),
// and every bucket every FULL_SWEEP_EVERY sweeps, a safety net for a view that lags further. The
// work of the whole fleet grows with the buckets (2 x 256 per sweep), not with the gateways: a
// full sweep by every gateway each second would cost 256 claims per gateway per second. Claims
// are leases, so two sweepers of one bucket never apply a rule twice.
import { createHash } from 'node:crypto';
import { BUCKETS } from '../store/keys.js';

/** Every this many sweeps (10 s at SWEEP_MS 200), a gateway sweeps every bucket (not only its own). */
export const FULL_SWEEP_EVERY = 50;
/** How many sweepers each bucket has among the live instances (its first and second ranked). */
export const SWEEPERS_PER_BUCKET = 2;

function score(bucket: number, instance: string): number {
  return createHash('sha1').update(`${bucket}|${instance}`).digest().readUInt32BE(0);
}

/** The buckets `self` ranks among the first `ranks` of `live` (self counted in whether listed or not). */
export function ownedBuckets(self: string, live: readonly string[], ranks = SWEEPERS_PER_BUCKET): number[] {
  const ids = live.includes(self) ? [...live] : [...live, self];
  const owned: number[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    const mine = score(b, self);
    // instances ranked above self for this bucket (a higher score, or the same and a smaller id)
    let above = 0;
    for (const id of ids) {
      if (id === self) continue;
      const s = score(b, id);
      if (s > mine || (s === mine && id < self)) above++;
      if (above >= ranks) break;
    }
    if (above < ranks) owned.push(b);
  }
  return owned;
}
