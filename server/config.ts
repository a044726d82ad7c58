// Every setting of a gateway (and of the local launcher), read from environment variables in this
// one place. Each has a default and a line of documentation (printed by `npm run gateway -- --help`,
// listed in the README by `npm run config-doc`); a bad value stops the process with one sentence
// naming the variable.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { scrub } from './log.js';

/** A whole number in decimal digits (no '1e3', '0x10' or blank), within [min, max]. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.string().trim()
  .regex(/^-?\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** name -> [schema with default, documentation] */
export const SETTINGS = {
  HOST: [z.string().min(1).default('127.0.0.1'), 'Address the gateway listens on (HTTP and WebSocket share it).'],
  PORT: [int(1, 65535).default(8080), 'TCP port of the gateway.'],
  GATEWAY_ID: [z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(), 'Id the gateway reports in welcome and cluster.json (default gw-PORT).'],
  PUBLIC_URL: [z.string().url().optional(), 'Base http(s) URL clients reach this gateway at (default http://HOST:PORT).'],
  TRANSPORT: [z.enum(['uws', 'ws']).default('uws'), 'WebSocket server: uws (uWebSockets.js) or ws (the portable fallback).'],
  REDIS_MODE: [z.enum(['single', 'sentinel', 'cluster']).default('single'), 'How Redis is deployed: single (one server at REDIS_URL), sentinel (a primary and replicas found through REDIS_SENTINELS) or cluster (a Redis Cluster reached through REDIS_CLUSTER_NODES).'],
  REDIS_URL: [z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'), 'Redis holding all state; may carry user:password and use rediss:// (TLS). In sentinel mode only its user:password and scheme apply: the address comes from the Sentinels.'],
  REDIS_SENTINELS: [z.string().regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'must be a comma-separated list of host:port').optional(), 'Sentinel mode: the Sentinels to ask for the primary, "host:port,host:port,..." (any one that answers will do).'],
  REDIS_CLUSTER_NODES: [z.string().regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'must be a comma-separated list of host:port').optional(), 'Cluster mode: nodes of the Redis Cluster to start from, "host:port,host:port,..." (any one that answers will do; the rest is learnt from CLUSTER SLOTS). Only the user:password and scheme of REDIS_URL apply.'],
  REDIS_SENTINEL_NAME: [z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('trine'), 'Sentinel mode: the name under which the Sentinels monitor the primary.'],
  REDIS_TLS_CA_FILE: [z.string().refine((f) => existsSync(f), 'no such file').optional(), 'PEM file of the CA that signed the Redis server certificate (rediss://); default: the system CAs.'],
  REDIS_PREFIX: [z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('trine'), 'Prefix of every Redis key and channel.'],
  REDIS_COMMAND_TIMEOUT_MS: [int(100, 60000).default(2000), 'A Redis command not answered within this many ms fails with UNAVAILABLE.'],
  DURABILITY_TIMEOUT_MS: [int(10, 60000).default(1000), 'REDIS_MODE=sentinel and cluster: how long a change may wait for a replica to acknowledge it before it is answered UNAVAILABLE (not known to be applied).'],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'pino log level.'],
  TURN_MS: [int(0).default(30000), 'Time a player has for each move before losing on time; 0 turns clocks off.'],
  ABANDON_MS: [int(0).default(60000), 'A seated player with no live connection this long forfeits (abandoned); 0 turns it off.'],
  INVITE_TTL_MS: [int(0).default(600000), 'A private game nobody joins is cancelled after this many ms; 0 keeps it.'],
  GAME_IDLE_TTL_S: [int(1).default(86400), 'An unfinished game nobody changed this long (s) is aborted, with its invite code and its players\' lists freed: no game outlives its players even with TURN_MS, ABANDON_MS and INVITE_TTL_MS at 0.'],
  FINISHED_TTL_S: [int(1).default(3600), 'How long a finished game stays readable in Redis (s).'],
  SESSION_TTL_S: [int(60).default(7 * 24 * 3600), 'A session unused this long (s) is forgotten; refreshed while the player is active.'],
  MAX_GAMES_PER_PLAYER: [int(1, 100).default(1), 'Unfinished games one player may hold at once.'],
  HELLO_TIMEOUT_MS: [int(100, 600000).default(10000), 'A socket that has not said hello within this many ms is closed (1008).'],
  RATE_PER_S: [int(1).default(30), 'Messages per second one connection may send on average (token bucket refill).'],
  RATE_BURST: [int(1).default(60), 'Messages one connection may send in a burst (token bucket size).'],
  ABUSE_LIMIT: [int(1).default(50), 'Errors and rate-limited messages one connection may cause within 10 s before it is closed (1008).'],
  MAX_CONNS_PER_IP: [int(1).default(50000), 'Open WebSocket connections one gateway process allows from one IP address.'],
  MAX_CONNS_PER_PLAYER: [int(1).default(32), 'Sockets one player may hold on one gateway process (tabs, overlapping reconnects); a hello past it gets RATE_LIMITED and close 1008.'],
  MAX_SPECTATORS: [int(1).default(10000), 'Spectators one gateway admits per game.'],
  SEND_BUFFER_LIMIT: [int(1024).default(1 << 20), 'Bytes queued for a client that does not read (beyond what the OS socket buffers hold) before it is dropped.'],
  ALLOWED_ORIGINS: [z.string().optional(), 'Comma-separated Origins allowed to open a WebSocket (default: any gateway of the cluster, i.e. any loopback or this host); "*" allows all. Requests without Origin are allowed unless REQUIRE_ORIGIN is on.'],
  REQUIRE_ORIGIN: [z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').default(false), 'Refuse WebSocket upgrades that carry no Origin header (browsers always send one; bots usually do not).'],
  HEARTBEAT_MS: [int(100, 60000).default(1000), 'How often the gateway renews its registration in Redis (it lapses after 3 beats) and looks for dead gateways to clean up after.'],
  SWEEP_MS: [int(20, 60000).default(200), 'How often the gateway looks for due time rules (turn clocks, abandonment, invites, the computer\'s turns) in Redis; a computer\'s turn left by a dead gateway is claimed again within 500 ms plus this, so keep it under 500 for the computer to move within a second.'],
  DRAIN_MS: [int(0, 60000).default(5000), 'On SIGTERM or SIGINT every client is closed with 1012; the gateway then waits at most this many ms for in-flight commands before it exits.'],
} as const;

