// Loads the Lua scripts of ./lua once (each file named NAME-KEYCOUNT.lua, as BullMQ's commands: the
// number is how many of its arguments are KEYS), inlining `-- @include NAME` lines from ./lua/includes
// (nested: core includes variant and clock, game core, presence game, player alone), writing in the game idle
// lifetime (`GAME_IDLE_MS`, a rule of every unfinished game) and the delivery, and registers each on
// an ioredis client (a Redis or a Cluster) as a command called by SHA (EVALSHA, with EVAL on NOSCRIPT).
// No key or channel name is written into a script: every call passes its keys, all of ONE slot
// (checked on every call when TRINE_CHECK_SLOTS=1, as the tests run).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import type { Keys } from './keys.js';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

/** The command scripts; each is the one file lua/NAME-KEYCOUNT.lua. */
export const SCRIPT_NAMES = [
  // a game's bucket {t:B}
  'create', 'join', 'move', 'resign', 'rematch', 'seat', 'presence', 'expire', 'claim',
  // a player {p:ID}
  'hello', 'connect', 'disconnect', 'drop', 'reserve', 'games', 'matched',
  // a queue {q:V}
  'queue', 'unqueue', 'requeue', 'pending',
  // the registry {r}
  'heartbeat', 'registry',
] as const;
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
 * How changes reach watchers: `publish`, each script PUBLISHes its states and notices itself
 * (REDIS_MODE=single: Redis sends nothing before the AOF fsync); `outbox`, each script records
 * them in the outbox and returns `{PUBLICATIONS, REPLY}`, PUBLICATIONS a flat list of
 * `ENTRY, CHANNEL, PAYLOAD` the gateway publishes once the change is on a replica.
 */
export type Delivery = 'publish' | 'outbox';

/** Default idle lifetime of an unfinished game (the GAME_IDLE_TTL_S default of server/config.ts), in ms. */
export const DEFAULT_GAME_IDLE_MS = 86_400_000;

/** What is written into the scripts at load time. */
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

export function loadScript(name: string, o: ScriptOptions = {}): string {
  const delivery = o.delivery ?? 'publish';
  const text = inlineIncludes(readFileSync(join(LUA_DIR, fileOf(name).file), 'utf8'))
    .replace('__GAME_IDLE_MS__', String(Math.trunc(o.gameIdleMs ?? DEFAULT_GAME_IDLE_MS)))
    .replace('__OUTBOX__', delivery === 'outbox' ? 'true' : 'false');
  // the body runs as a function so that what it recorded for publishing (PUBS) and the games index
  // entries to release (REL, see includes/core.lua) can be returned beside its reply, whichever
  // `return` it ended with
  return `local PUBS = {}\nlocal REL = {}\nlocal function main()\n${text}\nend\nlocal reply = main()\nreturn {PUBS, REL, reply}\n`;
}

type Arg = string | number;
export type ScriptCall = (keys: Arg[], args: Arg[]) => Promise<unknown>;

/** What registerScripts needs of an ioredis client: a `Redis` and a `Cluster` both are one. */
export interface ScriptHost {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** What a call recorded besides its reply; `key` is its first key (a key of the slot it changed). */
export interface ScriptEffects {
  /** `outbox` delivery: flat `ENTRY, CHANNEL, PAYLOAD, ...` to publish once the change is durable. */
  publish(pubs: string[], key: string): void;
  /** Flat triples `p, GAMEID, PLAYERID` / `c, GAMEID, CODE`: index entries and codes to release (S4); awaited before the reply. */
  release(rel: string[]): Promise<void>;
}

/** Whether every key of a call is of one slot (TRINE_CHECK_SLOTS=1 checks it on every call). */
export function oneSlot(keys: Arg[]): boolean {
  const slots = new Set(keys.map((k) => calculateSlot(String(k))));
  return slots.size <= 1;
}

/** Throws when `keys` span slots and TRINE_CHECK_SLOTS=1 (the tests set it: a guard, not a setting). */
export function checkSlots(what: string, keys: Arg[]): void {
  if (process.env.TRINE_CHECK_SLOTS === '1' && !oneSlot(keys)) {
    throw new Error(`${what}: keys span slots: ${keys.map((k) => `${k} (${calculateSlot(String(k))})`).join(', ')}`);
  }
}

const NO_EFFECTS: ScriptEffects = { publish: () => {}, release: () => Promise.resolve() };

/**
 * Registers every script, for the key prefix `keys`, on the client; returns one caller per script,
 * resolving with the script's reply. With `outbox` delivery, what a call recorded for watchers goes
 * to `effects.publish` (before the caller gets the reply), whichever caller made it: no script's
 * changes can be left out of delivery by a caller that forgot them; the same for releases.
 */
export function registerScripts(redis: ScriptHost, keys: Pick<Keys, 'prefix'>, o: ScriptOptions = {},
  effects: ScriptEffects = NO_EFFECTS): Record<ScriptName, ScriptCall> {
  const calls = {} as Record<ScriptName, ScriptCall>;
  const files = scriptFiles();
  for (const name of SCRIPT_NAMES) {
    const numberOfKeys = files.get(name)?.numberOfKeys;
    if (numberOfKeys === undefined) throw new Error(`no script ${name}-N.lua in ${LUA_DIR}`);
    const lua = loadScript(name, o);
    // a name of our own (a script called `hello` would shadow ioredis' own HELLO), per key prefix and
    // script text (two stores of different prefixes, idle lifetimes or deliveries may share one client)
    const sha = createHash('sha1').update(lua).digest('hex').slice(0, 8);
    const command = `trine_${keys.prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${name}_${sha}`;
    redis.defineCommand(command, { numberOfKeys, lua });
    const fn = (redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[command].bind(redis);
    calls[name] = async (ks, args) => {
      if (ks.length !== numberOfKeys) throw new Error(`script ${name} takes ${numberOfKeys} keys, got ${ks.length}`);
      checkSlots(`script ${name}`, ks);
      const [pubs, rel, reply] = (await fn(...ks, ...args)) as [string[], string[], unknown];
      if (pubs.length) effects.publish(pubs, String(ks[0]));
      if (rel.length) await effects.release(rel);
      return reply;
    };
  }
  return calls;
}
