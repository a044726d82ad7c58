// S1, a connection and the presence it gives, across the gateway instance's index {i:ID}, the
// player's slot {p:ID} and each of its games' buckets {t:B}. Each step is one script or command,
// idempotent:
//   hello:      (a) SADD the player to the instance index; (b) hello-4 on {p}: session, the
//               connection, the presence sequence (+1 when it goes online), the games index;
//               (c) presence-3 on each game with (player, online, sequence).
//   disconnect: disconnect-4 on {p} (sequence +1 when it goes offline); presence steps; the queue
//               is left; LAST the SREM from the instance index (when no other connection of the
//               player is on that instance).
// Invariants: P1, a connection `I|C` is in a player's conns only while the player is in I's index
// (added before, removed after). P2, a game's seat shows the presence of the newest sequence it was
// given (presence-3 applies only newer ones: late or repeated steps change nothing).
// Reconciler: the reaper. Once the registry judges instance I dead (lapsed, the registry not
// settling: registry-2.lua), any gateway takes I's index player by player: drop-4 on {p} (I's
// connections go; offline: sequence +1), the queue place is held and left, presence steps, then
// the SREM from I's index. A crash anywhere repeats the player. hello's (c) also repairs any game
// whose presence step was lost (it sends all of them again).
import type { StoreCore } from './core.js';
import { bucketOf, playerOfToken } from './keys.js';
import { leaveQueue } from './matching.js';

/** How long the reaper keeps the quick-match place of a player whose gateway was cut off. */
export const QUEUE_HOLD_MS = 60_000;


/** Step (c): carries a player's presence (with its sequence) to each of its games. */
export async function carry(c: StoreCore, playerId: string, online: boolean, seq: number, games: string[]): Promise<void> {
  const k = c.keys;
  await Promise.all(games.map((id) => {
    const b = bucketOf(id);
    return c.exec('presence', [k.game(id), k.deadlines(b), k.outbox(b)],
      [playerId, online ? 1 : 0, seq, c.limits.abandonMs, k.gameChannel(id)], false);
  }));
}

export interface HelloArgs {
  token: string | null; newToken: string; newPlayerId: string; name: string; defaultName: string; instance: string; conn: string;
}

/** `hash` the token's SHA-256 (hex). `newToken` is `newPlayerId.SECRET`. */
export async function hello(c: StoreCore, a: HelloArgs, hash: (t: string) => string) {
  const k = c.keys;
  const l = c.limits;
  const attempt = async (pid: string, token: string, create: boolean) => {
    await c.redis.sadd(k.instancePlayers(a.instance), pid);
    c.fault('hello:session');
    return c.exec('hello', [k.session(pid, hash(token)), k.playerConns(pid), k.presenceSeq(pid), k.playerGames(pid)],
      [create ? 1 : 0, pid, a.name, a.defaultName, l.sessionTtlS, a.conn], false) as Promise<unknown[]>;
  };
  const known = a.token ? playerOfToken(a.token) : null;
  let r = known ? await attempt(known, a.token!, false) : ['unknown'];
  if (r[0] === 'unknown') r = await attempt(a.newPlayerId, a.newToken, true);
  const playerId = String(r[1]);
  c.fault('hello:presence');
  await carry(c, playerId, true, Number(r[3]), r.slice(4).map(String));
  return c.settled({ resumed: r[0] === 1, playerId, name: String(r[2]) }, k.playerGames(playerId));
}

/** Forgets a connection; false when the player has no live connection left (it went offline). */
export async function disconnect(c: StoreCore, playerId: string, instance: string, conn: string): Promise<boolean> {
  const k = c.keys;
  const r = await c.exec('disconnect', [k.playerConns(playerId), k.presenceSeq(playerId), k.playerGames(playerId), k.playerQueue(playerId)],
    [conn], false) as unknown[];
  const online = r[0] === 1;
  if (!online) {
    c.fault('disconnect:presence');
    await carry(c, playerId, false, Number(r[2]), r.slice(4).map(String));
    if (r[3]) await leaveQueue(c, playerId, String(r[3]), true);
  }
  c.fault('disconnect:index');
  if (r[1] !== 1) await c.redis.srem(k.instancePlayers(instance), playerId);
  return online;
}

