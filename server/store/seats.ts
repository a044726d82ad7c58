// S2, a seat in a game (create, join, rematch), and S4, a game's end, across two slots: the
// player's games index {p:ID} and the game's bucket {t:B}. Each step is one script, idempotent.
//   (a) reserve-3 on {p}: the game id enters the player's index (ALREADY_IN_GAME at the maximum);
//   (b) the game script on {t} (create-4, join-4, rematch-4);
//   (c) on a refusal of (b), the reservation made in (a) is released.
// S4: a script that ends a game (or puts a seat out) lists the players to release (REL); the store
// releases their entries right after it (core.ts).
// Invariants: G1, every unfinished game that seats a player is in its index (reserved before it is
// seated); G2, an entry whose game does not seat the player (a reservation whose game was never
// made, a refused join, a finished game) is stale, harmless but for the count.
// Reconciler: every reader of the index (unfinishedGames: hello, resync; a refused reservation)
// judges the entries whose time has come (score <= now: at once, or a rematch's once its old game
// could be gone) against their game and releases the stale ones.
import { isFinished, toRaw, type RawSnapshot } from './channels.js';
import type { StoreCore } from './core.js';
import { bucketOf, rematchId } from './keys.js';
import { leaveQueue } from './matching.js';
import { status, variantArgs, type GameSpec, type Result } from './store-types.js';

/** A reservation is judged (released if its game does not seat the player) only this long after it was made. */
export const RESERVE_GRACE_MS = 10_000;

type Reserved = { ok: true; added: boolean } | { ok: false; code: 'ALREADY_IN_GAME' } | { ok: 'recorded'; record: unknown[] };

/**
 * Step (a): reserves game `gameId` in the player's index, after repairing it once when full (G2).
 * `record`: the idem record to write with it (a create under way), unless one is there already.
 */
export async function reserve(c: StoreCore, playerId: string, gameId: string, o: { judgeAfterMs?: number; idem?: string; record?: unknown[] } = {}): Promise<Reserved> {
  const k = c.keys;
  const args = ['g', gameId, c.limits.maxGamesPerPlayer, o.record ? JSON.stringify(o.record) : '', o.judgeAfterMs ?? RESERVE_GRACE_MS];
  const keys = [k.playerGames(playerId), k.playerQueue(playerId), k.playerIdem(playerId, o.idem ?? '')];
  let r = await c.exec('reserve', keys, args, false) as unknown[];
  if (r[0] === 'E') {
    // full: stale entries go (G2), a rematch reserved while waiting for the others' asks too (the
    // player moves on; should that rematch start, it seats the player all the same)
    await unfinishedGames(c, playerId, true);
    r = await c.exec('reserve', keys, args, false) as unknown[];
  }
  if (r[0] === 'P') return { ok: 'recorded', record: JSON.parse(String(r[1])) as unknown[] };
  if (r[0] === 'E') return { ok: false, code: 'ALREADY_IN_GAME' };
  if (r[1]) await leaveQueue(c, playerId, String(r[1]));
  return { ok: true, added: r[2] === 1 };
}

/**
 * The player's unfinished games, read from their snapshots; releases stale entries on the way (G2),
 * with `all` (a player out of room) also the long reservations (a rematch's) whose game is missing: a
 * short one may be a create or join still making its game (G1). Once durable.
 */
export async function unfinishedGames(c: StoreCore, playerId: string, all = false): Promise<{ id: string; raw: RawSnapshot }[]> {
  const index = c.keys.playerGames(playerId);
  const e = await c.exec('games', [index], [RESERVE_GRACE_MS], false) as string[];
  const out: { id: string; raw: RawSnapshot }[] = [];
  await Promise.all(e.flatMap((id, i) => (i % 2 ? [] : [(async () => {
    const s = await c.redis.hget(c.keys.game(id), 's');
    const raw = s === null ? null : toRaw(s);
    if (raw && !isFinished(raw)) out.push({ id, raw });
    else if (raw || Number(e[i + 1]) === 1 || (all && Number(e[i + 1]) === 2)) await c.release(playerId, id);
  })()])));
  return c.settled(out, index);
}

/**
 * S2 for a new game: (a) reserve, (b) the invite code names the game (SET NX in the code's bucket:
 * CODE_TAKEN when it names another), (c) the game. A code left by a create cut short names a game
 * that does not exist (join: NOT_FOUND) until it expires. A resend of an applied `idem` answers the
 * first game's id and code (not the ones passed now); one of a create cut short finishes it.
 * `spec.vs` computer: the game starts at once and has no invite code (`code` is ignored; '' back).
 */
