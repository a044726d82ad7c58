// `play` (groups found by quick match), `private` (create/join groups) and `computer` (each bot
// against the computer): `games` games at once, played as fast as the server answers (or with a
// think time), a new game as soon as one ends. With a variant of N players a game is N bots.
import { PlayerBot, type NewGame } from '../bot/player.js';
import { baseReport, Progress, Stats, type LoadReport } from '../stats.js';
import { botConnection, rampUp, sleep, stopAll, type ScenarioOptions } from './common.js';
import { gatewaysCpuSeconds } from './gateway-metrics.js';

export type PlayMode = 'queue' | 'private' | 'computer';

/** Bots per game: the variant's players, one against the computer. */
export const botsPerGame = (o: Pick<ScenarioOptions, 'variant'>, mode: PlayMode): number => (mode === 'computer' ? 1 : o.variant?.players ?? 2);

export async function runPlay(o: ScenarioOptions, mode: PlayMode): Promise<LoadReport> {
  const stats = new Stats();
  const per = botsPerGame(o, mode);
  const total = o.games * per;
  const think = o.thinkMs > 0 ? () => o.thinkMs * (0.5 + Math.random()) : () => 0;
  const bots: PlayerBot[] = [];
  const common = {
    thinkMs: think, variant: o.variant,
    onMoveAcked: (ms: number) => stats.moveAcked(ms),
    onGameCompleted: () => stats.gameCompleted(),
    onAnswered: mode === 'computer' ? (ms: number) => stats.answers.record(ms) : undefined,
  };
  for (let i = 0; i < o.games; i++) {
    // the bots of a game start on different gateways
    const conn = (j: number) => botConnection(per * i + j, total, o, stats, `p${i}${String.fromCharCode(97 + j)}`, i + j);
    const role = (host: boolean): NewGame => (mode === 'queue' ? 'queue' : mode === 'computer' ? 'computer' : host ? 'host' : 'guest');
    const guests = Array.from({ length: per - 1 }, (_, j) => new PlayerBot({ ...common, conn: conn(j + 1), newGame: role(false) }));
    const host = new PlayerBot({ ...common, conn: conn(0), newGame: role(true), partners: guests });
    bots.push(host, ...guests);
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
  const r = baseReport(mode === 'queue' ? 'play' : mode, stats);
  if (o.variant) r.variant = o.variant;
  if (mode === 'computer') r.computer_answer_ms = stats.answers.summary();
  // what a move costs the gateways (all of them together), from their own CPU counters
  r.gateway_cpu_us_per_move = cpu0 !== null && cpu1 !== null && r.moves ? Math.round(((cpu1 - cpu0) * 1e6) / r.moves) : null;
  r.bot_cpu_us_per_move = r.moves ? Math.round((own.user + own.system) / r.moves) : null;
  return r;
}
