// Every Redis key and channel name Trine uses, built in this one place.
// Game keys carry the hash tag {g:ID} and player keys {p:ID}, so that a game's own keys stay in one
// slot when the layout is sharded. Scripts that touch a game's players build the player key names
// from the templates below, the one place they are spelled: scripts.ts writes them into the Lua
// source when it loads the scripts (the table `T` of lua/includes/core.lua), not into ARGV.

export class Keys {
  constructor(readonly prefix = 'trine') {}

  /**
   * Hash: `s` the game's snapshot JSON; `rX`..`rZ` rematch asks; `next` the rematch game; `m:PID:MID` -> version of an applied
   * move; presence: `oX`..`oZ` '1'|'0' whether the seat's player is online, `p` `SEQ FRAME` the newest presence message,
   * `pv` its SEQ; time rules: `aX`..`aZ` epoch ms at which the seat forfeits as abandoned, `ix` epoch ms the invite expires,
   * `il` epoch ms the game ends as idle, `c` epoch ms at which the computer's turn is due (claimed: pushed one lease ahead);
   * `xo` end of the newest store outage its clocks were moved for, `xv` versions so made.
   */
  game(gameId: string): string { return `${this.prefix}:game:{g:${gameId}}`; }
  /** String: invite code -> game id, while the private game waits for its second player. */
  code(code: string): string { return `${this.prefix}:code:${code}`; }
  /** Hash: session of a token, stored under the SHA-256 of the token: `pid`, `name`. */
  session(tokenHash: string): string { return `${this.prefix}:session:${tokenHash}`; }
  /** Set: ids of the unfinished games (waiting or playing) in which the player holds a seat. */
  playerGames(playerId: string): string { return `${this.prefix}:player:{p:${playerId}}:games`; }
  /** Set: the player's live connections, each `INSTANCE|CONN`; an entry counts while its instance key lives. */
  playerConns(playerId: string): string { return `${this.prefix}:player:{p:${playerId}}:conns`; }
  /** Sorted set: quick-match queue, player id scored by the Redis time (ms) it queued at. */
  queue(): string { return `${this.prefix}:queue`; }
  /** Hash: player id -> display name, for players in the queue. */
  queueNames(): string { return `${this.prefix}:queue:names`; }
  /** Sorted set: the quick-match queue of one variant (its name RxCkKpN, e.g. 15x15k5p2), as queue() is the classic game's. */
  variantQueue(variantName: string): string { return `${this.prefix}:queue:${variantName}`; }
  /** Hash: player id -> display name, for players in a variant's queue. */
  variantQueueNames(variantName: string): string { return `${this.prefix}:queue:${variantName}:names`; }
  /** String: the name of the variant whose queue the player waits in (absent when it waits in none, or in the classic one). */
  playerQueue(playerId: string): string { return `${this.prefix}:player:{p:${playerId}}:queue`; }
  /** String with a short TTL: a running gateway process (instance), value its public description JSON. */
  instance(instanceId: string): string { return `${this.prefix}:instance:${instanceId}`; }
  /** Set: ids of the players with a connection on that instance (what a reaper reads once it dies). */
  instancePlayers(instanceId: string): string { return `${this.prefix}:instance:${instanceId}:players`; }
  /** Set: instance ids that registered; a dead one leaves it once reaped (see lua/reap-6.lua). */
  instances(): string { return `${this.prefix}:instances`; }
  /**
   * Sorted set: each unfinished game, scored by the epoch ms of its earliest time rule (turn clock,
   * a seat's abandonment, invite expiry, idle lifetime; see lua/expire-3.lua), or of the end of a
   * sweeping gateway's claim on it (lua/claim-1.lua).
   */
  deadlines(): string { return `${this.prefix}:deadlines`; }
  /**
   * String, TTL 10 min: the answer a player's state change with idempotency key `idem` got when it
   * was applied (JSON of the script's reply); a resend with the same idem is answered from it.
   */
  playerIdem(playerId: string, idem: string): string { return `${this.prefix}:player:{p:${playerId}}:idem:${idem}`; }
  /**
   * Sorted set (REDIS_MODE=sentinel only): what a change is still to publish once it is on a
   * replica, scored by the Redis time (ms) it was written at: `S GAMEID VERSION` (a state) or
   * `N CHANNEL PAYLOAD` (a notice). The gateway that made the change removes its entries after
   * publishing them; any gateway republishes entries older than a second (lua/includes/core.lua).
   */
  outbox(): string { return `${this.prefix}:outbox`; }
  /** String: the durability fence of one gateway instance (written, then WAITed for; see durability.ts). */
  fence(instanceId: string): string { return `${this.prefix}:fence:${instanceId}`; }

  /**
   * String with a TTL: the quick-match place (`SCORE NAME`, `VARIANT@SCORE NAME` in a variant's queue) of a player whose gateway was reaped
   * while it waited; `attach` puts it back if that gateway was only cut off (see lua/reap-6.lua).
   */
  heldQueuePlace(playerId: string): string { return `${this.prefix}:player:{p:${playerId}}:held`; }
  /**
   * Hash: the store's own record of its availability, written by every heartbeat (lua/heartbeat-4.lua):
   * `alive` Redis ms of the newest heartbeat of any gateway, `up` when the store came back from its
   * last outage, `gap` a silence of every gateway longer than this (ms) is an outage, `grace` how
   * long after an outage lapsed registrations are not judged (ms).
   */
  storeClock(): string { return `${this.prefix}:store`; }
  /** Sorted set: recorded store outages, member `START-END` (Redis ms) scored by END; clocks stop during them. */
  outages(): string { return `${this.prefix}:outages`; }

  /** Channel: every change of a game (`VERSION FRAME`), its presence (`P SEQ FRAME`) and rematch notice (`R FROM TO`); see channels.ts. */
  gameChannel(gameId: string): string { return `${this.prefix}:ch:game:{g:${gameId}}`; }
  /** Channel: notices for a player: `G ID` seated in a game, `M ID` matched, `R FROM TO` rematch started; see channels.ts. */
  playerChannel(playerId: string): string { return `${this.prefix}:ch:player:{p:${playerId}}`; }

  /** The kind and id of a channel this module named, or null. */
  parseChannel(channel: string): { kind: 'game' | 'player'; id: string } | null {
    const m = /^(.*):ch:(game|player):\{[gp]:([^}]+)\}$/.exec(channel);
    if (!m || m[1] !== this.prefix) return null;
    return { kind: m[2] as 'game' | 'player', id: m[3] };
  }

  /** Templates with `%s` for the player id, for scripts that reach both players of a game. */
  get playerGamesTemplate(): string { return this.playerGames('%s'); }
  get playerConnsTemplate(): string { return this.playerConns('%s'); }
  get playerChannelTemplate(): string { return this.playerChannel('%s'); }
  get gameTemplate(): string { return this.game('%s'); }
  get gameChannelTemplate(): string { return this.gameChannel('%s'); }
  get instanceTemplate(): string { return this.instance('%s'); }
  /** `%s` for the player id; the idem is appended (by concatenation: an idem may hold any character). */
  get playerIdemTemplate(): string { return this.playerIdem('%s', ''); }
}
