// Is the state in Redis well-formed? Every game snapshot is checked against the rules (a classic
// one exactly: board, status, turn, winner, line, reason, version, seats, the computer's seat; any
// other variant for its shape and the relations of its fields), its other fields (moves, rematch, presence,
// abandonment, invite expiry), and the indexes that point at games (players' unfinished games,
// invite codes, the deadlines of time rules, the queue, sessions) against the games.
import type { Redis } from 'ioredis';
import { count, isBoard, isFinished, outcome, seatsIn, turnOf, type Mark, type Status } from '../../shared/rules.js';
import { bucketOf } from '../../server/store/keys.js';
import { isClassic, isVariant, seatsOf } from '../../shared/variant.js';

const STATUSES = ['waiting', 'playing', 'won', 'draw', 'aborted'];
const REASONS = ['line', 'resign', 'timeout', 'abandoned'];
const SNAPSHOT_FIELDS = ['board', 'code', 'deadline', 'id', 'line', 'players', 'reason', 'status', 'turn', 'version', 'winner'];

type G = Record<string, any>;
const isPlayer = (p: unknown): boolean => {
  if (p === null || typeof p !== 'object') return false;
  const o = p as Record<string, unknown>;
  return typeof o.id === 'string' && o.id.length > 0 && typeof o.name === 'string' && o.name.length > 0
    && [...o.name].length <= 24 && !/[\p{Cc}\p{Cs}]/u.test(o.name);
};

/**
 * Problems with a snapshot of a variant other than the classic one (a fuzzed frame may name one):
 * its shape, and the relations between status, turn, winner, line and seats. Lighter than the
 * classic check below, which replays the rules exactly.
 */
function variantProblems(g: G, bad: (why: string) => void): void {
  const v = g.variant;
  if (!isVariant(v) || Object.keys(v).length !== 4) { bad(`variant ${JSON.stringify(v)}`); return; }
  const seats = seatsOf(v.players);
  const out: Mark[] = g.out ?? [];
  if (typeof g.board !== 'string' || g.board.length !== v.rows * v.cols || [...g.board].some((c) => c !== '.' && !seats.includes(c as Mark))) bad(`board ${g.board}`);
  if (JSON.stringify(Object.keys(g.players ?? {}).sort()) !== JSON.stringify([...seats].sort())) bad(`seats ${Object.keys(g.players ?? {})}`);
  if (!Array.isArray(out) || (g.out !== undefined && (v.players < 3 || !out.length)) || out.some((s) => !seats.includes(s))) bad(`out ${JSON.stringify(g.out)}`);
  if (!STATUSES.includes(g.status) || !Number.isInteger(g.version) || g.version < 1) bad(`status ${g.status} version ${g.version}`);
  const status = g.status as Status;
  if (status === 'playing' ? !seatsIn(v.players, out).includes(g.turn) : g.turn !== null) bad(`turn ${g.turn} while ${status}`);
  if ((status === 'won') !== (g.winner !== null) || (g.winner !== null && (!seats.includes(g.winner) || out.includes(g.winner)))) bad(`winner ${g.winner} while ${status}`);
  if (g.reason === 'line' ? !(Array.isArray(g.line) && g.line.length === v.k && g.line.every((c: number) => g.board[c] === g.winner)) : g.line !== null) bad(`line ${JSON.stringify(g.line)}`);
  if (isFinished(status) ? (status === 'won') !== (g.reason !== null) && status !== 'aborted' : g.reason !== null) bad(`reason ${g.reason} while ${status}`);
  for (const s of seats) {
    const pl = g.players?.[s];
    if (pl === null ? status !== 'waiting' && status !== 'aborted' : !isPlayer(pl)) bad(`seat ${s}`);
  }
}

