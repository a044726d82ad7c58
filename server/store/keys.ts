// Every Redis key and channel name Trine uses, built in this one place (no Lua script builds one:
// every key a script touches is passed in KEYS, every channel in ARGV). One layout for every
// REDIS_MODE, ready for Redis Cluster: each key carries the hash tag of its slot, and each script
// call touches one slot only (docs/REDIS.md lists every key, its tag and the scripts on it).
//   {t:B}     bucket B (0..255) of games: its games, invite codes, time rules, sweep clock, outages, outbox
//   {p:ID}    one player: sessions, connections, games index, queue ticket, presence sequence, idem records
//   {q:V}     the quick-match queue of variant V (its name RxCkKpN), its names and pending matches
//   {i:ID}    the players index of one gateway instance
//   {r}       the registry: live gateway instances, the registry's clock, the queues in use

import { createHash } from 'node:crypto';

/** The classic game's queue name (its variant's name, as every queue is named). */
export const CLASSIC_QUEUE = '3x3k3p2';

/** Buckets of games: 256 spread evenly enough over 16,384 slots for up to ~50 shards. */
export const BUCKETS = 256;

/** FNV-1a, 32 bits, of a string's UTF-16 code units (ids and codes are ASCII). */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The bucket of a game id or an invite code. */
export function bucketOf(id: string): number { return fnv1a32(id) % BUCKETS; }

export class Keys {
  constructor(readonly prefix = 'trine') {}

  private t(id: string): string { return `{t:${bucketOf(id)}}`; }
  private p(pid: string): string { return `${this.prefix}:player:{p:${pid}}`; }

  /**
   * Hash: `s` the game's snapshot JSON; `rX`..`rZ` rematch asks; `next` the rematch game; `m:PID:MID` -> version of an applied
   * move; `i:PID:IDEM` the reply of an applied join/resign/rematch; presence: `oX`..`oZ` '1'|'0' whether the seat's player is
   * online, `qX`..`qZ` the player's presence sequence last applied to the seat, `p` `SEQ FRAME` the newest presence message,
   * `pv` its SEQ; time rules: `aX`..`aZ` epoch ms at which the seat forfeits as abandoned, `ix` epoch ms the invite expires,
   * `il` epoch ms the game ends as idle, `c` epoch ms at which the computer's turn is due (claimed: pushed one lease ahead);
   * `xo` end of the newest outage of its bucket its clocks were moved for, `xv` versions so made.
   */
  game(gameId: string): string { return `${this.prefix}:game:${this.t(gameId)}:${gameId}`; }
  /** String (expires with the idle lifetime): invite code -> game id. In the code's bucket, which is its game's. */
  code(code: string): string { return `${this.prefix}:code:${this.t(code)}:${code}`; }
  /** Sorted set: each unfinished game of bucket B, scored by the epoch ms of its earliest time rule, or of a sweeper's claim. */
  deadlines(bucket: number): string { return `${this.prefix}:deadlines:{t:${bucket}}`; }
  /** Hash: the sweep clock of bucket B (lua/claim-3.lua): `alive` newest sweep, `up` end of its last outage, `gap`, `grace`. */
  sweepClock(bucket: number): string { return `${this.prefix}:sweep:{t:${bucket}}`; }
  /** Sorted set: outages of bucket B (nobody swept it for longer than the gap), member `START-END` scored by END. */
  outages(bucket: number): string { return `${this.prefix}:outages:{t:${bucket}}`; }
  /**
   * Sorted set (REDIS_MODE=sentinel): what a change of bucket B is still to publish once it is on a
   * replica, scored by the Redis time (ms) it was written at: `S GAMEID VERSION` (a state) or
   * `N CHANNEL PAYLOAD` (a notice). Declared as the last key of every game script.
   */
  outbox(bucket: number): string { return `${this.prefix}:outbox:{t:${bucket}}`; }
  /** The deadlines, sweep clock, outages and outbox of the bucket of a game. */
  bucketOfGame(gameId: string): number { return bucketOf(gameId); }

