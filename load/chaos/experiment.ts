// The kill-a-gateway experiment: a cluster of its own (Redis with AOF, or a Sentinel group), bots
// playing at a steady rate plus spectators, faults injected on a schedule (SIGKILL of a random
// gateway, a Redis restart, SIGKILL of the current primary), then the bots stop and the history
// checker judges what they recorded against Redis.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster as RedisCluster, Redis } from 'ioredis';
import { Cluster } from '../../server/launcher/cluster.js';
import { freePortRange } from '../../server/launcher/ports.js';
import { ClusterRedis } from '../../server/launcher/redis-cluster.js';
import { SentinelRedis } from '../../server/launcher/sentinel.js';
import { Keys } from '../../server/store/keys.js';
import { BotConnection } from '../bot/connection.js';
import { PlayerBot } from '../bot/player.js';
import { SpectatorBot } from '../bot/spectator.js';
import { sleep } from '../scenarios/common.js';
import { gatewaysCounter } from '../scenarios/gateway-metrics.js';
import { Stats } from '../stats.js';
import { checkHistory, type CheckResult } from './checker.js';
import { History } from './history.js';
import { roleOf } from './mix.js';
import type { ChaosEvent, ChaosOptions, ChaosRun, LiveState } from './types.js';

export type { ChaosEvent, ChaosOptions, ChaosRun, Fault, LiveState } from './types.js';

/**
 * The bots' one backoff policy with a lower ceiling than the page's: the experiment judges how fast
 * the cluster serves again (moves acknowledged within 2 s of a fault), not the clients' patience.
 */
const CHAOS_BACKOFF = { baseMs: 100, capMs: 2000 };
/** primary-kill: the gateways count as ready again once no failover came for this long (ms). */
const QUIET_MS = 5000;