/** Problems with one game snapshot (empty when it is a state the rules can reach). */
export function snapshotProblems(g: G, clockVersions = 0): string[] {
  const p: string[] = [];
  const bad = (why: string) => p.push(`${String(g?.id)}: ${why}`);
  if (g === null || typeof g !== 'object' || Array.isArray(g)) return ['snapshot is not an object'];
  if (g.variant !== undefined && !(isVariant(g.variant) && isClassic(g.variant))) { variantProblems(g, bad); return p; }
  for (const k of SNAPSHOT_FIELDS) if (!(k in g)) bad(`no field ${k}`);
  if (typeof g.id !== 'string' || !g.id) bad('id');
  if (!(g.code === null || (typeof g.code === 'string' && /^[A-Z0-9]{4,16}$/.test(g.code)))) bad(`code ${g.code}`);
  if (typeof g.board !== 'string' || !isBoard(g.board)) { bad(`board ${g.board}`); return p; }
  if (!STATUSES.includes(g.status)) { bad(`status ${g.status}`); return p; }
  if (!Number.isInteger(g.version) || g.version < 1) bad(`version ${g.version}`);
  const x = count(g.board, 'X');
  const o = count(g.board, 'O');
  if (x - o !== 0 && x - o !== 1) bad(`X ${x} O ${o}`);
  const out = outcome(g.board);
  const players = g.players ?? {};
  const px = players.X ?? null;
  const po = players.O ?? null;
  if (!isPlayer(px)) bad('seat X');
  if (po !== null && !isPlayer(po)) bad('seat O');
  // a game against the computer (or its rematch, seats swapped): the computer holds one seat, with no invite code
  for (const [seat, pl] of [['X', px], ['O', po]] as const) {
    if (pl?.computer && (pl.id !== `cpu:${g.id}:${seat}` || g.code !== null || pl.online !== true)) bad(`the computer's seat ${seat} ${JSON.stringify(pl)} (code ${g.code})`);
  }
  if (px?.computer && po?.computer) bad('the computer in both seats');
  if (g.variant !== undefined && Object.keys(g.variant).length !== 4) bad(`variant ${JSON.stringify(g.variant)}`);
  if (px && po && px.id === po.id) bad('one player in both seats');
  const status = g.status as Status;
  const over = isFinished(status);
  if (over || status === 'waiting') { if (g.turn !== null) bad(`turn ${g.turn} while ${status}`); } else if (g.turn !== turnOf(g.board)) bad(`turn ${g.turn} on ${g.board}`);
  if (status !== 'playing' && g.deadline !== null) bad(`deadline while ${status}`);
  if (g.deadline !== null && !Number.isInteger(g.deadline)) bad(`deadline ${g.deadline}`);
  if (!over && g.reason !== null) bad(`reason ${g.reason} while ${status}`);
  if (g.reason !== null && !REASONS.includes(g.reason)) bad(`reason ${g.reason}`);
  if ((status === 'won') !== (g.winner !== null)) bad(`winner ${g.winner} while ${status}`);
  if (g.winner !== null && g.winner !== 'X' && g.winner !== 'O') bad(`winner ${g.winner}`);
  const moves = x + o;
  const extra = status === 'aborted' || (status === 'won' && g.reason !== 'line') ? 1 : 0;
  const base = g.code === null ? 1 : 2; // a private game's join is a version too
  if (status === 'aborted' && g.reason !== null && g.reason !== 'abandoned') bad(`aborted with reason ${g.reason}`);
  if (status === 'won' && g.reason === null) bad('won without a reason');
  switch (status) {
    case 'waiting':
      if (moves || po !== null || g.version !== 1 || g.code === null) bad('waiting: not a fresh private game');
      break;
    case 'playing':
      if (po === null || out.status !== 'playing' || g.line !== null) bad(`playing: ${out.status}, O ${JSON.stringify(po)}`);
      break;
    case 'won':
      if (po === null) bad('won without O');
      if (g.reason === 'line') {
        if (out.status !== 'won' || out.winner !== g.winner || JSON.stringify(out.line) !== JSON.stringify(g.line)) bad(`line ${JSON.stringify(g.line)} on ${g.board}`);
        if (turnOf(g.board) === g.winner) bad('the winner did not make the last move');
      } else if (out.status !== 'playing' || g.line !== null) bad(`${g.reason} on a finished board ${g.board}`);
      break;
    case 'draw':
      if (out.status !== 'draw' || g.winner !== null || g.line !== null || g.reason !== null || po === null) bad(`draw on ${g.board}`);
      break;
    case 'aborted': // a waiting game cancelled, or a playing one both players abandoned
      if (g.winner !== null || g.line !== null || out.status !== 'playing' || (po === null && moves)) bad(`aborted on ${g.board}`);
      break;
  }
  // clockVersions: turn clocks moved later by a store outage (game field xv), a version each
  const expected = (status === 'waiting' ? 1 : status === 'aborted' && po === null ? 2 : base + moves + extra) + clockVersions;
  if (g.version !== expected) bad(`version ${g.version}, expected ${expected} (${status}, ${moves} moves, code ${g.code})`);
  return p;
}

