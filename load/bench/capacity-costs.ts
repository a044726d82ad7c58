// What a connected player and a live game cost in Redis memory, measured on a running cluster
// (`npm start`, any REDIS_MODE), for docs/CAPACITY.md. Reads `.run/cluster.json` for the gateways
// and the Redis nodes, then: P players connect (hello) -> bytes per connected player; they pair up
// in P/2 private games (create, join, one move) -> bytes per live game. Memory is `used_memory`
// summed over the nodes that are primaries now (each asked its ROLE), read after a pause so that
// replication and lazy frees have settled. Writes the figures as JSON on stdout.
//   node --import tsx load/bench/capacity-costs.ts [--cluster .run/cluster.json] [--players 2000]
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { BotConnection } from '../bot/connection.js';

interface Node { role: string; host: string; port: number }
interface ClusterFile { redis: { url: string; mode?: string; nodes?: Node[] }; gateways: { ws: string }[] }

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** used_memory summed over the data nodes that answer ROLE master now. */
async function primariesMemory(nodes: Node[]): Promise<{ bytes: number; primaries: number; keys: number }> {
  let bytes = 0;
  let primaries = 0;
  let keys = 0;
  for (const n of nodes.filter((x) => x.role !== 'sentinel')) {
    const r = new Redis({ host: n.host, port: n.port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await r.connect();
      const role = (await r.call('ROLE') as unknown[])[0];
      if (role !== 'master') continue;
      primaries += 1;
      bytes += Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1] ?? 0);
      keys += await r.dbsize();
    } catch { /* a node that is down is not a primary */ } finally { r.disconnect(); }
  }
  return { bytes, primaries, keys };
}

async function main(): Promise<void> {
  const file = JSON.parse(readFileSync(arg('cluster', '.run/cluster.json'), 'utf8')) as ClusterFile;
  const players = Math.max(2, Math.min(20_000, Number(arg('players', '2000')) & ~1));
  const nodes = file.redis.nodes ?? [{ role: 'primary', ...((u) => ({ host: u.hostname, port: Number(u.port) }))(new URL(file.redis.url)) }];
  const urls = file.gateways.map((g) => g.ws);
  const errors: string[] = [];
  const stats = { opened() {}, closed() {}, error(code: string) { if (errors.length < 20) errors.push(code); } };
  const settle = async () => { await sleep(1500); return primariesMemory(nodes); };

  const m0 = await settle();
  const bots = Array.from({ length: players }, (_, i) => new BotConnection({ urls, first: i, label: `cap${i}`, stats, reconnect: false, pingEveryMs: 600_000 }));
  for (let i = 0; i < bots.length; i += 200) {
    const batch = bots.slice(i, i + 200);
    batch.forEach((b) => b.start());
    await Promise.all(batch.map((b) => b.ready));
  }
  const welcomed = bots.filter((b) => b.welcomed).length;
  const m1 = await settle();

  let games = 0;
  for (let i = 0; i < bots.length; i += 200) {
    await Promise.all(bots.slice(i, i + 200).map(async (host, j) => {
      if (j % 2 === 1) return;
      const guest = bots[i + j + 1];
      try {
        const made = await host.request({ t: 'create' });
        await guest.request({ t: 'join', code: String(made.code) });
        const moved = await host.move(String(made.gameId), 4, `cap-${i + j}`);
        if (moved.ok) games += 1;
      } catch (e) { if (errors.length < 20) errors.push(String((e as Error).message)); }
    }));
  }
  const m2 = await settle();
  bots.forEach((b) => b.stop());
  await sleep(1000);

  const per = (d: number, n: number) => (n > 0 ? Math.round(d / n) : null);
  process.stdout.write(`${JSON.stringify({
    mode: file.redis.mode ?? 'single', primaries: m2.primaries, players, welcomed, games,
    bytesPerConnectedPlayer: per(m1.bytes - m0.bytes, welcomed), keysPerConnectedPlayer: per(m1.keys - m0.keys, welcomed),
    bytesPerLiveGame: per(m2.bytes - m1.bytes, games), keysPerLiveGame: per(m2.keys - m1.keys, games),
    memory: { before: m0.bytes, connected: m1.bytes, playing: m2.bytes }, errors,
  }, null, 2)}\n`);
}

main().then(() => process.exit(0), (e) => { process.stderr.write(`capacity-costs: ${(e as Error).message}\n`); process.exit(1); });
