// The ceiling of this machine's Redis for a move-like script: redis-benchmark calling it with
// EVALSHA (pipelined 16 deep like the gateways' auto-pipelining, and one at a time), on a Redis of
// its own started with the cluster's settings.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisServer } from '../../server/launcher/redis-server.js';
import { Keys } from '../../server/store/keys.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const INCLUDE = join(HERE, '..', '..', 'server', 'store', 'lua', 'includes', 'game.lua');

export interface CeilingRun { pipeline: number; clients: number; requests: number; rps: number; command: string }
export interface Ceiling { script: string; runs: CeilingRun[]; rps: number }

export function moveLikeScript(): string {
  const text = readFileSync(join(HERE, 'move-like.lua'), 'utf8');
  return text.replace(/^-- @include game\s*$/m, readFileSync(INCLUDE, 'utf8'));
}

/** Runs redis-benchmark with EVALSHA of the move-like script; `rps` is the best of the runs. */
export async function redisCeiling(o: { requests: number; clients?: number; pipelines?: number[] } = { requests: 100_000 }): Promise<Ceiling> {
  const server = new RedisServer();
  await server.start();
  const r = new Redis(server.url);
  try {
    const sha = String(await r.script('LOAD', moveLikeScript()));
    const k = new Keys('bench');
    const templates = JSON.stringify({
      games: k.playerGamesTemplate, conns: k.playerConnsTemplate, pch: k.playerChannelTemplate,
      game: k.gameTemplate, gch: k.gameChannelTemplate, inst: k.instanceTemplate, code: k.code('%s'),
    });
    const runs: CeilingRun[] = [];
    for (const pipeline of o.pipelines ?? [16, 1]) {
      const clients = o.clients ?? 50;
      const requests = pipeline === 1 ? Math.ceil(o.requests / 2) : o.requests;
      const args = ['-h', '127.0.0.1', '-p', String(server.port), '-c', String(clients), '-n', String(requests), '-P', String(pipeline),
        '-r', '1000', '--csv', 'EVALSHA', sha, '2', k.game('__rand_int__'), k.deadlines(), 'bench-x', '__rand_int__', '30000', '3600', templates];
      const res = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 120_000 });
      if (res.error) throw new Error(`redis-benchmark could not run (${res.error.message}): install the Debian package redis-tools.`);
      const line = res.stdout.trim().split('\n').find((l) => l.startsWith('"EVALSHA'));
      // the test's name holds unescaped quotes: the 7 figures at the end are rps, then latencies
      const fields = line ? line.replace(/"$/, '').split('","') : [];
      const rps = fields.length >= 8 ? Number(fields[fields.length - 7]) : NaN;
      if (!Number.isFinite(rps)) throw new Error(`redis-benchmark gave no figure: ${res.stdout.slice(0, 300)} ${res.stderr.slice(0, 300)}`);
      const shown = args.map((x) => (x === templates ? "'<templates JSON>'" : x === sha ? '<sha of load/bench/move-like.lua>' : /[{}]/.test(x) ? `'${x}'` : x));
      runs.push({ pipeline, clients, requests, rps: Math.round(rps), command: `redis-benchmark ${shown.join(' ')}` });
    }
    return { script: 'load/bench/move-like.lua', runs, rps: Math.max(...runs.map((x) => x.rps)) };
  } finally {
    r.disconnect();
    await server.stop();
  }
}
