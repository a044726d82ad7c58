// The history checker: proves, against Redis' final state, that
//  - every acknowledged move is on its game's final board, recorded at the acknowledged version,
//    and (where observed) appears exactly at that version;
//  - no two observers saw different boards for the same (game, version);
//  - each observer's versions only increase, except through a reset (`"reset": true`), and a reset
//    never goes back to a lower version than the observer had (that is a rollback of the store);
//  - every move id was applied at most once;
//  - every game either finished or is still resumable (listed for its players, and a real resume
//    with a player's token gets it back), and none stood still while the bots were playing.
import type { Redis } from 'ioredis';

/** What the checker reads: a Redis or a Cluster (one key per command). */
export type CheckerRedis = Pick<Redis, 'hgetall' | 'zscore'>;
import { seatOf, type GameSnapshot } from '../../shared/protocol.js';
import { isFinished, type Status } from '../../shared/rules.js';
import { seatsOf } from '../../shared/variant.js';
import type { Keys } from '../../server/store/keys.js';
import type { History } from './history.js';

export type ViolationKind = 'game-lost' | 'ack-lost' | 'ack-not-at-version' | 'applied-twice' | 'fork' | 'regression' | 'rolled-back' | 'not-resumable' | 'stuck';
export interface Violation { kind: ViolationKind; gameId: string; detail: string }

export interface CheckOptions {
  history: History;
  redis: CheckerRedis;
  keys: Keys;
  /** When the bots stopped making moves (performance.now()). */
  stoppedAt: number;
  /** An unfinished game with no new version for this long before the stop is stuck. */
  stuckMs: number;
  /** Resumes a player of an unfinished game for real: null when it got the game back, else why not. */
  probe?(gameId: string, playerId: string, version: number): Promise<string | null>;
}

export interface CheckResult {
  violations: Violation[];
  games: { seen: number; finished: number; unfinished: number; probed: number };
  acked: number;
}

interface Final { game: GameSnapshot; mids: Map<string, number> }

async function readFinal(redis: CheckerRedis, keys: Keys, ids: string[]): Promise<Map<string, Final | null>> {
  const out = new Map<string, Final | null>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    // one HGETALL per game (not a pipeline: on a Redis Cluster the games are in many slots)
    const res = await Promise.all(chunk.map((id) => redis.hgetall(keys.game(id))));
    chunk.forEach((id, j) => {
      const h = res[j] as Record<string, string> | undefined;
      if (!h?.s) { out.set(id, null); return; }
      const mids = new Map<string, number>();
      for (const [f, v] of Object.entries(h)) if (f.startsWith('m:')) mids.set(f.slice(2), Number(v));
      out.set(id, { game: JSON.parse(h.s) as GameSnapshot, mids });
    });
  }
  return out;
}

/** Marks on a board of any variant. */
const marksOn = (board: string): number => board.length - board.split('.').length + 1;

/** The people who hold a seat of an unfinished game: not the computer, not a player who is out. */
const seatedPeople = (g: GameSnapshot): string[] => seatsOf(g.variant?.players ?? 2)
  .filter((s) => !(g.out ?? []).includes(s))
  .flatMap((s) => { const p = g.players[s]; return p && !p.computer ? [p.id] : []; });