/**
 * Records live connections of an instance again, after its registration lapsed (a stall, a Redis
 * restart): a reaper may have dropped them and marked their players offline; a player it took out
 * of the queue gets its place back.
 */
export async function attach(c: StoreCore, instance: string, entries: [playerId: string, member: string][]): Promise<void> {
  const k = c.keys;
  for (const [pid, member] of entries) {
    await c.redis.sadd(k.instancePlayers(instance), pid);
    const r = await c.exec('connect', [k.playerConns(pid), k.presenceSeq(pid), k.playerGames(pid)], [member], false) as unknown[];
    await carry(c, pid, true, Number(r[0]), r.slice(1).map(String));
    const held = await c.redis.get(k.heldQueuePlace(pid));
    const m = held === null ? null : /^([^@]+)@(\S+) (.*)$/s.exec(held);
    if (held !== null) await c.redis.del(k.heldQueuePlace(pid));
    if (m && (await c.redis.get(k.playerQueue(pid))) === null) {
      await c.redis.set(k.playerQueue(pid), m[1]);
      await c.exec('requeue', [k.queue(m[1]), k.queueNames(m[1])], [pid, m[2], m[3]], false);
    }
  }
}

/** The registry's judgement (registry-2.lua): live instances (id, description) and dead ones. */
export async function registry(c: StoreCore): Promise<{ settling: boolean; live: [string, string][]; dead: string[] }> {
  const r = await c.exec('registry', [c.keys.instances(), c.keys.registryClock()], [''], false) as (string | number)[];
  const n = Number(r[1]);
  const live: [string, string][] = [];
  for (let i = 0; i < n; i++) live.push([String(r[2 + 2 * i]), String(r[3 + 2 * i])]);
  return { settling: r[0] === 1, live, dead: r.slice(2 + 2 * n).map(String) };
}

/**
 * S1's reconciler for a dead instance, up to `batch` of its players per call. `left` is how many
 * remain; null when the registry does not judge the instance dead (alive, or settling after an
 * outage of its shard). An instance already forgotten has nothing left: {0, 0}.
 */
export async function reap(c: StoreCore, instance: string, batch: number): Promise<{ handled: number; left: number } | null> {
  const k = c.keys;
  const reg = await registry(c);
  if (reg.settling || reg.live.some(([id]) => id === instance)) return null;
  const index = k.instancePlayers(instance);
  const pids = await c.redis.srandmember(index, batch);
  let handled = 0;
  for (const pid of pids) {
    const r = await c.exec('drop', [k.playerConns(pid), k.presenceSeq(pid), k.playerGames(pid), k.playerQueue(pid)], [instance], false) as unknown[];
    if (r[0] !== 1) {
      if (r[2]) {
        // the place is held for a while: if the instance was only cut off, attach puts it back
        const place = await leaveQueue(c, pid, String(r[2]));
        if (place) await c.redis.set(k.heldQueuePlace(pid), `${r[2]}@${place.score} ${place.name}`, 'PX', QUEUE_HOLD_MS);
        if ((await c.redis.get(k.playerQueue(pid))) === r[2]) await c.redis.del(k.playerQueue(pid));
      }
      c.fault('reap:presence');
      await carry(c, pid, false, Number(r[1]), r.slice(3).map(String));
    }
    // LAST (P1): a reaper dying before this repeats the player; the one whose SREM removes it counts it
    handled += await c.redis.srem(index, pid);
  }
  const left = await c.redis.scard(index);
  if (left === 0) await c.exec('registry', [k.instances(), k.registryClock()], [instance], false);
  return { handled, left };
}
