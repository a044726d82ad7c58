// `play` (pairs found by quick match) and `private` (create/join pairs): `games` pairs of bots play
// as fast as the server answers (or with a think time), a new game as soon as one ends.
import { PlayerBot } from '../bot/player.js';
import { baseReport, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';
import { gatewaysCpuSeconds } from './gateway-metrics.js';

export async function runPlay(o: ScenarioOptions, mode: 'queue' | 'private'): Promise<LoadReport> {
  const stats = new Stats();
  const total = o.games * 2;
  const think = o.thinkMs > 0 ? () => o.thinkMs * (0.5 + Math.random()) : () => 0;
  const bots: PlayerBot[] = [];
  for (let i = 0; i < o.games; i++) {
    // the two bots of a pair start on different gateways
    const a = botConnection(2 * i, total, o, stats, `p${i}a`, i);
    const b = botConnection(2 * i + 1, total, o, stats, `p${i}b`, i + 1);
    const common = {
      thinkMs: think,
      onMoveAcked: (ms: number) => stats.moveAcked(ms),
      onGameCompleted: () => stats.gameCompleted(),
    };
    const guest = new PlayerBot({ ...common, conn: b, newGame: mode === 'queue' ? 'queue' : 'guest' });
    const host = new PlayerBot({ ...common, conn: a, newGame: mode === 'queue' ? 'queue' : 'host', partner: guest });
    bots.push(host, guest);
  }
  const progress = new Progress(stats, o.progress);
  progress.start();
  await rampUp(bots.map((b) => ({ start: () => b.start(), stop: () => b.stop(), ready: b.conn.ready })), o.rampInFlight);
  const cpu0 = await gatewaysCpuSeconds(o.urls);
  const own0 = process.cpuUsage();
  stats.begin();
  await sleep(o.durationS * 1000);
  stats.endedAt = performance.now();
  const cpu1 = await gatewaysCpuSeconds(o.urls);
  const own = process.cpuUsage(own0);
  progress.stop();
  await stopAll(bots.map((b) => () => b.stop()), stats);
  const r = baseReport(mode === 'queue' ? 'play' : 'private', stats);
  // what a move costs the gateways (all of them together), from their own CPU counters
  r.gateway_cpu_us_per_move = cpu0 !== null && cpu1 !== null && r.moves ? Math.round(((cpu1 - cpu0) * 1e6) / r.moves) : null;
  r.bot_cpu_us_per_move = r.moves ? Math.round((own.user + own.system) / r.moves) : null;
  return r;
}