/** Settings of `npm start` (the local launcher) only; it also reads HOST, PORT, REDIS_MODE and REDIS_URL above. */
export const LAUNCHER_SETTINGS = {
  GATEWAYS: [int(1, 64).default(3), 'Gateway processes to run; gateway i listens on PORT+i.'],
  RESTART_DELAY_MS: [int(0).default(2000), 'A gateway, Redis or Sentinel process that died is started again after this many ms; 0 disables restarts.'],
  RUN_DIR: [z.string().min(1).default('.run'), 'Folder (relative to the project, or absolute) of cluster.json, the logs, the Redis data and the lock that allows one cluster per folder.'],
} as const;

type Table = Record<string, readonly [z.ZodType, string]>;
type Parsed<T extends Table> = { [K in keyof T]: z.infer<T[K][0]> };
type Settings = typeof SETTINGS;
export type Config = Parsed<Settings> & { GATEWAY_ID: string; PUBLIC_URL: string };
export type LauncherConfig = Parsed<typeof LAUNCHER_SETTINGS> & Pick<Config, 'HOST' | 'PORT' | 'REDIS_MODE'> & { REDIS_URL: string | undefined };
/** What a connection to Redis needs (server/redis.ts). */
export type RedisSettings = Pick<Config, 'REDIS_MODE' | 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES' | 'REDIS_SENTINEL_NAME' | 'REDIS_TLS_CA_FILE' | 'REDIS_COMMAND_TIMEOUT_MS'>;

export class ConfigError extends Error {}

