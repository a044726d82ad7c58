// `npm run ops-timings -- [--clients N] [--outage-ms MS]`: measures, on this machine, the figures docs/OPERATIONS.md
// quotes: how long a gateway takes to say it is not ready when Redis stops, to be ready again when
// Redis returns, and to drain N connected clients on SIGTERM (and for them all to resume on another
// gateway), and to notice a silent network cut to Redis and reconnect by itself. A local 2-gateway
// cluster on free ports and its own Redis (AOF), then one gateway behind a proxy that can cut the
// network; everything is stopped at the end. Prints one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from '../server/launcher/cluster.js';
import { freePortRange } from '../server/launcher/ports.js';
import { RedisServer } from '../server/launcher/redis-server.js';
import { BlackholeProxy } from '../test/support/blackhole.js';
import { player, type TestClient } from '../test/support/client.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const clients = arg('clients', 200);
const outageMs = arg('outage-ms', 3000);

async function waitStatus(url: string, status: number, limitMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    const s = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(500) }).then((r) => r.status, () => 0);
    if (s === status) return Math.round(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url}/readyz not ${status} within ${limitMs} ms`);
}

const dir = mkdtempSync(join(tmpdir(), 'trine-timings-'));
const redis = new RedisServer({ dataDir: join(dir, 'redis') });
await redis.start();
const cluster = new Cluster({
  gateways: 2, host: '127.0.0.1', basePort: await freePortRange(2), restartDelayMs: 0, redisUrl: redis.url,
  env: { LOG_LEVEL: 'warn' }, clusterFile: null, logDir: join(dir, 'logs'),
});
const open: TestClient[] = [];
let proxy: BlackholeProxy | null = null;
let cut: Cluster | null = null;
try {
  await cluster.start();
  const [g0, g1] = cluster.gateways;
  const out: Record<string, unknown> = { clients, outage_ms: outageMs };

  let t = performance.now();
  await redis.stop();
  const stopped = performance.now() - t;
  out.redis_stop_to_503_ms = await Promise.all([g0, g1].map((g) => waitStatus(g.url, 503, 10_000))).then((a) => Math.max(...a) + Math.round(stopped));
  await new Promise((r) => setTimeout(r, outageMs)); // the gateways' reconnect backoff grows meanwhile (capped at 1 s)
  t = performance.now();
  await redis.start();
  const started = performance.now() - t;
  out.redis_start_to_200_ms = await Promise.all([g0, g1].map((g) => waitStatus(g.url, 200, 30_000))).then((a) => Math.max(...a) + Math.round(started));

  for (let i = 0; i < clients; i++) open.push(await player(g1.ws, `t${i}`));
  const closed = open.map((c) => c.waitClose(15_000));
  const exited = new Promise<number | null>((res) => g1.proc.once('exit', (code) => res(code)));
  t = performance.now();
  g1.proc.kill('SIGTERM');
  const codes = await Promise.all(closed);
  out.sigterm_to_all_closed_ms = Math.round(performance.now() - t);
  out.close_codes = [...new Set(codes.map((c) => c.code))];
  out.exit_code = await exited;
  out.sigterm_to_exit_ms = Math.round(performance.now() - t);
  const resumed = await Promise.all(open.map((c) => player(g0.ws, `${c.label}r`, { token: c.token })));
  out.sigterm_to_all_resumed_ms = Math.round(performance.now() - t);
  out.all_resumed = resumed.every((c) => c.msgs[0]?.resumed === true);
  open.push(...resumed);

  // a silent cut: the gateway's connections to Redis stay open and carry nothing
  proxy = new BlackholeProxy(redis.port);
  await proxy.start();
  cut = new Cluster({
    gateways: 1, host: '127.0.0.1', basePort: await freePortRange(1), restartDelayMs: 0, redisUrl: proxy.url,
    env: { LOG_LEVEL: 'warn' }, clusterFile: null, logDir: join(dir, 'logs-cut'),
  });
  await cut.start();
  t = performance.now();
  proxy.cut();
  out.silent_cut_to_503_ms = await waitStatus(cut.gateways[0].url, 503, 10_000);
  await waitStatus(cut.gateways[0].url, 200, 30_000);
  out.silent_cut_to_200_ms = Math.round(performance.now() - t);
  console.log(JSON.stringify(out));
} finally {
  for (const c of open) c.close();
  await cut?.stop();
  await proxy?.stop();
  await cluster.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
