// Loads the Lua scripts of ./lua once, inlining `-- @include NAME` lines from ./lua/includes, and
// registers each on an ioredis client as a command called by SHA (EVALSHA, with EVAL on NOSCRIPT).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

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
  rematch: 3,
  expire: 2,
} as const;
export type ScriptName = keyof typeof SCRIPT_KEYS;

export function loadScript(name: string): string {
  const text = readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8');
  return text.replace(/^-- @include (\w+)\s*$/m, (_, inc: string) => readFileSync(join(LUA_DIR, 'includes', `${inc}.lua`), 'utf8'));
}

type Arg = string | number;
export type ScriptCall = (keys: Arg[], args: Arg[]) => Promise<unknown>;

/** Registers every script on the client; returns one caller per script. */
export function registerScripts(redis: Redis): Record<ScriptName, ScriptCall> {
  const calls = {} as Record<ScriptName, ScriptCall>;
  for (const [name, numberOfKeys] of Object.entries(SCRIPT_KEYS) as [ScriptName, number][]) {
    // registered under a prefixed name: a script called `hello` would shadow ioredis' own HELLO
    const command = `trine_${name}`;
    redis.defineCommand(command, { numberOfKeys, lua: loadScript(name) });
    const fn = (redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[command].bind(redis);
    calls[name] = (keys, args) => {
      if (keys.length !== numberOfKeys) throw new Error(`script ${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      return fn(...keys, ...args);
    };
  }
  return calls;
}
