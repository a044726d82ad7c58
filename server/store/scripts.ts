// Loads the Lua scripts of ./lua once, inlining `-- @include NAME` lines from ./lua/includes and
// writing the key templates of keys.ts into them (`T` in includes/game.lua) and the game idle
// lifetime (`GAME_IDLE_MS`, a rule of every unfinished game), and registers each on an ioredis
// client as a command called by SHA (EVALSHA, with EVAL on NOSCRIPT).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

/** Each script and how many of its arguments are KEYS. */
export const SCRIPT_KEYS = {
  hello: 6,
  disconnect: 5,
  attach: 4,
  reap: 6,
  create: 6,
  join: 6,
  queue: 4,
  unqueue: 2,
  move: 2,
  resign: 2,
  rematch: 5,
  expire: 3,
  heartbeat: 4,
  claim: 1,
} as const;
export type ScriptName = keyof typeof SCRIPT_KEYS;

/**
 * The name templates the scripts use for keys and channels they reach by id (a game's players, a
 * new game), as a Lua table literal. Built from keys.ts, the one place names are spelled.
 */
export function keyTemplates(k: Keys): string {
  const t: Record<string, string> = {
    games: k.playerGamesTemplate, conns: k.playerConnsTemplate, pch: k.playerChannelTemplate,
    game: k.gameTemplate, gch: k.gameChannelTemplate, inst: k.instanceTemplate, code: k.code('%s'),
    held: k.heldQueuePlace('%s'), clock: k.storeClock(),
  };
  // a JSON string of these ASCII names is also a valid Lua string literal
  return `{${Object.entries(t).map(([name, v]) => `${name} = ${JSON.stringify(v)}`).join(', ')}}`;
}

/** Default idle lifetime of an unfinished game (the GAME_IDLE_TTL_S default of server/config.ts), in ms. */
export const DEFAULT_GAME_IDLE_MS = 86_400_000;

export function loadScript(name: string, keys: Keys, gameIdleMs = DEFAULT_GAME_IDLE_MS): string {
  const text = readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8')
    .replace(/^-- @include (\w+)\s*$/m, (_, inc: string) => readFileSync(join(LUA_DIR, 'includes', `${inc}.lua`), 'utf8'));
  return text.replace('__KEY_TEMPLATES__', keyTemplates(keys)).replace('__GAME_IDLE_MS__', String(Math.trunc(gameIdleMs)));
}

type Arg = string | number;
export type ScriptCall = (keys: Arg[], args: Arg[]) => Promise<unknown>;

/** Registers every script, for the key layout `keys`, on the client; returns one caller per script. */
export function registerScripts(redis: Redis, keys: Keys, gameIdleMs = DEFAULT_GAME_IDLE_MS): Record<ScriptName, ScriptCall> {
  const calls = {} as Record<ScriptName, ScriptCall>;
  for (const [name, numberOfKeys] of Object.entries(SCRIPT_KEYS) as [ScriptName, number][]) {
    const lua = loadScript(name, keys, gameIdleMs);
    // a name of our own (a script called `hello` would shadow ioredis' own HELLO), per key prefix and
    // script text (two stores of different prefixes or idle lifetimes may share one client)
    const sha = createHash('sha1').update(lua).digest('hex').slice(0, 8);
    const command = `trine_${keys.prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${name}_${sha}`;
    redis.defineCommand(command, { numberOfKeys, lua });
    const fn = (redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[command].bind(redis);
    calls[name] = (keys, args) => {
      if (keys.length !== numberOfKeys) throw new Error(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      return fn(...keys, ...args);
    };
  }
  return calls;
}