  /** Hash: a session, under the SHA-256 of its token (`PID.SECRET`): `pid`, `name`. */
  session(playerId: string, tokenHash: string): string { return `${this.p(playerId)}:session:${tokenHash}`; }
  /**
   * Sorted set: the games index, ids of the games in which the player holds (or reserved) a seat,
   * scored by the epoch ms from which a reader may judge the entry (release it when its game is
   * finished or missing): the reservation time, later for a rematch's (see store/seats.ts).
   */
  playerGames(playerId: string): string { return `${this.p(playerId)}:games`; }
  /** Set: the player's live connections, each `INSTANCE|CONN`. */
  playerConns(playerId: string): string { return `${this.p(playerId)}:conns`; }
  /** String: the player's presence sequence, bumped each time it goes online or offline. */
  presenceSeq(playerId: string): string { return `${this.p(playerId)}:pseq`; }
  /** String: the queue ticket, the name of the variant whose quick-match queue the player waits in. */
  playerQueue(playerId: string): string { return `${this.p(playerId)}:queue`; }
  /** String with a TTL: the quick-match place `VARIANT@SCORE NAME` of a player whose gateway was reaped while it waited. */
  heldQueuePlace(playerId: string): string { return `${this.p(playerId)}:held`; }
  /**
   * String, TTL 10 min: the answer a player's create/queue/unqueue/join got (JSON of the reply), or
   * `["P", ...]` while a create is under way (its game id and code); a resend is answered from it.
   */
  playerIdem(playerId: string, idem: string): string { return `${this.p(playerId)}:idem:${idem}`; }

  /** Sorted set: the quick-match queue of a variant (its name RxCkKpN, classic 3x3k3p2), player id scored by Redis ms. */
  queue(variantName = CLASSIC_QUEUE): string { return `${this.prefix}:queue:{q:${variantName}}`; }
  /** Hash: player id -> display name, for players in that queue. */
  queueNames(variantName = CLASSIC_QUEUE): string { return `${this.prefix}:queue:{q:${variantName}}:names`; }
  /** Hash: pending matches of that queue, game id -> `{"at":MS,"v":VARIANT,"players":[...]}` (S3, store/matching.ts). */
  queuePending(variantName = CLASSIC_QUEUE): string { return `${this.prefix}:queue:{q:${variantName}}:pending`; }

  /** Set: players with a connection on gateway instance ID (what a reaper reads once it dies). */
  instancePlayers(instanceId: string): string { return `${this.prefix}:instance:{i:${instanceId}}:players`; }
  /** Hash: the registry, instance id -> `EXPIRES DESCRIPTION` (Redis ms at which it lapses, its public JSON). */
  instances(): string { return `${this.prefix}:instances:{r}`; }
  /** Hash: the registry's clock (lua/heartbeat-2.lua): `alive`, `up`, `gap`, `grace`, as a bucket's sweep clock. */
  registryClock(): string { return `${this.prefix}:registry:{r}`; }
  /** Set: names of the variants whose queue may hold pending matches (read by the reconciler of S3). */
  queuesInUse(): string { return `${this.prefix}:queues:{r}`; }
  /** String: the durability fence of one gateway instance (written, then WAITed for; see durability.ts). */
  fence(instanceId: string): string { return `${this.prefix}:fence:{i:${instanceId}}`; }

  /** Channel: every change of a game (`VERSION FRAME`), its presence (`P SEQ FRAME`) and rematch notice (`R FROM TO`). */
  gameChannel(gameId: string): string { return `${this.prefix}:ch:game:${this.t(gameId)}:${gameId}`; }
  /** Channel: notices for a player: `G ID` seated in a game, `M ID` matched, `R FROM TO` rematch started. */
  playerChannel(playerId: string): string { return `${this.prefix}:ch:player:{p:${playerId}}`; }

  /** The kind and id of a channel this module named, or null. */
  parseChannel(channel: string): { kind: 'game' | 'player'; id: string } | null {
    const m = /^(.*):ch:(?:game:\{t:\d+\}:([^:{}]+)|player:\{p:([^}]+)\})$/.exec(channel);
    if (!m || m[1] !== this.prefix) return null;
    return m[2] !== undefined ? { kind: 'game', id: m[2] } : { kind: 'player', id: m[3] };
  }
}

/** The player id a token `PID.SECRET` names, or null (an old-form token: unknown, a new guest). */
export function playerOfToken(token: string): string | null {
  const dot = token.indexOf('.');
  const pid = dot > 0 ? token.slice(0, dot) : '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(pid) ? pid : null;
}

const ID_ALPHABET = '0123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A game id of 12 characters derived from `seed`, in bucket `bucket` (drawn with a counter until it
 * falls there: 256 tries expected, microseconds): a rematch's id (seed: the old id) in the old game's
 * bucket, so that the rematch script reaches both games in one slot.
 */
export function gameIdInBucket(seed: string, bucket: number): string {
  for (let n = 0; ; n++) {
    const h = createHash('sha256').update(`${seed}#${n}`).digest();
    let id = '';
    for (let i = 0; i < 12; i++) id += ID_ALPHABET[h[i] % ID_ALPHABET.length];
    if (bucketOf(id) === bucket) return id;
  }
}

/** The id of the rematch of game `gameId`: the same for every player who asks, in the same bucket. */
export function rematchId(gameId: string): string { return gameIdInBucket(`${gameId}:rematch`, bucketOf(gameId)); }
