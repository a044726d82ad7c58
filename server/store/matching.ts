// S3, quick match, across the player's slot {p:ID}, the variant's queue {q:V} and the new game's
// bucket {t:B}. Each step is one script, idempotent:
//   (a) reserve-3 on {p}: the queue ticket names V (ALREADY_IN_GAME at the maximum); a ticket of
//       another queue is left there (unqueue-2 on its {q});
//   (b) queue-3 on {q:V}: the player waits, or the longest-waiting N-1 and it make a pending match
//       (game id -> players), the queue's record of a game to make;
//   (c) seat-3 on the game's {t}: the game, every player seated (NX by id);
//   (d) matched-2 on each player's {p}: the game enters its index, the ticket goes; then the `M ID`
//       notice on its channel;
//   (e) the pending match is deleted.
// Invariants: Q1, a player waits in one queue at most (its ticket names it; entering another leaves
// the first). Q2, a pending match is a game being made: older than PENDING_GRACE_MS it was left by a
// gateway that died, and any gateway's housekeeping finishes it from (c) (reconcileMatches); a
// second `M ID` is harmless (the client already follows the game). G1 holds from (c) to (d) only
// through the pending match: a player's index lacks the game until (d), and the reconciler
// finishes (d). A player who goes offline leaves its queue (disconnect, reaper: S1).
import type { StoreCore } from './core.js';
import { bucketOf } from './keys.js';
import { unfinishedGames } from './seats.js';
import { status, variantArgs, type GameSpec } from './store-types.js';

/** A pending match this old (by its queue shard's clock) was left by a dead gateway: any gateway finishes it. */
export const PENDING_GRACE_MS = 2000;

/** Takes a player out of queue `variant` (harmless when it does not wait there); `drop`: also its ticket, if it names that queue. */
export async function leaveQueue(c: StoreCore, playerId: string, variant: string, drop = false): Promise<{ score: string; name: string } | null> {
  const k = c.keys;
  const r = await c.exec('unqueue', [k.queue(variant), k.queueNames(variant)], [playerId], false) as unknown[];
  if (drop && (await c.redis.get(k.playerQueue(playerId))) === variant) await c.redis.del(k.playerQueue(playerId));
  return r[0] === 1 ? { score: String(r[1]), name: String(r[2]) } : null;
}

async function recalled(c: StoreCore, playerId: string, idem: string): Promise<unknown[] | null> {
  if (!idem) return null;
  const v = await c.redis.get(c.keys.playerIdem(playerId, idem));
  return v === null ? null : JSON.parse(v) as unknown[];
}

async function record(c: StoreCore, playerId: string, idem: string, reply: unknown[]): Promise<unknown[]> {
  if (idem) await c.redis.set(c.keys.playerIdem(playerId, idem), JSON.stringify(reply), 'EX', 600);
  return reply;
}

/** Quick match of `spec.variant` (absent or classic: the classic queue). */
export async function queue(c: StoreCore, playerId: string, name: string, newGameId: string, idem: string, spec: Pick<GameSpec, 'variant'>) {
  const k = c.keys;
  const v = variantArgs(spec.variant);
  const prev = await recalled(c, playerId, idem);
  const matchedOf = (x: unknown[]) => ({ matched: x[1] === 'matched' ? String(x[2]) : null });
  if (prev) {
    // a resend of a match whose making was cut short (a failed barrier): made now, not 2 s later
    if (prev[1] === 'matched') await finishPending(c, v.name, String(prev[2]));
    return status(['R', ...prev.slice(1)], matchedOf);
  }
  const reserveTicket = () => c.exec('reserve', [k.playerGames(playerId), k.playerQueue(playerId), k.playerIdem(playerId, '')],
    ['q', v.name, c.limits.maxGamesPerPlayer, '', 0], false) as Promise<unknown[]>;
  let t = await reserveTicket();
  if (t[0] === 'E') {
    // full: the index may hold a game that just ended, its release (S4) still on its way: stale
    // entries go (G2), as for a seat (seats.ts reserve), and the ticket is asked for again
    await unfinishedGames(c, playerId, true);
    t = await reserveTicket();
  }
  if (t[0] === 'E') return { ok: false as const, code: 'ALREADY_IN_GAME' as const };
  if (t[1] && t[1] !== v.name) await leaveQueue(c, playerId, String(t[1]));
  await c.redis.sadd(k.queuesInUse(), v.name);
  c.fault('queue:queue');
  const r = await c.exec('queue', [k.queue(v.name), k.queueNames(v.name), k.queuePending(v.name)], [playerId, name, newGameId, v.players, v.json], false) as unknown[];
  // Q1 (a player waits in the queue its ticket names): a seat taken meanwhile (create, join: their
  // reservation drops the ticket and leaves the queue) may have run before this player entered it;
  // then it leaves again, as the seat meant
  if (r[0] !== 'matched' && (await c.redis.get(k.playerQueue(playerId))) !== v.name) await leaveQueue(c, playerId, v.name);
  const reply = await record(c, playerId, idem, r[0] === 'matched' ? ['OK', 'matched', String(r[1])] : ['OK', 'queued']);
  // what the queue step did is durable before the game is made (no notice of a game a failover can undo)
  await c.settledAll(null, [k.queue(v.name), k.playerQueue(playerId)]);
  if (r[0] === 'matched') await finishMatch(c, v.name, String(r[1]), { v: v.json, players: JSON.parse(String(r[2])) as { id: string; name: string }[] });
  return status(reply, matchedOf);
}