// One atomic read of every key under the prefix (a script runs alone), so that gateways still
// applying time rules cannot make the audit see half of a change.
const DUMP = `
local out = {}
for _, k in ipairs(redis.call('KEYS', ARGV[1] .. ':*')) do
  local t = redis.call('TYPE', k).ok
  local v
  if t == 'hash' then v = redis.call('HGETALL', k)
  elseif t == 'set' then v = redis.call('SMEMBERS', k)
  elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')
  elseif t == 'string' then v = redis.call('GET', k)
  else v = t end
  out[#out + 1] = {k, t, v}
end
return cjson.encode(out)`;

type Dump = Map<string, string | string[]>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []); // cjson writes an empty list as {}

/** Every game and index in Redis under `prefix`: how many games, and every problem found. */
export async function auditRedis(r: Redis, prefix = 'trine'): Promise<{ games: number; outcomes: Record<string, number>; problems: string[] }> {
  const parsed = JSON.parse(String(await r.eval(DUMP, 0, prefix))) as unknown;
  const raw = (Array.isArray(parsed) ? parsed : []) as [string, string, unknown][];
  const dump: Dump = new Map(raw.map(([k, t, v]) => [k, t === 'string' ? String(v) : list(v)]));
  // a key of one kind, right under the prefix (an idem key may end in anything, ':game:' included)
  const keys = (re: RegExp) => [...dump.keys()].filter((k) => k.startsWith(`${prefix}:`) && re.test(k.slice(prefix.length)));
  const hash = (k: string) => Object.fromEntries(chunk(list(dump.get(k))));
  const problems: string[] = [];
  const games = new Map<string, G>();
  const rules = new Map<string, number | null>();
  for (const key of keys(/^:game:/)) {
    const m = /^.*:game:\{t:(\d+)\}:([^:]+)$/.exec(key);
    if (!m || bucketOf(m[2]) !== Number(m[1])) { problems.push(`stray key ${key}`); continue; }
    m.splice(1, 1); // m[1]: the game id
    const h = hash(key);
    let g: G;
    try { g = JSON.parse(h.s); } catch { problems.push(`${key}: snapshot is not JSON`); continue; }
    if (g.id !== m[1]) problems.push(`${key}: holds game ${g.id}`);
    problems.push(...snapshotProblems(g, Number(h.xv ?? 0)));
    games.set(m[1], g);
    for (const [f, v] of Object.entries(h)) {
      const bad = (why = '') => problems.push(`${key}: ${f}=${v.slice(0, 80)} while ${g.status} ${why}`);
      if (f === 's') continue;
      if (/^m:/.test(f)) { if (!(Number(v) >= 2 && Number(v) <= g.version)) bad(); }
      else if (/^r[XOYZ]$/.test(f)) { if (v !== '1' || !isFinished(g.status)) bad(); }
      else if (f === 'next') { if (!isFinished(g.status)) bad(); }
      else if (/^o[XOYZ]$/.test(f)) { if (v !== '0' && v !== '1') bad(); } // presence of a seat
      else if (/^q[XOYZ]$/.test(f)) { if (!/^\d+$/.test(v)) bad('(presence sequence)'); }
      else if (/^i:/.test(f)) { if (!isJson(v)) bad('(idem record)'); }
      else if (/^a[XOYZ]$/.test(f)) { if (!/^\d+$/.test(v) || isFinished(g.status) || h[`o${f[1]}`] !== '0') bad('(abandonment)'); }
      else if (f === 'ix') { if (!/^\d+$/.test(v) || g.status !== 'waiting') bad('(invite expiry)'); }
      else if (f === 'il') { if (!/^\d+$/.test(v) || isFinished(g.status)) bad('(idle lifetime)'); }
      else if (f === 'c') { if (!/^\d+$/.test(v) || g.status !== 'playing' || !g.players?.[g.turn]?.computer) bad('(the computer\'s turn)'); }
      else if (f === 'xo' || f === 'xv') { if (!/^\d+$/.test(v)) bad('(outage applied)'); }
      else if (f === 'pv') { if (!/^[1-9]\d*$/.test(v)) bad(); }
      else if (f === 'p') { if (!v.startsWith(`${h.pv} `) || !isJson(v.slice(v.indexOf(' ') + 1))) bad('(presence frame)'); }
      else bad('(unknown field)');
    }
    rules.set(m[1], nextRuleAt(g, h));
  }
  /** The seats a game's people hold and still play in (not the computer's, not out). */
  const heldSeats = (g: G): Mark[] => seatsOf(g.variant?.players ?? 2).filter((s) => g.players?.[s] && !g.players[s].computer && !(g.out ?? []).includes(s));
  // a games index may hold stale entries (G2, docs/REDIS.md: a reservation whose game was never
  // made, a release cut short), harmless; what it must hold is every unfinished seat (G1, below)
  for (const key of keys(/^:player:\{p:[^}]*\}:games$/)) {
    for (const [id, score] of chunk(list(dump.get(key)))) if (!id || !/^\d+$/.test(score)) problems.push(`${key}: entry ${id} ${score}`);
  }
  const indexOf = (pid: string) => chunk(list(dump.get(`${prefix}:player:{p:${pid}}:games`))).map(([id]) => id);
  for (const [id, g] of games) {
    if (isFinished(g.status)) continue;
    for (const s of heldSeats(g)) {
      if (!indexOf(g.players[s].id).includes(id)) problems.push(`${id}: not in ${s}'s unfinished games (G1)`);
    }
    const codeKey = g.code ? `${prefix}:code:{t:${bucketOf(g.code)}}:${g.code}` : '';
    if (g.status === 'waiting' && dump.get(codeKey) !== id) problems.push(`${id}: waiting without its invite code`);
  }
  for (const key of keys(/^:code:/)) {
    const m = /:code:\{t:(\d+)\}:([^:]+)$/.exec(key);
    const id = String(dump.get(key));
    const g = games.get(id);
    // a code names its unfinished game (a started one: GAME_FULL); one of a create or an end cut
    // short names a missing or finished game until it expires (join: NOT_FOUND)
    if (!m || bucketOf(m[2]) !== Number(m[1]) || (g && g.code !== m[2])) problems.push(`${key}: names ${id} (${g?.status})`);
  }
  // one entry per unfinished game with a time rule, at its earliest rule, in its bucket's deadlines
  const scheduled = new Map<string, string>();
  for (const key of keys(/^:deadlines:\{t:\d+\}$/)) {
    const b = Number(/\{t:(\d+)\}/.exec(key)![1]);
    for (const [id, score] of chunk(list(dump.get(key)))) {
      if (bucketOf(id) !== b) problems.push(`${key}: ${id} of another bucket`);
      scheduled.set(id, score);
    }
  }
  for (const [id, score] of scheduled) {
    const g = games.get(id);
    if (!g || isFinished(g.status)) problems.push(`deadline for ${id} (${g?.status ?? 'missing'})`);
    else if (rules.get(id) !== Number(score)) problems.push(`deadline of ${id}: ${score}, its earliest rule ${rules.get(id)}`);
  }
  for (const [id, at] of rules) if (at !== null && !scheduled.has(id)) problems.push(`${id}: a time rule at ${at} never scheduled`);
  // each queue (the classic one is 3x3k3p2): each player named, and its ticket names the queue (so that leaving finds it)
  for (const key of keys(/^:queue:\{q:\d+x\d+k\d+p\d+\}$/)) {
    const name = /\{q:([^}]+)\}$/.exec(key)![1];
    const vnames = hash(`${key}:names`);
    for (const [pid] of chunk(list(dump.get(key)))) {
      if (!(pid in vnames)) problems.push(`queued ${pid} for ${name} without a name`);
      if (dump.get(`${prefix}:player:{p:${pid}}:queue`) !== name) problems.push(`queued ${pid} for ${name}, its record says ${dump.get(`${prefix}:player:{p:${pid}}:queue`)}`);
    }
  }
  for (const key of keys(/^:player:\{p:[^}]+\}:session:/)) {
    if (!/:session:[0-9a-f]{64}$/.test(key)) problems.push(`session key ${key}`);
    const s = hash(key);
    if (!s.pid || !isPlayer({ id: s.pid, name: s.name })) problems.push(`${key}: ${JSON.stringify(s)}`);
  }
  const outcomes: Record<string, number> = {};
  for (const g of games.values()) { const k = g.reason ? `${g.status}/${g.reason}` : g.status; outcomes[k] = (outcomes[k] ?? 0) + 1; }
  return { games: games.size, outcomes, problems };
}

const isJson = (t: string) => { try { JSON.parse(t); return true; } catch { return false; } };

/** When a game's next time rule falls due: turn clock, abandonment of a seat, invite expiry, idle lifetime, the computer's turn (as store/lua/includes/core.lua, earliest_rule). */
function nextRuleAt(g: G, h: Record<string, string>): number | null {
  if (isFinished(g.status)) return null;
  const times = [g.status === 'playing' ? g.deadline : null, h.aX, h.aO, h.aY, h.aZ, g.status === 'waiting' ? h.ix : null, h.il, g.status === 'playing' ? h.c : null]
    .filter((t) => t !== null && t !== undefined).map(Number);
  return times.length ? Math.min(...times) : null;
}

function chunk(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}
