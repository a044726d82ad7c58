// Loads the Lua scripts of ./lua once (each file named NAME-KEYCOUNT.lua, as BullMQ's commands: the
// number is how many of its arguments are KEYS), inlining `-- @include NAME` lines from ./lua/includes
// (nested: core includes variant, game core, queue game, presence queue), and
// writing the key templates of keys.ts into them (`T` in includes/core.lua) and the game idle
// lifetime (`GAME_IDLE_MS`, a rule of every unfinished game), and registers each on an ioredis
// client as a command called by SHA (EVALSHA, with EVAL on NOSCRIPT).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

/** The command scripts; each is the one file lua/NAME-KEYCOUNT.lua. */
export const SCRIPT_NAMES = ['hello', 'disconnect', 'attach', 'reap', 'create', 'join', 'queue', 'unqueue',
  'move', 'resign', 'rematch', 'expire', 'heartbeat', 'claim'] as const;
export type ScriptName = typeof SCRIPT_NAMES[number];

/** The file of each script and its key count, from the names of the files in ./lua. */
export function scriptFiles(dir = LUA_DIR): Map<string, { file: string; numberOfKeys: number }> {
  const found = new Map<string, { file: string; numberOfKeys: number }>();
  for (const file of readdirSync(dir)) {
    const m = /^([a-z]+)-(\d+)\.lua$/.exec(file);
    if (!m) continue;
    if (found.has(m[1])) throw new Error(`two files for script ${m[1]} in ${dir}`);
    found.set(m[1], { file, numberOfKeys: Number(m[2]) });
  }
  return found;
}

function fileOf(name: string): { file: string; numberOfKeys: number } {
  const f = scriptFiles().get(name);
  if (!f) throw new Error(`no script ${name}-N.lua in ${LUA_DIR}`);
  return f;
}

/**
 * The name templates the scripts use for keys and channels they reach by id (a game's players, a
 * new game), as a Lua table literal. Built from keys.ts, the one place names are spelled.
 */
export function keyTemplates(k: Keys): string {
  const t: Record<string, string> = {
    games: k.playerGamesTemplate, conns: k.playerConnsTemplate, pch: k.playerChannelTemplate,
    game: k.gameTemplate, gch: k.gameChannelTemplate, inst: k.instanceTemplate, code: k.code('%s'),
    idem: k.playerIdemTemplate, outbox: k.outbox(), held: k.heldQueuePlace('%s'), clock: k.storeClock(),
    vqueue: k.variantQueue('%s'), vnames: k.variantQueueNames('%s'), pqueue: k.playerQueue('%s'),
  };
  // a JSON string of these ASCII names is also a valid Lua string literal
  return `{${Object.entries(t).map(([name, v]) => `${name} = ${JSON.stringify(v)}`).join(', ')}}`;
}

/**
 * How changes reach watchers: `publish`, each script PUBLISHes its states and notices itself
 * (REDIS_MODE=single: Redis sends nothing before the AOF fsync); `outbox`, each script records
 * them in the outbox and returns `{PUBLICATIONS, REPLY}`, PUBLICATIONS a flat list of
 * `ENTRY, CHANNEL, PAYLOAD` the gateway publishes once the change is on a replica.
 */
export type Delivery = 'publish' | 'outbox';

/** Default idle lifetime of an unfinished game (the GAME_IDLE_TTL_S default of server/config.ts), in ms. */
export const DEFAULT_GAME_IDLE_MS = 86_400_000;

/** What is written into the scripts at load time besides the key templates. */
export interface ScriptOptions { gameIdleMs?: number; delivery?: Delivery }

/**
 * Inlines every `-- @include NAME` line of `text` with lua/includes/NAME.lua, whose own include
 * lines are inlined the same way first; each include once per script, where it is first named (its
 * `local`s are then defined before whatever includes it uses them).
 */
export function inlineIncludes(text: string, seen = new Set<string>()): string {
  return text.replace(/^-- @include (\w+)\s*$/gm, (_, inc: string) => {
    if (seen.has(inc)) return '';
    seen.add(inc);
    return inlineIncludes(readFileSync(join(LUA_DIR, 'includes', `${inc}.lua`), 'utf8'), seen);
  });
}

export function loadScript(name: string, keys: Keys, o: ScriptOptions = {}): string {
  const delivery = o.delivery ?? 'publish';
  const text = inlineIncludes(readFileSync(join(LUA_DIR, fileOf(name).file), 'utf8'))
    .replace('__KEY_TEMPLATES__', keyTemplates(keys))
    .replace('__GAME_IDLE_MS__', String(Math.trunc(o.gameIdleMs ?? DEFAULT_GAME_IDLE_MS)))
    .replace('__OUTBOX__', delivery === 'outbox' ? 'true' : 'false');
  // the body runs as a function so that what it recorded for publishing (PUBS, see includes/core.lua)
  // can be returned beside its reply, whichever `return` it ended with
  return `local PUBS = {}\nlocal function main()\n${text}\nend\n${delivery === 'outbox' ? 'return {PUBS, main()}' : 'return main()'}\n`;
}

type Arg = string | number;
export type ScriptCall = (keys: Arg[], args: Arg[]) => Promise<unknown>;

/**
 * Registers every script, for the key layout `keys`, on the client; returns one caller per script,
 * resolving with the script's reply. With `outbox` delivery, what a call recorded for watchers goes
 * to `publish` (before the caller gets the reply), whichever caller made it: no script's changes
 * can be left out of delivery by a caller that forgot them.
 */
export function registerScripts(redis: Redis, keys: Keys, o: ScriptOptions = {},
  publish: (pubs: string[]) => void = () => {}): Record<ScriptName, ScriptCall> {
  const delivery = o.delivery ?? 'publish';
  const calls = {} as Record<ScriptName, ScriptCall>;
  const files = scriptFiles();
  for (const name of SCRIPT_NAMES) {
    const numberOfKeys = files.get(name)?.numberOfKeys;
    if (numberOfKeys === undefined) throw new Error(`no script ${name}-N.lua in ${LUA_DIR}`);
    const lua = loadScript(name, keys, o);
    // a name of our own (a script called `hello` would shadow ioredis' own HELLO), per key prefix and
    // script text (two stores of different prefixes, idle lifetimes or deliveries may share one client)
    const sha = createHash('sha1').update(lua).digest('hex').slice(0, 8);
    const command = `trine_${keys.prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${name}_${sha}`;
    redis.defineCommand(command, { numberOfKeys, lua });
    const fn = (redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[command].bind(redis);
    calls[name] = (keys, args) => {
      if (keys.length !== numberOfKeys) throw new Error(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      if (delivery === 'publish') return fn(...keys, ...args);
      return fn(...keys, ...args).then((r) => {
        const [pubs, reply] = r as [string[], unknown];
        if (pubs.length) publish(pubs);
        return reply;
      });
    };
  }
  return calls;
}
