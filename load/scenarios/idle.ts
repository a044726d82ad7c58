// `idle`: `connections` players connect (hello) and do nothing but answer the gateways' pings. The
// gateways' resident memory is read from their /metrics before and after: bytes per connection.
import { BotConnection, type BotHandlers } from '../bot/connection.js';
import { baseReport, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';
import { gatewayMemory, type GatewayMemory } from './gateway-metrics.js';

const idle: BotHandlers = { welcome() {}, state() {} };

export async function runIdle(o: ScenarioOptions): Promise<LoadReport> {
  const stats = new Stats();
  const measure = async () => { await o.settle?.(); return Promise.all(o.urls.map(gatewayMemory)); };
  const before = await measure();
  const conns: BotConnection[] = [];
  for (let i = 0; i < o.connections; i++) {
    const c = botConnection(i, o.connections, o, stats, `i${i}`);
    c.handlers = idle;
    conns.push(c);
  }
  const progress = new Progress(stats, o.progress);
  progress.start();
  const t0 = performance.now();
  const half = Math.floor(conns.length / 2);
  await rampUp(conns.slice(0, half), o.rampInFlight);
  await sleep(1000);
  const mid = await measure();
  await rampUp(conns.slice(half), o.rampInFlight);
  const rampS = (performance.now() - t0) / 1000;
  const welcomed = conns.filter((c) => c.welcomed).length;
  const secondHalf = conns.slice(half).filter((c) => c.welcomed).length;
  stats.begin();
  await sleep(Math.max(2, o.durationS) * 1000);
  const after = await measure();
  stats.endedAt = performance.now();
  progress.stop();
  await stopAll(conns.map((c) => () => c.stop()), stats, 15_000);
  const grew = (k: keyof GatewayMemory) => o.urls.reduce((sum, _u, i) => sum + ((after[i][k] ?? 0) - (before[i][k] ?? 0)), 0);
  const per = (k: keyof GatewayMemory) => (welcomed ? Math.round(grew(k) / welcomed) : null);
  // the slope over the second half: what one more connection costs, without the first ones' warm-up
  const slope = (k: keyof GatewayMemory) => (secondHalf ? Math.round(o.urls.reduce((sum, _u, i) => sum + ((after[i][k] ?? 0) - (mid[i][k] ?? 0)), 0) / secondHalf) : null);
  return {
    ...baseReport('idle', stats),
    connections: o.connections, connections_welcomed: welcomed, ramp_up_s: Math.round(rampS * 10) / 10,
    gateways_rss: o.urls.map((u, i) => ({
      url: u, before: before[i].rss, half: mid[i].rss, after: after[i].rss, heap_before: before[i].heapUsed, heap_half: mid[i].heapUsed, heap_after: after[i].heapUsed,
    })),
    rss_bytes_per_connection: per('rss'),
    heap_bytes_per_connection: per('heapUsed'),
    rss_bytes_per_connection_second_half: slope('rss'),
    heap_bytes_per_connection_second_half: slope('heapUsed'),
    gc_before_readings: Boolean(o.settle),
  };
}
