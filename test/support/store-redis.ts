// A Redis of its own for a store-level test file, started before its tests and stopped after, and
// what such files share: unique ids and store limits with every clock off.
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer } from '../../server/launcher/redis-server.js';
import type { StoreLimits } from '../../server/store/store.js';

// every script call and plain command of the Store keeps to one slot (server/store/scripts.ts checkSlots)
process.env.TRINE_CHECK_SLOTS ??= '1';

/** Store limits with every clock off and one unfinished game per player; override per world. */
export const STORE_LIMITS: StoreLimits = { maxGamesPerPlayer: 1, turnMs: 0, abandonMs: 0, inviteTtlMs: 0, finishedTtlS: 60, sessionTtlS: 3600, gameIdleTtlS: 86400 };

let n = 0;
/** An id no other test of the run uses: `p` then a counter and a random tail. */
export const uid = (p: string): string => `${p}${++n}x${Math.random().toString(36).slice(2, 8)}`;

/** Starts a Redis before the file's tests (handing its client to `ready`) and stops it after them. */
export function redisForFile(ready: (redis: Redis) => void): void {
  const server = new RedisServer();
  let redis: Redis | null = null;
  before(async () => {
    await server.start();
    redis = new Redis(server.url);
    ready(redis);
  });
  after(async () => { redis?.disconnect(); await server.stop(); });
}

/** A new player's id and token (`PID.SECRET`, as the gateway makes them: the token names its player's slot). */
export function tokenFor(playerId: string): { newToken: string; newPlayerId: string } {
  return { newToken: `${playerId}.${uid('secret')}`, newPlayerId: playerId };
}
