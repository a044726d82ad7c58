// Redis' CPU per move by the ceiling's method (load/bench/redis-ceiling.ts: redis-benchmark calling
// the move-like script with EVALSHA), read from Redis itself so that a busy machine's preemption is
// not in it: main-thread CPU time (INFO cpu) and script time (INFO commandstats) per call, pipelined
// 16 deep and one at a time; with --aof, on a Redis with the AOF on and appendfsync always (single
// mode's durability rule), also the AOF bytes each call appends.
//   node --import tsx load/bench/redis-move-cost.ts [--root DIR] [--requests N] [--aof]
// --root: measure the scripts of another checkout (e.g. a `git archive` of main, with its own
// node_modules), for paired before/after runs; its server/ and load/bench/redis-ceiling.ts are used.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { root: { type: 'string' }, requests: { type: 'string', default: '100000' }, aof: { type: 'boolean', default: false } } });
const root = resolve(values.root ?? new URL('../..', import.meta.url).pathname);
const requests = Number(values.requests);
const { RedisServer } = await import(join(root, 'server/launcher/redis-server.ts'));
const { Keys } = await import(join(root, 'server/store/keys.ts'));
const { moveLikeScript } = await import(join(root, 'load/bench/redis-ceiling.ts'));
const { Redis } = await import(join(root, 'node_modules/ioredis/built/index.js'));

const dir = values.aof ? mkdtempSync(join(tmpdir(), 'trine-move-cost-')) : undefined;
const server = new RedisServer(dir ? { dataDir: dir, appendfsync: 'always' } : {});
await server.start();
const redis = new Redis(server.url);
const aofBytes = () => (dir ? readdirSync(join(dir, 'appendonlydir')).reduce((t, f) => t + statSync(join(dir, 'appendonlydir', f)).size, 0) : 0);
const cpu = async () => {
  const t = String(await redis.info('cpu'));
  return Number(/used_cpu_user_main_thread:([\d.]+)/.exec(t)?.[1]) + Number(/used_cpu_sys_main_thread:([\d.]+)/.exec(t)?.[1]);
};
try {
  const k = new Keys('bench');
  const sha = String(await redis.script('LOAD', moveLikeScript(k)));
  const rows = [];
  for (const pipeline of [16, 1]) {
    const n = pipeline === 1 ? Math.ceil(requests / 2) : requests;
    const args = ['-h', '127.0.0.1', '-p', String(server.port), '-c', '50', '-n', String(n), '-P', String(pipeline),
      '-r', '1000', '--csv', 'EVALSHA', sha, '2', k.game('__rand_int__'), k.deadlines(), 'bench-x', '0', '__rand_int__', '30000', '3600'];
    await redis.config('RESETSTAT');
    const [c0, b0] = [await cpu(), aofBytes()];
    const res = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 300_000 });
    const [c1, b1] = [await cpu(), aofBytes()];
    const f = (res.stdout.trim().split('\n').find((l) => l.startsWith('"EVALSHA')) ?? '').replace(/"$/, '').split('","');
    const stats = String(await redis.info('commandstats'));
    rows.push({
      pipeline, calls: n, rps: Math.round(Number(f[f.length - 7])),
      redis_cpu_us_per_call: Math.round(((c1 - c0) * 1e6 / n) * 10) / 10,
      script_us_per_call: Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats)?.[1]),
      ...(dir ? { aof_bytes_per_call: Math.round((b1 - b0) / n) } : {}),
    });
  }
  console.log(JSON.stringify({ root, aof: values.aof, load: loadavg().map((x) => x.toFixed(1)).join(' '), rows }));
} finally {
  redis.disconnect();
  await server.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
