// Which buckets of games ({t:B}, server/store/keys.ts) this gateway sweeps, without a leader:
// rendezvous hashing of (bucket, instance id) over the live instances the registry lists. Each
// gateway sweeps the buckets it ranks first every sweep, and every bucket every FULL_SWEEP_EVERY
// sweeps, so that a gateway whose view of the registry lags (or a dead owner not judged yet) leaves
// no bucket unswept for long; claims are leases, so two sweepers of one bucket never apply a rule twice.
import { createHash } from 'node:crypto';
import { BUCKETS } from '../store/keys.js';

/** Every this many sweeps, a gateway sweeps every bucket (not only its own). */
export const FULL_SWEEP_EVERY = 4;

function score(bucket: number, instance: string): number {
  return createHash('sha1').update(`${bucket}|${instance}`).digest().readUInt32BE(0);
}

/** The buckets `self` ranks first among `live` (self counted in whether listed or not). */
export function ownedBuckets(self: string, live: readonly string[]): number[] {
  const ids = live.includes(self) ? live : [...live, self];
  const owned: number[] = [];
  for (let b = 0; b < BUCKETS; b++) {
    let best = self;
    let top = score(b, self);
    for (const id of ids) {
      const s = score(b, id);
      if (s > top || (s === top && id < best)) { best = id; top = s; }
    }
    if (best === self) owned.push(b);
  }
  return owned;
}