export async function runChaos(o: ChaosOptions, live?: (s: LiveState) => void): Promise<ChaosRun> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-chaos-'));
  const up = new Set<string>();
  const downtime = new Downtime();
  let restarts = 0;
  let failovers = 0;
  let lastFailoverAt = 0;
  const primaryKills: ChaosRun['primaryKills'] = [];
  const emit = (e: ChaosEvent) => o.onEvent?.(e);
  const cluster = new Cluster({
    gateways: o.gateways, host: '127.0.0.1', basePort: await freePortRange(o.gateways), restartDelayMs: o.restartDelayMs,
    redisDataDir: join(dir, 'redis'), redisMode: o.redisMode, env: { LOG_LEVEL: 'info', ...o.env }, clusterFile: join(dir, 'cluster.json'), logDir: join(dir, 'logs'),
    onEvent: (e) => {
      if (e.kind === 'gateway-ready') { up.add(e.id); downtime.up(e.id); }
      if (e.kind === 'gateway-exit') { up.delete(e.id); downtime.down(e.id); }
      if (e.kind === 'gateway-start' && cluster.gateways.find((g) => g.id === e.id)?.restarts) restarts++;
      if (e.kind === 'redis' && e.e.kind === 'failover') { failovers++; lastFailoverAt = performance.now(); }
      emit({ kind: 'cluster', e, at: performance.now() });
    },
  });
  o.onCluster?.(cluster);
  try {
    await cluster.start();
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  const urls = cluster.gateways.map((g) => g.ws);
  const stats = new Stats();
  const history = new History((obs) => obs.startsWith('s'));
  const conn = (label: string, first: number) => new BotConnection({ urls, first, label, name: label, stats, recorder: history, backoff: CHAOS_BACKOFF });
  const thinkMs = (o.games * 1000) / o.rate;
  const players: PlayerBot[] = [];
  for (let i = 0; i < o.games * 2; i++) {
    players.push(new PlayerBot({
      conn: conn(`p${i}`, i), ...roleOf(i, o.mix === true), thinkMs: () => thinkMs * (0.5 + Math.random()),
      onMoveAcked: (ms) => stats.moveAcked(ms), onGameCompleted: () => stats.gameCompleted(),
    }));
  }
  const spectators: SpectatorBot[] = [];
  for (let i = 0; i < o.spectators; i++) {
    const target = players[(i * 2) % players.length];
    spectators.push(new SpectatorBot({ conn: conn(`s${i}`, i + 1), target: () => target.game?.id ?? null, follow: true }));
  }
  const all = [...players.map((p) => p.conn), ...spectators.map((s) => s.conn)];
  const t0 = performance.now();
  downtime.begin(t0);
  stats.begin();
  emit({ kind: 'phase', what: `${players.length} players and ${spectators.length} spectators connect`, at: t0 });
  for (const b of [...players, ...spectators]) b.start();
  const state: LiveState = { cluster, up, conns: all, stats, history, t0 };
  const view = live ? setInterval(() => live(state), 1000) : null;

  const kills: { gateway: string; at: number }[] = [];
  let skipped = 0;
  let outage: ChaosRun['outage'] = null;
  const end = t0 + o.durationS * 1000;
  const faults: Promise<void>[] = [];
  if (o.faults.includes('gateway-kill')) {
    faults.push((async () => {
      const maxDown = Math.max(1, Math.round(o.gateways * 0.2));
      for (let next = t0 + o.killEveryS * 1000; next < end - 1000 && kills.length < (o.maxKills ?? Infinity); next += o.killEveryS * 1000) {
        await sleep(Math.max(0, next - performance.now()));
        // 20% already down: this kill waits for one to be back (deferred, counted), not for the next tick
        if (o.gateways - up.size >= maxDown) {
          skipped++;
          emit({ kind: 'skip', at: performance.now(), down: o.gateways - up.size });
          while (o.gateways - up.size >= maxDown && performance.now() < end - 1000) await sleep(50);
        }
        const alive = cluster.gateways.filter((g) => up.has(g.id) && cluster.alive(g));
        if (!alive.length || performance.now() >= end - 1000) continue;
        const g = alive[Math.floor(Math.random() * alive.length)];
        const at = performance.now();
        up.delete(g.id);
        downtime.down(g.id);
        kills.push({ gateway: g.id, at });
        emit({ kind: 'kill', gateway: g.id, pid: g.proc.pid!, at });
        cluster.kill(g, 'SIGKILL');
      }
    })());
  }
  if (o.faults.includes('redis-restart') && cluster.redis) {
    const redis = cluster.redis;
    faults.push((async () => {
      await sleep(Math.max(0, t0 + o.redisAtS * 1000 - performance.now()));
      const stopAt = performance.now();
      emit({ kind: 'redis', what: 'stopped', at: stopAt });
      await redis.stop();
      let notReadySeen = 0;
      const until = performance.now() + o.redisDownS * 1000;
      while (performance.now() < until) {
        const codes = await Promise.all(cluster.gateways.map((g) => fetch(`${g.url}/readyz`, { signal: AbortSignal.timeout(500) }).then((r) => r.status, () => 0)));
        notReadySeen += codes.filter((c) => c === 503).length;
        await sleep(250);
      }
      await redis.start();
      const backAt = performance.now();
      outage = { stopAt, backAt, notReadySeen };
      emit({ kind: 'redis', what: 'started', at: backAt });
    })());
  }
  if (o.faults.includes('primary-kill')) {
    const topo = cluster.topology;
    if (!(topo instanceof SentinelRedis) && !(topo instanceof ClusterRedis)) throw new Error('the primary-kill fault needs --redis sentinel or cluster');
    // sentinel: the primary the Sentinels name now; cluster: the primary of a random shard
    const pick = async () => (topo instanceof SentinelRedis ? topo.currentPrimary()
      : ((ps) => ps[Math.floor(Math.random() * ps.length)] ?? null)(await topo.currentPrimaries()));
    faults.push((async () => {
      const every = (o.primaryKillEveryS ?? 20) * 1000;
      for (let next = t0 + every; next < end - 1000; next += every) {
        await sleep(Math.max(0, next - performance.now()));
        const primary = await pick();
        if (!primary?.alive) continue;
        const at = performance.now();
        const k = { port: primary.port, at, readyAt: 0 };
        primaryKills.push(k);
        emit({ kind: 'primary-kill', port: primary.port, pid: primary.pid!, at });
        primary.kill();
        // every gateway says 503 until it found the new primary, then 200 again: that is the failover
        // for them. The new primary may itself be failed over seconds later (a Sentinel that found
        // it busy after its promotion): ready means after the last failover, none for QUIET_MS.
        // Gateways down from a gateway kill (not up since) are that fault's, not this one's.
        const before = failovers;
        let lastBad = performance.now();
        while (performance.now() < at + 30_000) {
          const live = cluster.gateways.filter((g) => up.has(g.id) && cluster.alive(g));
          const codes = await Promise.all(live.map((g) => fetch(`${g.url}/readyz`, { signal: AbortSignal.timeout(500) }).then((r) => r.status, () => 0)));
          const now = performance.now();
          if (!codes.length || !codes.every((c) => c === 200)) lastBad = now;
          // cluster: the killed node may come back (restarted) before its replica is promoted, as the primary still:
          // then no failover comes, and every shard having its primary again is the end of this one
          else if ((failovers > before || (topo instanceof ClusterRedis && now - at > 3000 && (await topo.currentPrimaries()).length === 3))
            && now - Math.max(lastBad, lastFailoverAt) > QUIET_MS) break;
          await sleep(100);
        }
        k.readyAt = lastBad;
      }
    })());
  }
  await sleep(Math.max(0, end - performance.now()));
  await Promise.all(faults);

  // stop: no new moves; pending ones finish (retried through reconnections), bounded
  for (const p of players) p.pause();
  const pausedAt = performance.now();
  const downShare = downtime.share(pausedAt, o.gateways);
  stats.endedAt = pausedAt;
  emit({ kind: 'phase', what: 'bots stop making moves; pending moves finish', at: pausedAt });
  const drainBy = performance.now() + 20_000;
  while (players.some((p) => p.conn.movePending) && performance.now() < drainBy) await sleep(50);
  const readyBy = performance.now() + 30_000;
  while (up.size < o.gateways && performance.now() < readyBy) await sleep(100);
  await sleep(500); // the last snapshots reach everyone

  emit({ kind: 'phase', what: 'history checker runs against Redis', at: performance.now() });
  const redis = o.redisMode === 'cluster'
    ? new RedisCluster(cluster.describe().redis.nodes.map((n) => ({ host: n.host, port: n.port })), { redisOptions: { maxRetriesPerRequest: 3 } })
    : new Redis(await cluster.primaryUrl(), { maxRetriesPerRequest: 3 });
  const keys = new Keys('trine');
  let check: CheckResult;
  let unresumed = 0;
  let gatewayRollbacks: number | null = null;
  try {
    if (o.tamper) await o.tamper(redis as Redis, keys, history); // tests tamper in single mode only
    const byPlayer = new Map(players.map((p) => [p.conn.playerId, p.conn.token]));
    check = await checkHistory({
      history, redis, keys, stoppedAt: pausedAt, stuckMs: 10_000,
      probe: (gameId, pid, version) => probe(urls, byPlayer.get(pid) ?? '', gameId, version),
    });
    gatewayRollbacks = await gatewaysCounter(urls, 'trine_rollbacks_total');
  } finally {
    redis.disconnect();
    unresumed = history.unresumed; // before the bots' own stop closes every session
    if (view) clearInterval(view);
    for (const b of [...players, ...spectators]) b.stop();
    await cluster.stop();
  }
  return { o, t0, pausedAt, history, check, kills, skipped, restarts, downShare, outage, primaryKills, failovers, stats, gatewayRollbacks, unresumed, logDir: join(dir, 'logs') };
}

