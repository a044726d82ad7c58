// `watch`: one game (then its rematches) played by two bots in this process at a steady pace,
// followed by `spectators` bots spread over every gateway and held by client processes of their own
// (load/fleet/, `spectatorsPerProcess` each), so that the gateways' cores are not the clients'.
// Delivery is measured from the mover's `ok` (taken here) to each spectator receiving that version
// (taken in its process), both on CLOCK_MONOTONIC (fleet/messages.ts monoMs), and to the LAST one.
import { PlayerBot } from '../bot/player.js';
import { Fleet, total } from '../fleet/fleet.js';
import { monoMs } from '../fleet/messages.js';
import { baseReport, Latency, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';
import { gatewaysCpuSeconds } from './gateway-metrics.js';

/** Spectators per client process unless told otherwise. */
export const SPECTATORS_PER_PROCESS = 2000;

export async function runWatch(o: ScenarioOptions): Promise<LoadReport> {
  const stats = new Stats();
  const n = o.spectators;
  const urls = o.urls;
  /** gameId@version -> when its move was acknowledged (monoMs), for the moves of the measured window. */
  const okAt = new Map<string, number>();
  let measuring = false;
  let watching = 0;
  const think = () => Math.max(1, o.thinkMs);
  const onMoveAcked = (ms: number, gameId: string, version: number) => {
    stats.moveAcked(ms);
    if (measuring) okAt.set(`${gameId}@${version}`, monoMs());
  };
  const sources = Math.max(1, o.sources);
  const guest = new PlayerBot({ conn: botConnection(0, n + 2, { ...o, sources }, stats, 'wB', 1), newGame: 'rematch', thinkMs: think, onMoveAcked, onGameCompleted: () => stats.gameCompleted() });
  const host = new PlayerBot({ conn: botConnection(1, n + 2, { ...o, sources }, stats, 'wA', 0), newGame: 'rematch', thinkMs: think, onMoveAcked, onGameCompleted: () => stats.gameCompleted() });
  let shown = { open: 0, watching: 0 };
  const progress = new Progress(stats, o.progress, () => `spectators: ${shown.open} open, ${shown.watching}/${n} watching`);
  progress.start();
  await rampUp([host, guest].map((b) => ({ start: () => b.start(), stop: () => b.stop(), ready: b.conn.ready })));
  const made = await host.conn.request({ t: 'create' });
  if (made.t !== 'ok' || !made.gameId || !made.code) throw new Error(`could not create the watched game: ${JSON.stringify(made)}`);
  const fleet = new Fleet({
    role: 'spectators', urls, total: n, perProcess: o.perProcess ?? SPECTATORS_PER_PROCESS, sources, gameId: made.gameId,
    rampInFlight: o.rampInFlight, cpus: o.clientCpus,
  });
  try {
    fleet.start();
    await fleet.status(); // every client process is up before the spectators connect
    const unpoll = fleet.poll(1000, (st) => { shown = st; });
    const ready = total(await fleet.ramp(1));
    unpoll();
    shown = ready;
    watching = ready.watching;
    measuring = true;
    const cpu0 = await gatewaysCpuSeconds(urls);
    const clients0 = await fleet.cpuSeconds();
    const own0 = process.cpuUsage();
    stats.begin();
    guest.join(made.code);
    await sleep(o.durationS * 1000);
    stats.endedAt = performance.now();
    measuring = false;
    host.stop();
    guest.stop();
    // the last versions reach the spectators: wait (bounded) until every one has them all
    const drainDeadline = performance.now() + 5000;
    for (;;) {
      const counts = await fleet.counts();
      if ([...okAt.keys()].every((k) => (counts.get(k) ?? 0) >= watching) || performance.now() > drainDeadline) break;
      await sleep(100);
    }
    const cpu1 = await gatewaysCpuSeconds(urls);
    const clients1 = await fleet.cpuSeconds();
    const own = process.cpuUsage(own0);
    const end = total(await fleet.status());
    const got = await fleet.times([...okAt.keys()]);
    progress.stop();
    const each = new Latency();
    const last = new Latency();
    let incomplete = 0;
    for (const [key, ok] of okAt) {
      const list = got.get(key) ?? [];
      // a spectator may get the state a little before the mover gets its ok: counted as 0
      for (const t of list) each.record(Math.max(0, t - ok));
      if (list.length >= watching && list.length > 0) last.record(Math.max(0, Math.max(...list) - ok)); else incomplete++;
    }
    const deliveries = each.count;
    const errors = { ...stats.errors };
    for (const [k, v] of Object.entries(end.errors)) errors[k] = (errors[k] ?? 0) + v;
    const r = baseReport('watch', stats);
    await stopAll([() => host.stop(), () => guest.stop()], stats);
    return {
      ...r, errors, connections_peak: r.connections_peak + end.peak,
      spectators: n, spectators_watching: watching, handshakes_retried: ready.retried, gateways: urls.length, client_processes: fleet.children.length,
      clients_pinned_to: o.clientCpus ?? null,
      clock: 'CLOCK_MONOTONIC (process.hrtime.bigint) in every process',
      delivery_ms: each.summary(), delivery_last_ms: last.summary(),
      deliveries, versions: okAt.size, versions_incomplete: incomplete,
      // what one delivery costs: the gateways' CPU (all of them) and the spectators' client processes' CPU
      gateway_cpu_us_per_delivery: cpu0 !== null && cpu1 !== null && deliveries ? Math.round(((cpu1 - cpu0) * 1e6 * 100) / deliveries) / 100 : null,
      client_cpu_us_per_delivery: deliveries ? Math.round(((clients1 - clients0) * 1e6 * 100) / deliveries) / 100 : null,
      mover_cpu_ms: Math.round((own.user + own.system) / 1000),
      client_rss_mib: Math.round(end.rssBytes / 2 ** 20),
    };
  } finally {
    progress.stop();
    host.stop();
    guest.stop();
    await fleet.stop();
  }
}
