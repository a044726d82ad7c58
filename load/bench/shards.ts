// Per shard figures of a run (REDIS_MODE=cluster; one "shard" in the other modes): for each node
// that is a primary, Redis' own CPU (INFO cpu: used_cpu_sys + used_cpu_user), the commands it ran
// (INFO commandstats: calls, scripts among them) and its keys, read before and after a scenario.
// With the scenario's moves: Redis CPU per move on each shard, and how even the spread is.
import { Redis } from 'ioredis';
import type { RedisNode } from '../../server/launcher/topology.js';

export interface ShardReading { port: number; cpuS: number; calls: number; scriptCalls: number; keys: number }

export interface ShardFigures {
  port: number;
  /** Redis CPU seconds on this shard's primary during the scenario. */
  cpuS: number;
  calls: number;
  scriptCalls: number;
  keys: number;
  /** This shard's CPU divided by every move of the scenario (µs): what a move costs this shard on average. */
  cpuUsPerMove: number;
  /** This shard's share of the scenario's commands. */
  callShare: number;
}

/** Reads every data node that is a primary now (a node that does not answer is left out). */
export async function readShards(nodes: RedisNode[]): Promise<ShardReading[]> {
  const out: ShardReading[] = [];
  for (const n of nodes.filter((x) => x.role !== 'sentinel')) {
    const r = new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.call('ROLE') as unknown[])[0] !== 'master') continue;
      const cpu = await r.info('cpu');
      const stats = await r.info('commandstats');
      const num = (re: RegExp, s: string) => Number(re.exec(s)?.[1] ?? 0);
      let calls = 0;
      let scriptCalls = 0;
      for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        calls += Number(m[2]);
        if (m[1] === 'evalsha' || m[1] === 'eval') scriptCalls += Number(m[2]);
      }
      out.push({
        port: n.port, cpuS: num(/used_cpu_sys:([\d.]+)/, cpu) + num(/used_cpu_user:([\d.]+)/, cpu), calls, scriptCalls, keys: await r.dbsize(),
      });
    } catch { /* not reachable: not counted */ } finally { r.disconnect(); }
  }
  return out;
}

/** The difference of two readings, per shard (shards present in both), with the scenario's moves. */
export function shardFigures(before: ShardReading[], after: ShardReading[], moves: number): ShardFigures[] {
  const rows = after.flatMap((a) => {
    const b = before.find((x) => x.port === a.port);
    return b ? [{ port: a.port, cpuS: a.cpuS - b.cpuS, calls: a.calls - b.calls, scriptCalls: a.scriptCalls - b.scriptCalls, keys: a.keys }] : [];
  });
  const calls = rows.reduce((s, r) => s + r.calls, 0) || 1;
  return rows.map((r) => ({
    ...r, cpuS: Math.round(r.cpuS * 1000) / 1000,
    cpuUsPerMove: moves > 0 ? Math.round((r.cpuS / moves) * 1e7) / 10 : 0,
    callShare: Math.round((r.calls / calls) * 1000) / 1000,
  }));
}

/** One line per shard, and the spread (the busiest shard's CPU over the idlest's). */
export function describeShards(rows: ShardFigures[]): string {
  if (!rows.length) return '  (no shard readings)';
  const cpus = rows.map((r) => r.cpuS);
  const spread = Math.min(...cpus) > 0 ? (Math.max(...cpus) / Math.min(...cpus)).toFixed(2) : 'n/a';
  const total = rows.reduce((s, r) => s + r.cpuUsPerMove, 0);
  return [
    ...rows.map((r) => `  shard :${r.port}  Redis CPU ${r.cpuS.toFixed(2)} s = ${r.cpuUsPerMove} µs/move, ${r.calls} commands (${(r.callShare * 100).toFixed(1)}%), ${r.scriptCalls} script calls, ${r.keys} keys`),
    `  all shards: ${total.toFixed(1)} µs of Redis CPU per move; busiest/idlest shard CPU ${spread}`,
  ].join('\n');
}