/** Time each gateway spends down (from its death to its next /readyz 200), within the measured window. */
class Downtime {
  private t0 = 0;
  private total = 0;
  private readonly since = new Map<string, number>();
  begin(t0: number): void { this.t0 = t0; this.total = 0; }
  down(id: string): void { if (!this.since.has(id)) this.since.set(id, performance.now()); }
  up(id: string): void {
    const s = this.since.get(id);
    if (s === undefined) return;
    this.since.delete(id);
    if (this.t0) this.total += performance.now() - Math.max(s, this.t0);
  }
  share(end: number, gateways: number): number {
    let t = this.total;
    for (const s of this.since.values()) t += end - Math.max(s, this.t0);
    return t / (gateways * (end - this.t0));
  }
}

/** Resumes a session on a random gateway: null when the welcome lists the game and its current snapshot follows. */
export function probe(urls: string[], token: string, gameId: string, version: number): Promise<string | null> {
  if (!token) return Promise.resolve('no token known for that player');
  const noop = () => {};
  return new Promise((resolve) => {
    const c = new BotConnection({ urls, first: Math.floor(Math.random() * urls.length), label: 'probe', reconnect: false, stats: { opened: noop, closed: noop, error: noop } });
    let done = false;
    const finish = (why: string | null) => { if (done) return; done = true; clearTimeout(t); c.stop(); resolve(why); };
    const t = setTimeout(() => finish('no welcome and state within 5 s'), 5000);
    c.token = token;
    c.handlers = {
      welcome: (w) => { if (!w.resumed) finish('the token was not recognised'); else if (!w.games.includes(gameId)) finish(`the welcome lists ${JSON.stringify(w.games)}`); },
      state: (g) => { if (g.id === gameId) finish(g.version >= version ? null : `state v${g.version}, Redis holds v${version}`); },
      ended: (code) => finish(`the socket closed (${code})`),
    };
    c.start();
  });
}