/** A pending match as queue-3.lua records it. */
interface PendingMatch { v: string; players: { id: string; name: string }[] }

/** Steps (c) to (e) of a pending match (made now, or left by a dead gateway). */
export async function finishMatch(c: StoreCore, variant: string, gameId: string, m: PendingMatch): Promise<void> {
  const k = c.keys;
  const b = bucketOf(gameId);
  c.fault('queue:seat');
  await c.exec('seat', [k.game(gameId), k.deadlines(b), k.outbox(b)],
    [gameId, m.v, JSON.stringify(m.players), c.limits.turnMs, c.limits.abandonMs, k.gameChannel(gameId)], false);
  await Promise.all(m.players.map(async (p) => {
    c.fault('queue:matched');
    await c.exec('matched', [k.playerGames(p.id), k.playerQueue(p.id)], [gameId, variant], false);
  }));
  await c.settledAll(null, [k.game(gameId), ...m.players.map((p) => k.playerGames(p.id))]);
  await Promise.all(m.players.map((p) => c.notify(k.playerChannel(p.id), `M ${gameId}`, k.playerGames(p.id))));
  c.fault('queue:done');
  await c.redis.hdel(k.queuePending(variant), gameId);
}

export async function unqueue(c: StoreCore, playerId: string, idem: string) {
  const prev = await recalled(c, playerId, idem);
  if (prev) return status(['R', ...prev.slice(1)], () => ({}));
  const ticket = await c.redis.get(c.keys.playerQueue(playerId));
  const left = ticket ? await leaveQueue(c, playerId, ticket, true) : null;
  const reply = await record(c, playerId, idem, ['OK', left ? 1 : 0]);
  return status(await c.settledAll(reply, [c.keys.playerQueue(playerId), ...(ticket ? [c.keys.queue(ticket)] : [])]), () => ({}));
}

/** Finishes pending match `gameId` of queue `variant` if it is still pending. */
async function finishPending(c: StoreCore, variant: string, gameId: string): Promise<void> {
  const v = await c.redis.hget(c.keys.queuePending(variant), gameId);
  let m: PendingMatch | null = null;
  try { m = v === null ? null : JSON.parse(v) as PendingMatch; } catch { /* malformed: the reconciler drops it */ }
  if (m && Array.isArray(m.players)) await finishMatch(c, variant, gameId, m);
}

/** S3's reconciler: finishes every pending match older than `ageMs` of every queue in use. Returns how many. */
export async function reconcileMatches(c: StoreCore, ageMs = PENDING_GRACE_MS): Promise<number> {
  const k = c.keys;
  let n = 0;
  for (const variant of await c.redis.smembers(k.queuesInUse())) {
    const e = await c.exec('pending', [k.queuePending(variant)], [ageMs], false) as string[];
    for (let i = 0; i + 1 < e.length; i += 2) {
      let m: PendingMatch | null = null;
      try { m = JSON.parse(e[i + 1]) as PendingMatch; } catch { /* malformed: nothing to make */ }
      if (m && Array.isArray(m.players)) await finishMatch(c, variant, e[i], m);
      else await c.redis.hdel(k.queuePending(variant), e[i]);
      n++;
    }
  }
  return n;
}
