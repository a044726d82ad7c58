// `idle`: `connections` players connect (hello) and do nothing but answer the gateways' pings. The
// gateways' resident memory is read from their /metrics before and after: bytes per connection.
import { BotConnection, type BotHandlers } from '../bot/connection.js';
import { baseReport, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';

/** http(s)://host:port of a gateway's ws(s)://host:port/ws URL. */
export const httpOf = (wsUrl: string): string => wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');

/** A gateway's resident memory in bytes, from its Prometheus metrics. */
export async function gatewayRss(wsUrl: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${httpOf(wsUrl)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^trine_process_(?:process_)?resident_memory_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const idle: BotHandlers = { welcome() {}, state() {} };

export async function runIdle(o: ScenarioOptions): Promise<LoadReport> {
  const stats = new Stats();
  const before = await Promise.all(o.urls.map(gatewayRss));
  const conns: BotConnection[] = [];
  for (let i = 0; i < o.connections; i++) {
    const c = botConnection(i, o.connections, o, stats, `i${i}`);
    c.handlers = idle;
    conns.push(c);
  }
  const progress = new Progress(stats, o.progress);
  progress.start();
  const t0 = performance.now();
  await rampUp(conns, o.rampInFlight);
  const rampS = (performance.now() - t0) / 1000;
  const welcomed = conns.filter((c) => c.welcomed).length;
  stats.begin();
  await sleep(Math.max(2, o.durationS) * 1000);
  const after = await Promise.all(o.urls.map(gatewayRss));
  stats.endedAt = performance.now();
  progress.stop();
  await stopAll(conns.map((c) => () => c.stop()), stats, 15_000);
  const grew = o.urls.reduce((sum, _u, i) => sum + ((after[i] ?? 0) - (before[i] ?? 0)), 0);
  return {
    ...baseReport('idle', stats),
    connections: o.connections, connections_welcomed: welcomed, ramp_up_s: Math.round(rampS * 10) / 10,
    gateways_rss: o.urls.map((u, i) => ({ url: u, before: before[i], after: after[i] })),
    rss_bytes_per_connection: welcomed ? Math.round(grew / welcomed) : null,
  };
}
