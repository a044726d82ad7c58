// Bucket ownership of the sweep (server/gateway/buckets.ts): with any set of live instances, every
// bucket is swept by exactly SWEEPERS_PER_BUCKET of them (all of them when fewer live), each
// instance computing its share alone; and the work spreads evenly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ownedBuckets, SWEEPERS_PER_BUCKET } from '../../server/gateway/buckets.js';
import { BUCKETS } from '../../server/store/keys.js';

test('every bucket has exactly min(2, live) sweepers, whatever the live instances', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^gw-[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 12 }), (live) => {
    const count = new Array<number>(BUCKETS).fill(0);
    for (const id of live) for (const b of ownedBuckets(id, live)) count[b]++;
    assert.ok(count.every((n) => n === Math.min(SWEEPERS_PER_BUCKET, live.length)), JSON.stringify(count));
  }), { numRuns: 50 });
});

test('an instance not yet in the registry counts itself in; the load is spread', () => {
  const live = ['gw-a', 'gw-b', 'gw-c', 'gw-d'];
  assert.deepEqual(ownedBuckets('gw-e', live), ownedBuckets('gw-e', [...live, 'gw-e']));
  for (const id of live) {
    const n = ownedBuckets(id, live).length;
    assert.ok(n > 64 && n < 192, `${id} sweeps ${n} of ${BUCKETS} (expected ~128)`);
  }
});