function why(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_format' && issue.format === 'url') return 'must be an absolute http(s) URL';
  if (issue.code === 'invalid_format' && issue.format === 'regex' && issue.message.startsWith('Invalid string')) return `must match ${issue.pattern}`;
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

/** Parses `env` against a table of settings; throws ConfigError with one sentence on the first bad value. */
export function parseSettings<T extends Table>(table: T, env: NodeJS.ProcessEnv): Parsed<T> {
  const out: Record<string, unknown> = {};
  for (const [name, [schema, doc]] of Object.entries(table)) {
    const raw = env[name];
    const res = schema.safeParse(raw === '' ? undefined : raw);
    if (!res.success) {
      const def = defaultOf(schema);
      throw new ConfigError(`Invalid value ${JSON.stringify(scrub(String(raw)))} for ${name}: ${why(res.error.issues[0])} `
        + `(${name}: ${doc.replace(/\.$/, '')}${def === undefined ? '' : `; default ${def}`}).`);
    }
    out[name] = res.data;
  }
  return out as Parsed<T>;
}

/** Parses the environment of a gateway; throws ConfigError with one sentence on the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return gatewayConfig(env, true);
}

/** `sentinelsNeeded` false: the launcher, which runs the Sentinels and tells the gateways where they are. */
function gatewayConfig(env: NodeJS.ProcessEnv, sentinelsNeeded: boolean): Config {
  const c = parseSettings(SETTINGS, env) as Config;
  if (c.REDIS_MODE === 'cluster' && !c.REDIS_CLUSTER_NODES && sentinelsNeeded) {
    throw new ConfigError('REDIS_MODE=cluster needs REDIS_CLUSTER_NODES, nodes of the Redis Cluster ("host:port,host:port,...").');
  }
  if (c.REDIS_MODE === 'sentinel' && !c.REDIS_SENTINELS && sentinelsNeeded) {
    throw new ConfigError('REDIS_MODE=sentinel needs REDIS_SENTINELS, the Sentinels to ask for the primary ("host:port,host:port,...").');
  }
  c.GATEWAY_ID ??= `gw-${c.PORT}`;
  c.PUBLIC_URL ??= `http://${c.HOST.includes(':') ? `[${c.HOST}]` : c.HOST}:${c.PORT}`;
  c.PUBLIC_URL = c.PUBLIC_URL.replace(/\/+$/, '');
  return c;
}

/** The launcher's settings: its own, plus every gateway setting checked up front (it passes them on). */
export function loadLauncherConfig(env: NodeJS.ProcessEnv = process.env): LauncherConfig {
  const gw = gatewayConfig(env, false);
  const own = parseSettings(LAUNCHER_SETTINGS, env);
  if (gw.REDIS_MODE !== 'single' && env.REDIS_URL) {
    throw new ConfigError(`REDIS_URL names a Redis to use, but REDIS_MODE=${gw.REDIS_MODE} makes \`npm start\` run its own ${gw.REDIS_MODE === 'sentinel' ? 'primary, replicas and Sentinels' : 'Redis Cluster'}: set only one of them.`);
  }
  return { ...own, HOST: gw.HOST, PORT: gw.PORT, REDIS_MODE: gw.REDIS_MODE, REDIS_URL: env.REDIS_URL ? gw.REDIS_URL : undefined };
}

function defaultOf(schema: z.ZodType): string | undefined {
  const d = schema.safeParse(undefined);
  return d.success && d.data !== undefined ? String(d.data) : undefined;
}

/** host:port pairs of REDIS_CLUSTER_NODES. */
export const clusterNodeAddresses = (list: string | undefined): { host: string; port: number }[] => sentinelAddresses(list);

/** host:port pairs of REDIS_SENTINELS. */
export function sentinelAddresses(list: string | undefined): { host: string; port: number }[] {
  return (list ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  });
}

/** Every setting with its default and doc line, for --help and the README's configuration table (`npm run config-doc`). */
export function settingRows(table: Table = SETTINGS): { name: string; default: string | undefined; doc: string }[] {
  return Object.entries(table).map(([name, [schema, doc]]) => ({ name, default: defaultOf(schema), doc }));
}

export function settingsHelp(): string {
  return settingRows().map((r) => `${r.name.padEnd(26)} ${r.doc}${r.default === undefined ? '' : ` Default: ${r.default}.`}`).join('\n');
}
