// The ceiling of this machine's Redis for the move script: redis-benchmark calling it with
// EVALSHA (pipelined 16 deep like the gateways' auto-pipelining, and one at a time), on a Redis of
// its own started with the cluster's settings.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { RedisServer } from '../../server/launcher/redis-server.js';
import { bucketOf, Keys } from '../../server/store/keys.js';
import { loadScript } from '../../server/store/scripts.js';

export interface CeilingRun { pipeline: number; clients: number; requests: number; rps: number; command: string }
export interface Ceiling { script: string; runs: CeilingRun[]; rps: number }

/**
 * The production move script (server/store/lua/move-3.lua with its include), patched in three places
 * so that any number of calls keep doing a real move's work on games made up for the purpose: a
 * missing or finished game is (re)created, the calling player is given the seat whose turn it is,
 * and the cell is the first free one. Every other line (validation, JSON decode/encode, win check,
 * clock, `m:` field, HSET, PUBLISH) is the one the gateways run.
 */
export function moveLikeScript(_keys: Keys): string {
  const patches: [string, string][] = [
    ["if not raw[1] then return {'E', 'NOT_FOUND'} end", ''],
    ['local g = cjson.decode(raw[1])', [
      'local g = raw[1] and cjson.decode(raw[1]) or nil',
      "if not g or g.status ~= 'playing' then",
      "  g = new_game(string.match(KEYS[1], '{g:([^}]+)}') or KEYS[1], cjson.null, {rows = 3, cols = 3, k = 3, players = 2},",
      "    {X = {id = 'x', name = 'Bench X'}, O = {id = 'o', name = 'Bench O'}}, 'playing')",
      'end',
      "if g.turn == 'X' then g.players.X.id, g.players.O.id = ARGV[1], ARGV[1] .. '-o' else g.players.X.id, g.players.O.id = ARGV[1] .. '-x', ARGV[1] end",
    ].join('\n')],
    ['local cell = tonumber(ARGV[2])', "local cell = string.find(g.board, '.', 1, true) - 1"],
  ];
  let text = loadScript('move');
  for (const [from, to] of patches) {
    if (!text.includes(from)) throw new Error(`server/store/lua/move-3.lua no longer has "${from}": update the patches in load/bench/redis-ceiling.ts`);
    text = text.replace(from, to);
  }
  return text;
}

/** Runs `fn` on a Redis of its own (stopped after) with the move-like script loaded (its sha), keys prefixed `bench`. */
export async function withMoveLike<T>(fn: (m: { redis: Redis; port: number; keys: Keys; sha: string }) => Promise<T>): Promise<T> {
  const server = new RedisServer();
  await server.start();
  const redis = new Redis(server.url);
  try {
    const keys = new Keys('bench');
    return await fn({ redis, port: server.port, keys, sha: String(await redis.script('LOAD', moveLikeScript(keys))) });
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

/** Runs redis-benchmark with EVALSHA of the move-like script; `rps` is the best of the runs. */
export function redisCeiling(o: { requests: number; clients?: number; pipelines?: number[] } = { requests: 100_000 }): Promise<Ceiling> {
  return withMoveLike(async ({ port, keys: k, sha }) => {
    const runs: CeilingRun[] = [];
    for (const pipeline of o.pipelines ?? [16, 1]) {
      const clients = o.clients ?? 50;
      const requests = pipeline === 1 ? Math.ceil(o.requests / 2) : o.requests;
      const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(requests), '-P', String(pipeline),
        '-r', '1000', '--csv', 'EVALSHA', sha, '3', k.game('__rand_int__'), k.deadlines(bucketOf('__rand_int__')), k.outbox(bucketOf('__rand_int__')), 'bench-x', '0', '__rand_int__', '30000', '3600', k.gameChannel('__rand_int__')];
      const res = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 120_000 });
      if (res.error) throw new Error(`redis-benchmark could not run (${res.error.message}): install the Debian package redis-tools.`);
      const line = res.stdout.trim().split('\n').find((l) => l.startsWith('"EVALSHA'));
      // the test's name holds unescaped quotes: the 7 figures at the end are rps, then latencies
      const fields = line ? line.replace(/"$/, '').split('","') : [];
      const rps = fields.length >= 8 ? Number(fields[fields.length - 7]) : NaN;
      if (!Number.isFinite(rps)) throw new Error(`redis-benchmark gave no figure: ${res.stdout.slice(0, 300)} ${res.stderr.slice(0, 300)}`);
      const shown = args.map((x) => (x === sha ? '<sha of the move-like script>' : /[{}]/.test(x) ? `'${x}'` : x));
      runs.push({ pipeline, clients, requests, rps: Math.round(rps), command: `redis-benchmark ${shown.join(' ')}` });
    }
    return { script: 'server/store/lua/move-3.lua (patched: made-up games, see load/bench/redis-ceiling.ts)', runs, rps: Math.max(...runs.map((x) => x.rps)) };
  });
}
