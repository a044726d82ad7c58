// `watch`: one game (then its rematches) played by two bots at a steady pace, followed by
// `spectators` bots spread over every gateway. Delivery is measured from the mover's `ok` to each
// spectator receiving that version (all in this process, one clock), and to the LAST spectator.
import { BotConnection } from '../bot/connection.js';
import { PlayerBot } from '../bot/player.js';
import { SpectatorBot } from '../bot/spectator.js';
import { baseReport, Latency, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';
import { gatewaysCpuSeconds } from './gateway-metrics.js';

/** Per version: when the move was acknowledged, how many spectators have it, when the last one got it. */
class Delivery {
  readonly each = new Latency();
  readonly last = new Latency();
  incomplete = 0;
  private readonly okAt = new Map<string, number>();
  private readonly seen = new Map<string, { n: number; maxAt: number; early: number[] }>();
  measuring = false;
  constructor(private readonly expected: () => number) {}

  acked(gameId: string, version: number, at: number): void {
    if (!this.measuring) return;
    const key = `${gameId}@${version}`;
    this.okAt.set(key, at);
    const s = this.seen.get(key);
    if (s) { for (const t of s.early) this.each.record(Math.max(0, t - at)); s.early = []; this.complete(key); }
  }

  received(gameId: string, version: number, at: number): void {
    if (!this.measuring) return;
    const key = `${gameId}@${version}`;
    let s = this.seen.get(key);
    if (!s) this.seen.set(key, (s = { n: 0, maxAt: 0, early: [] }));
    s.n++;
    s.maxAt = Math.max(s.maxAt, at);
    const ok = this.okAt.get(key);
    if (ok === undefined) s.early.push(at); else this.each.record(Math.max(0, at - ok));
    this.complete(key);
  }

  private complete(key: string): void {
    const s = this.seen.get(key);
    const ok = this.okAt.get(key);
    if (!s || ok === undefined || s.n < this.expected()) return;
    this.last.record(Math.max(0, s.maxAt - ok));
    this.seen.delete(key);
    this.okAt.delete(key);
  }

  /** Versions acknowledged that did not reach every spectator by the end. */
  finish(): void { this.incomplete = this.okAt.size; }
}

export async function runWatch(o: ScenarioOptions): Promise<LoadReport> {
  const stats = new Stats();
  const n = o.spectators;
  const total = n + 2;
  const urls = o.urls;
  let watching = 0;
  const delivery = new Delivery(() => watching);
  const think = () => Math.max(1, o.thinkMs);
  const onMoveAcked = (ms: number, gameId: string, version: number) => {
    stats.moveAcked(ms);
    delivery.acked(gameId, version, performance.now());
  };
  const guest = new PlayerBot({ conn: botConnection(0, total, o, stats, 'wB', 1), newGame: 'rematch', thinkMs: think, onMoveAcked, onGameCompleted: () => stats.gameCompleted() });
  const host = new PlayerBot({ conn: botConnection(1, total, o, stats, 'wA', 0), newGame: 'rematch', thinkMs: think, onMoveAcked, onGameCompleted: () => stats.gameCompleted() });
  const progress = new Progress(stats, o.progress, () => `watching ${watching}/${n}  delivery p99 ${delivery.each.at(99).toFixed(2)} ms`);
  progress.start();
  await rampUp([host, guest].map((b) => ({ start: () => b.start(), stop: () => b.stop(), ready: b.conn.ready })));
  const made = await host.conn.request({ t: 'create' });
  if (made.t !== 'ok' || !made.gameId || !made.code) throw new Error(`could not create the watched game: ${JSON.stringify(made)}`);
  const first = made.gameId;
  const spectators: SpectatorBot[] = [];
  for (let i = 0; i < n; i++) {
    const conn: BotConnection = botConnection(i + 2, total, o, stats, `s${i}`, i);
    spectators.push(new SpectatorBot({
      conn, target: () => host.game?.id ?? first,
      onWatching: () => { watching++; },
      onVersion: (g, v, at) => delivery.received(g, v, at),
    }));
  }
  await rampUp(spectators.map((s) => ({ start: () => s.start(), stop: () => s.stop(), ready: s.conn.ready })), o.rampInFlight);
  const deadline = performance.now() + 30_000;
  while (watching < n && performance.now() < deadline && spectators.some((s) => !s.conn.ended && !s.watching)) await sleep(20);
  delivery.measuring = true;
  const cpu0 = await gatewaysCpuSeconds(urls);
  const own0 = process.cpuUsage();
  stats.begin();
  guest.join(made.code);
  await sleep(o.durationS * 1000);
  stats.endedAt = performance.now();
  host.stop();
  guest.stop();
  await sleep(500); // the last versions reach the spectators
  delivery.finish();
  const cpu1 = await gatewaysCpuSeconds(urls);
  const own = process.cpuUsage(own0);
  const n0 = delivery.each.count;
  progress.stop();
  await stopAll(spectators.map((s) => () => s.stop()), stats);
  return {
    ...baseReport('watch', stats),
    spectators: n, spectators_watching: watching, gateways: urls.length,
    delivery_ms: delivery.each.summary(), delivery_last_ms: delivery.last.summary(),
    deliveries: n0, versions_incomplete: delivery.incomplete,
    // what one delivery costs: the gateways' CPU (all of them) and this bot process's CPU
    gateway_cpu_us_per_delivery: cpu0 !== null && cpu1 !== null && n0 ? Math.round(((cpu1 - cpu0) * 1e6 * 10) / n0) / 10 : null,
    bot_cpu_us_per_delivery: n0 ? Math.round(((own.user + own.system) * 10) / n0) / 10 : null,
  };
}