export async function checkHistory(o: CheckOptions): Promise<CheckResult> {
  const h = o.history;
  const v: Violation[] = [];
  const ids = [...new Set([...h.versions.keys(), ...[...h.moves.values()].map((m) => m.gameId)])];
  const finals = await readFinal(o.redis, o.keys, ids);
  let finished = 0;
  let probed = 0;
  const unfinished: Final[] = [];

  for (const id of ids) {
    const f = finals.get(id);
    const seen = h.versions.get(id);
    const maxSeen = seen ? Math.max(...seen.keys()) : 0;
    if (!f) { v.push({ kind: 'game-lost', gameId: id, detail: `no game ${id} in Redis (its highest version seen was v${maxSeen})` }); continue; }
    const g = f.game;
    if (g.version < maxSeen) v.push({ kind: 'game-lost', gameId: id, detail: `Redis holds v${g.version} but v${maxSeen} was seen: acknowledged state was rolled back` });
    const atFinal = seen?.get(g.version);
    if (atFinal && (atFinal.board !== g.board || atFinal.status !== g.status)) {
      v.push({ kind: 'fork', gameId: id, detail: `v${g.version} in Redis is ${g.board} ${g.status}, ${atFinal.observer} saw ${atFinal.board} ${atFinal.status}` });
    }
    const marks = marksOn(g.board);
    const versions = [...f.mids.values()];
    if (marks > f.mids.size) v.push({ kind: 'applied-twice', gameId: id, detail: `${marks} marks on the board but ${f.mids.size} applied move ids` });
    if (marks < f.mids.size) v.push({ kind: 'ack-lost', gameId: id, detail: `${f.mids.size} applied move ids but only ${marks} marks on the board ${g.board}` });
    if (new Set(versions).size !== versions.length) v.push({ kind: 'applied-twice', gameId: id, detail: `two move ids recorded at one version: ${versions.sort((a, b) => a - b).join(',')}` });
    if (isFinished(g.status as Status)) finished++; else unfinished.push(f);
  }

  let acked = 0;
  for (const m of h.moves.values()) {
    if (!m.acks.length) continue;
    acked++;
    const f = finals.get(m.gameId);
    if (!f) continue; // reported as game-lost
    const ver = m.acks[0];
    if (m.acks.some((x) => x !== ver)) {
      v.push({ kind: 'applied-twice', gameId: m.gameId, detail: `move ${m.mid} acknowledged at versions ${m.acks.join(', ')}` });
    }
    const seat = seatOf(f.game, m.playerId);
    const recorded = f.mids.get(`${m.playerId}:${m.mid}`);
    if (recorded !== ver) {
      v.push({ kind: 'ack-lost', gameId: m.gameId, detail: `move ${m.mid} (cell ${m.cell}) acknowledged at v${ver}, Redis records it ${recorded === undefined ? 'nowhere' : `at v${recorded}`}` });
    }
    if (!seat || f.game.board[m.cell] !== seat) {
      v.push({ kind: 'ack-lost', gameId: m.gameId, detail: `move ${m.mid} acknowledged at v${ver}: cell ${m.cell} of the final board ${f.game.board} is not ${seat ?? '(no seat)'}` });
    }
    const at = h.versions.get(m.gameId)?.get(ver);
    const before = h.versions.get(m.gameId)?.get(ver - 1);
    if ((at && at.board[m.cell] !== seat) || (before && before.board[m.cell] !== '.')) {
      v.push({ kind: 'ack-not-at-version', gameId: m.gameId, detail: `move ${m.mid} (cell ${m.cell}) acknowledged at v${ver}, but v${ver - 1} was ${before?.board ?? '?'} and v${ver} was ${at?.board ?? '?'}` });
    }
  }

  for (const f of h.forks) {
    v.push({ kind: 'fork', gameId: f.gameId, detail: `v${f.version}: ${f.a.observer} saw ${f.a.board} ${f.a.status}, ${f.b.observer} saw ${f.b.board} ${f.b.status}` });
  }
  for (const r of h.regressions) {
    v.push({ kind: 'regression', gameId: r.gameId, detail: `${r.observer} saw v${r.to} after v${r.from}` });
  }
  for (const r of h.rollbacks) {
    v.push({ kind: 'rolled-back', gameId: r.gameId, detail: `${r.observer} was reset to v${r.to} after v${r.from}: the store lost acknowledged history` });
  }

  for (const f of unfinished) {
    const g = f.game;
    const id = g.id;
    const seated = seatedPeople(g);
    for (const pid of seated) {
      if ((await o.redis.zscore(o.keys.playerGames(pid), id)) === null) {
        v.push({ kind: 'not-resumable', gameId: id, detail: `game ${g.status} at v${g.version} is not among the unfinished games of its player ${pid}` });
      }
    }
    const last = h.lastChange.get(id);
    if (g.status === 'playing' && last !== undefined && o.stoppedAt - last > o.stuckMs) {
      v.push({ kind: 'stuck', gameId: id, detail: `playing at v${g.version}, no new version for ${((o.stoppedAt - last) / 1000).toFixed(1)} s before the bots stopped` });
    }
    if (o.probe && seated.length) {
      probed++;
      const why = await o.probe(id, seated[Math.floor(Math.random() * seated.length)], g.version);
      if (why) v.push({ kind: 'not-resumable', gameId: id, detail: `a resume with a player's token did not get it back: ${why}` });
    }
  }
  return { violations: v, games: { seen: ids.length, finished, unfinished: unfinished.length, probed }, acked };
}
