// `idle`: `connections` players, held by client processes of their own (load/fleet/, each below the
// per-process open-file cap), say hello and then say nothing (no client pings; the gateways'
// WebSocket-level pings are answered by the socket library). Connection i goes to gateway i % N.
// The gateways' resident memory is read from their /metrics before, at half and at the end (after
// `settle`, a forced full GC in the bench): bytes per connection. At the end every connection is
// sent a protocol `ping`, and the `pong`s are counted: every one must answer.
import { Fleet, total } from '../fleet/fleet.js';
import { baseReport, Progress, Stats, type LoadReport } from '../stats.js';
import { sleep, type ScenarioOptions } from './common.js';
import { gatewayMemory, gatewaysCpuSeconds, type GatewayMemory } from './gateway-metrics.js';

/** Connections per client process unless told otherwise (below the 20,000 open files a process may have here). */
export const IDLE_PER_PROCESS = 15_000;

export async function runIdle(o: ScenarioOptions): Promise<LoadReport> {
  const stats = new Stats();
  const measure = async () => { await o.settle?.(); return Promise.all(o.urls.map(gatewayMemory)); };
  const before = await measure();
  const fleet = new Fleet({
    role: 'idle', urls: o.urls, total: o.connections, perProcess: o.perProcess ?? IDLE_PER_PROCESS, sources: Math.max(1, o.sources),
    rampInFlight: o.rampInFlight, cpus: o.clientCpus,
  });
  let shown = { open: 0, welcomed: 0, ended: 0 };
  const progress = new Progress(stats, o.progress, () => `clients: ${shown.open} open, ${shown.welcomed} welcomed, ${shown.ended} ended`);
  let unpoll = () => {};
  try {
    fleet.start();
    const clients0 = total(await fleet.status()).cpuS; // every client process is up (its modules loaded) before the clock starts
    const cpu0 = await gatewaysCpuSeconds(o.urls);
    progress.start();
    unpoll = fleet.poll(1000, (st) => { shown = st; });
    let t0 = performance.now();
    shown = total(await fleet.ramp(0.5));
    let rampS = (performance.now() - t0) / 1000;
    await sleep(1000);
    const mid = await measure();
    const firstHalf = shown.welcomed;
    t0 = performance.now();
    const ramped = total(await fleet.ramp(1));
    rampS += (performance.now() - t0) / 1000;
    shown = ramped;
    const cpu1 = await gatewaysCpuSeconds(o.urls);
    const welcomed = ramped.welcomed;
    const secondHalf = welcomed - firstHalf;
    stats.begin();
    await sleep(Math.max(2, o.durationS) * 1000);
    const after = await measure();
    stats.endedAt = performance.now();
    const held = total(await fleet.status());
    // every connection, idle since its hello, must still answer a protocol ping
    const t1 = performance.now();
    const pings = await fleet.ping(o.pingTimeoutMs ?? 60_000);
    const pingS = (performance.now() - t1) / 1000;
    progress.stop();
    const grew = (k: keyof GatewayMemory, from: GatewayMemory[]) => o.urls.reduce((sum, _u, i) => sum + ((after[i][k] ?? 0) - (from[i][k] ?? 0)), 0);
    const per = (k: keyof GatewayMemory) => (welcomed ? Math.round(grew(k, before) / welcomed) : null);
    // the slope over the second half: what one more connection costs, without the first ones' warm-up
    const slope = (k: keyof GatewayMemory) => (secondHalf > 0 ? Math.round(grew(k, mid) / secondHalf) : null);
    return {
      ...baseReport('idle', stats), errors: held.errors, connections_peak: held.peak,
      connections: o.connections, connections_welcomed: welcomed, connections_open_at_end: held.welcomed, ramp_up_s: Math.round(rampS * 10) / 10,
      // first handshakes that failed (on a loaded machine: the 5 s connect timeout) and were made again, at most twice each
      handshakes_retried: ramped.retried,
      hellos_per_s: rampS > 0 ? Math.round(welcomed / rampS) : null,
      // what a hello costs (over the ramp-up, the GC and memory readings at half included): the gateways, the client processes
      gateway_cpu_us_per_hello: cpu0 !== null && cpu1 !== null && welcomed ? Math.round(((cpu1 - cpu0) * 1e6) / welcomed) : null,
      client_cpu_us_per_hello: welcomed ? Math.round(((ramped.cpuS - clients0) * 1e6) / welcomed) : null,
      gateways: o.urls.length, client_processes: fleet.children.length, clients_pinned_to: o.clientCpus ?? null,
      gateways_rss: o.urls.map((u, i) => ({
        url: u, before: before[i].rss, half: mid[i].rss, after: after[i].rss, heap_before: before[i].heapUsed, heap_half: mid[i].heapUsed, heap_after: after[i].heapUsed,
      })),
      gateways_rss_growth_bytes: grew('rss', before),
      rss_bytes_per_connection: per('rss'),
      heap_bytes_per_connection: per('heapUsed'),
      rss_bytes_per_connection_second_half: slope('rss'),
      heap_bytes_per_connection_second_half: slope('heapUsed'),
      gc_before_readings: Boolean(o.settle),
      pings_sent: pings.sent, pongs: pings.answered, pings_failed: pings.failed, ping_s: Math.round(pingS * 10) / 10,
      client_rss_mib: Math.round(held.rssBytes / 2 ** 20),
    };
  } finally {
    unpoll();
    progress.stop();
    await fleet.stop(30_000);
  }
}