export async function create(c: StoreCore, playerId: string, name: string, gameId: string, code: string, idem: string, spec: GameSpec) {
  const k = c.keys;
  const l = c.limits;
  const vs = spec.vs === 'computer';
  const res = await reserve(c, playerId, gameId, idem ? { idem, record: ['P', gameId, code] } : {});
  if (res.ok === false) return { ok: false as const, code: res.code };
  if (res.ok === 'recorded') {
    if (res.record[0] !== 'P') return status(['R', ...res.record.slice(1)], (x) => ({ version: Number(x[1]), gameId: String(x[2]), code: String(x[3]) }));
    // a resend of a create cut short: the same game, reserved again (idempotent)
    [gameId, code] = [String(res.record[1]), String(res.record[2])];
    const again = await reserve(c, playerId, gameId);
    if (again.ok !== true) return { ok: false as const, code: 'ALREADY_IN_GAME' as const };
  }
  const undo = async () => {
    await c.release(playerId, gameId);
    if (idem) await c.redis.del(k.playerIdem(playerId, idem));
    return { ok: false as const, code: 'CODE_TAKEN' as const };
  };
  if (!vs) {
    c.fault('create:code');
    // the code lives as long as an idle game may; a code of a finished game answers NOT_FOUND (join)
    const set = await c.redis.set(k.code(code), gameId, 'PX', l.gameIdleTtlS * 1000, 'NX');
    if (set === null && (await c.redis.get(k.code(code))) !== gameId) return undo();
  }
  c.fault('create:game');
  const b = bucketOf(gameId);
  const r = await c.exec('create', [k.game(gameId), k.deadlines(b), k.outbox(b)],
    [playerId, name, gameId, vs ? '' : code, l.inviteTtlMs, l.abandonMs, variantArgs(spec.variant).json, vs ? 1 : 0, l.turnMs, k.gameChannel(gameId)], false) as unknown[];
  // the id names another player's game: the caller retries with other ones
  if (r[0] === 'E') return undo();
  if (idem) await c.redis.set(k.playerIdem(playerId, idem), JSON.stringify(['OK', ...r.slice(1)]), 'EX', 600);
  await c.settledAll(null, [k.playerGames(playerId), k.game(gameId), ...(vs ? [] : [k.code(code)])]);
  if (r[0] === 'OK') await c.notify(k.playerChannel(playerId), `G ${gameId}`, k.playerGames(playerId));
  return status(r, (x) => ({ version: Number(x[1]), gameId: String(x[2]), code: String(x[3]) }));
}

/** A resend of an applied `idem` answers the first game's id, even once the code no longer names it. */
export async function join(c: StoreCore, playerId: string, name: string, code: string, gameId: string, idem: string) {
  const k = c.keys;
  const res = await reserve(c, playerId, gameId);
  if (res.ok !== true) return { ok: false as const, code: 'ALREADY_IN_GAME' as const };
  c.fault('join:game');
  const b = bucketOf(gameId);
  const r = await c.exec('join', [k.game(gameId), k.deadlines(b), k.outbox(b)],
    [playerId, name, gameId, c.limits.turnMs, c.limits.abandonMs, idem, k.gameChannel(gameId), code], false) as unknown[];
  if (r[0] === 'E') {
    if (res.added) await c.release(playerId, gameId);
  } else {
    // for a resend once the code no longer names the game (recalledJoin)
    if (idem) await c.redis.set(k.playerIdem(playerId, idem), JSON.stringify(['OK', ...r.slice(1)]), 'EX', 600);
  }
  await c.settledAll(null, [k.playerGames(playerId), k.game(gameId)]);
  if (r[0] === 'OK') await c.notify(k.playerChannel(playerId), `G ${gameId}`, k.playerGames(playerId));
  return status(r, (x) => ({ version: Number(x[1]), gameId: String(x[2]) }));
}

/**
 * Every asker reserves the rematch (its id derived from the old game's) before asking; the
 * reservation is judged only once the old game could be gone (it waits for the other asks). The
 * start adds the game to every player's index again (an earlier asker's entry may have been judged
 * stale meanwhile) and sends each the notice.
 */
export async function rematch(c: StoreCore, playerId: string, gameId: string, idem: string) {
  const k = c.keys;
  const id = rematchId(gameId);
  const res = await reserve(c, playerId, id, { judgeAfterMs: c.limits.finishedTtlS * 1000 + 60_000 });
  if (res.ok !== true) {
    // no room for the rematch: a rematch of a game still being played is refused for that first (as the script would)
    const s = await c.redis.hget(k.game(gameId), 's');
    const raw = s === null ? null : toRaw(s);
    const code = raw && !isFinished(raw) ? 'GAME_IN_PROGRESS' as const : 'ALREADY_IN_GAME' as const;
    return c.settled({ ok: false as const, code }, k.game(gameId));
  }
  c.fault('rematch:game');
  const b = bucketOf(gameId);
  const r = await c.exec('rematch', [k.game(gameId), k.game(id), k.deadlines(b), k.outbox(b)],
    [playerId, id, c.limits.turnMs, c.limits.abandonMs, idem, k.gameChannel(gameId), k.gameChannel(id)], false) as unknown[];
  if (r[0] === 'E' && res.added) await c.release(playerId, id);
  if (r[0] === 'OK' && r[1] === 'started') {
    const s = await c.redis.hget(k.game(id), 's');
    const players = s ? Object.values((JSON.parse(s) as { players: Record<string, { id: string; computer?: boolean } | null> }).players) : [];
    const people = players.filter((p) => p && !p.computer).map((p) => p!.id);
    for (const pid of people) await c.exec('matched', [k.playerGames(pid), k.playerQueue(pid)], [id, ''], false);
    await c.settledAll(null, [k.game(gameId), ...people.map((pid) => k.playerGames(pid))]);
    await Promise.all(people.map((pid) => c.notify(k.playerChannel(pid), `R ${gameId} ${id}`, k.playerGames(pid))));
  } else {
    await c.settledAll(null, [k.game(gameId), k.playerGames(playerId)]);
  }
  return status(r, (x) => ({ started: x[1] === 'started' ? String(x[2]) : null, ...(x[3] === 'cpu' ? { computerTurn: true as const } : {}) }));
}

export type { Result };
