// The hypothesis (printed at the start) and the verdict with its figures (at the end).
import { Latency, table, type Percentiles } from '../stats.js';
import type { ChaosOptions, ChaosRun } from './experiment.js';
import type { ViolationKind } from './checker.js';

export const MIN_RATE = 200;
export const MIN_SHARE = 0.999;
export const ACK_WITHIN_MS = 2000;
/** "About 20% of the gateways down": the measured share of gateway-time must reach this, or the fault was too weak to test the hypothesis. */
export const MIN_DOWN_SHARE = 0.15;

export function hypothesis(o: ChaosOptions, minRate = MIN_RATE): string {
  const parts: string[] = [];
  if (o.faults.includes('gateway-kill')) {
    parts.push(`with about 20% of the ${o.gateways} gateways down at any time (a random one SIGKILLed every ${o.killEveryS} s, restarted after ${o.restartDelayMs} ms; at least ${MIN_DOWN_SHARE * 100}% of gateway-time down)`);
  }
  if (o.faults.includes('primary-kill')) {
    parts.push(o.redisMode === 'cluster'
      ? `with the primary of a random shard of the Redis Cluster SIGKILLed every ${o.primaryKillEveryS ?? 20} s (its replica promoted by the cluster, the old primary restarted as a replica after ${o.restartDelayMs} ms)`
      : `with the Redis primary SIGKILLed every ${o.primaryKillEveryS ?? 20} s (a replica promoted by the Sentinels, the old primary restarted as a replica after ${o.restartDelayMs} ms)`);
  }
  if (o.faults.includes('redis-restart')) {
    parts.push(`with Redis stopped for ${o.redisDownS} s at ${o.redisAtS} s and started again with its data (AOF), the gateways answering UNAVAILABLE meanwhile`);
  }
  const blackout = o.faults.includes('primary-kill') || o.faults.includes('redis-restart') ? ' (outside the seconds no write can be made)' : '';
  return `Hypothesis: at >= ${minRate} moves/s${blackout} ${parts.join(' and ')}, at least ${MIN_SHARE * 100}% of moves are acknowledged within ` +
    `${ACK_WITHIN_MS / 1000} s of first being sent, retries included${o.faults.includes('redis-restart') ? ' (for a move caught by the Redis outage: of Redis being back)' : ''}`
    + `${o.faults.includes('primary-kill') ? ' (for a move caught by a failover: of every gateway being ready again)' : ''}; ` +
    'zero acknowledged moves lost; zero games lost, forked, rolled back or stuck.';
}

export interface Verdict {
  held: boolean;
  /** Acknowledged moves per second over the whole run. */
  movesPerS: number;
  /** The same outside the windows without writes (a Redis outage, each failover): the steady state the hypothesis is about. */
  steadyPerS: number;
  /** Seconds without writes: the union of those windows. */
  blackoutS: number;
  moves: { sent: number; acked: number; within: number; refused: number; unanswered: number };
  share: number;
  reconnect: Percentiles & { n: number; unresumed: number };
  /** primary-kill: per kill, the write gap from the SIGKILL to the first move acknowledged after it (ms). */
  writeGap: Percentiles & { n: number };
  byKind: Partial<Record<ViolationKind, number>>;
  reasons: string[];
}

/** `minRate` and `minDownShare` are lowered only by the short test run, which asserts correctness, not load. */
export function judge(run: ChaosRun, minRate = MIN_RATE, minDownShare = MIN_DOWN_SHARE): Verdict {
  const { history: h, outage } = run;
  const secs = (run.pausedAt - run.t0) / 1000;
  // windows without writes: the Redis outage, and each failover (a kill to the first ack after it)
  const gaps = new Latency();
  const windows: { from: number; to: number }[] = outage ? [{ from: outage.stopAt, to: outage.backAt }] : [];
  for (const k of run.primaryKills) {
    // a write after the kill: a move first sent after it, or a resent one (an answer that arrives
    // just after the kill without a resend was written before it)
    const first = [...h.moves.values()].reduce<number | undefined>((a, m) => (m.ackAt !== null && m.ackAt > k.at
      && (m.firstSentAt > k.at || m.attempts > 1) && (a === undefined || m.ackAt < a) ? m.ackAt : a), undefined);
    if (first === undefined) continue; // (a move caught by it: counted from every gateway ready again)
    gaps.record(first - k.at);
    windows.push({ from: k.at, to: Math.max(first, k.readyAt) });
  }
  let acked = 0, within = 0, refused = 0, unanswered = 0;
  for (const m of h.moves.values()) {
    if (m.ackAt !== null) {
      acked++;
      const caught = windows.filter((w) => m.firstSentAt < w.to && m.ackAt! > w.from).pop();
      const base = caught ? Math.max(m.firstSentAt, caught.to) : m.firstSentAt;
      if (m.ackAt - base <= ACK_WITHIN_MS) within++;
    } else if (m.refused) refused++;
    else unanswered++;
  }
  const sent = h.moves.size;
  const share = sent ? within / sent : 0;
  const lat = new Latency();
  for (const r of h.reconnections) {
    const kill = run.kills.filter((k) => k.gateway === r.gateway && k.at <= r.lostAt + 100 && k.at >= r.lostAt - 5000).pop();
    lat.record(r.resumedAt - (kill?.at ?? r.lostAt));
  }
  const byKind: Verdict['byKind'] = {};
  for (const v of run.check.violations) byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
  const movesPerS = secs > 0 ? acked / secs : 0;
  // while no write can be made (Redis down, a failover under way) the bots wait: the load the
  // hypothesis names is the rate outside those windows
  const blackoutS = union(windows, run.t0, run.pausedAt) / 1000;
  const steadyPerS = secs > blackoutS ? acked / (secs - blackoutS) : 0;
  const reasons: string[] = [];
  if (steadyPerS < minRate) reasons.push(`the rate was ${steadyPerS.toFixed(1)} moves/s${blackoutS ? ` outside the ${blackoutS.toFixed(1)} s without writes` : ''}, under ${minRate}`);
  if (share < MIN_SHARE) reasons.push(`${(share * 100).toFixed(2)}% of moves were acknowledged within ${ACK_WITHIN_MS / 1000} s, under ${MIN_SHARE * 100}%`);
  if (run.check.violations.length) reasons.push(`${run.check.violations.length} violation(s) of the history`);
  if (run.gatewayRollbacks) reasons.push(`the gateways read ${run.gatewayRollbacks} game(s) at a lower version than they had forwarded (trine_rollbacks_total)`);
  if (run.o.faults.includes('redis-restart') && !outage) reasons.push('the Redis restart did not happen');
  if (run.o.faults.includes('primary-kill') && !run.primaryKills.length) reasons.push('no primary was killed (run longer than --kill-every)');
  if (run.o.faults.includes('gateway-kill') && run.downShare < minDownShare) {
    reasons.push(`the gateways were down ${(run.downShare * 100).toFixed(1)}% of the time, under ${minDownShare * 100}%: the fault was too weak to test the hypothesis (kill more often)`);
  }
  if (outage && !outage.notReadySeen && !h.errors.UNAVAILABLE) reasons.push('no gateway said it was unavailable while Redis was down');
  return {
    held: reasons.length === 0, movesPerS, steadyPerS, blackoutS, moves: { sent, acked, within, refused, unanswered }, share,
    reconnect: { ...lat.summary(), n: lat.count, unresumed: run.unresumed }, writeGap: { ...gaps.summary(), n: gaps.count }, byKind, reasons,
  };
}

export function report(run: ChaosRun, v: Verdict, minRate = MIN_RATE): string {
  const h = run.history;
  const c = run.check;
  const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
  const errs = Object.entries(h.errors).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const rows: [string, string][] = [
    ['duration', `${((run.pausedAt - run.t0) / 1000).toFixed(1)} s, ${run.o.gateways} gateways, ${run.o.games} games at a time (${run.o.games * 2} players), ${run.o.spectators} spectators`],
    ['moves/s', v.blackoutS
      ? `${v.steadyPerS.toFixed(1)} acknowledged outside the ${v.blackoutS.toFixed(1)} s without writes (>= ${minRate}: ${v.steadyPerS >= minRate ? 'yes' : 'no'}); ${v.movesPerS.toFixed(1)} over the whole run`
      : `${v.movesPerS.toFixed(1)} acknowledged (>= ${minRate}: ${v.movesPerS >= minRate ? 'yes' : 'no'})`],
    ['acked within 2 s', `${pct(v.share)} (${v.moves.within} of ${v.moves.sent} moves sent; >= ${MIN_SHARE * 100}%: ${v.share >= MIN_SHARE ? 'yes' : 'no'})`],
    ['moves', `${v.moves.sent} sent, ${v.moves.acked} acknowledged, ${v.moves.refused} refused, ${v.moves.unanswered} never answered`],
    ['retries', `${h.retries} resends of a pending move (same mid)`],
    ...(run.o.faults.includes('gateway-kill') ? [
      ['kills', `${run.kills.length} SIGKILLs (${run.kills.map((k) => k.gateway).join(' ') || '-'}), ${run.skipped} deferred until a gateway was back (20% already down), ${run.restarts} restarts`],
      ['gateways down', `${(run.downShare * 100).toFixed(1)}% of gateway-time on average (from a kill to /readyz 200 again)`],
    ] as [string, string][] : []),
    ['reconnection', v.reconnect.n ? `kill -> resumed snapshot: p50 ${v.reconnect.p50} ms, p99 ${v.reconnect.p99} ms, max ${v.reconnect.max} ms (${v.reconnect.n} sessions; ${v.reconnect.unresumed} not resumed)` : 'none'],
  ];
  if (run.o.faults.includes('primary-kill')) {
    const g = v.writeGap;
    rows.push(['failovers', `${run.primaryKills.length} primary SIGKILLs, ${run.failovers} failovers seen; write gap (kill -> first acknowledged move) `
      + `${g.n ? `p50 ${Math.round(g.p50)} ms, max ${Math.round(g.max)} ms` : 'none measured'}; UNAVAILABLE answers ${h.errors.UNAVAILABLE ?? 0}`]);
  }
  if (run.outage) {
    rows.push(['redis restart', `down ${((run.outage.backAt - run.outage.stopAt) / 1000).toFixed(1)} s; /readyz 503 seen ${run.outage.notReadySeen} times; UNAVAILABLE answers ${h.errors.UNAVAILABLE ?? 0}`]);
  }
  rows.push(
    ['games', `${c.games.seen} seen: ${c.games.finished} finished, ${c.games.unfinished} unfinished (${c.games.probed} resumed for real by the checker)`],
    ['history', `${h.snapshots} snapshots and ${c.acked} acknowledged moves checked against Redis`],
    ['store', `acknowledged moves lost ${v.byKind['ack-lost'] ?? 0}, forks ${v.byKind.fork ?? 0}, rollbacks seen by clients ${v.byKind['rolled-back'] ?? 0}, `
      + `trine_rollbacks_total ${run.gatewayRollbacks ?? 'not read (a gateway did not answer)'} (summed over the gateways)`],
    ['error answers', errs],
    ['violations', c.violations.length ? Object.entries(v.byKind).map(([k, n]) => `${k} ${n}`).join(', ') : 'none'],
  );
  const lines = [`Verdict: the hypothesis ${v.held ? 'HELD' : 'was REFUTED'}${v.reasons.length ? ` (${v.reasons.join('; ')})` : ''}.`, table(rows)];
  const shown = new Set<string>();
  for (const x of c.violations.slice(0, 50)) {
    lines.push(`  VIOLATION ${x.kind} in game ${x.gameId}: ${x.detail}`);
    if (!shown.has(x.gameId) && shown.size < 10) { shown.add(x.gameId); lines.push(h.story(x.gameId, run.t0)); }
  }
  if (c.violations.length > 50) lines.push(`  ... and ${c.violations.length - 50} more`);
  lines.push(`Gateway logs: ${run.logDir}`);
  return lines.join('\n');
}

/** Total length (ms) of the union of `windows`, clipped to [from, to]. */
function union(windows: { from: number; to: number }[], from: number, to: number): number {
  let total = 0;
  let end = from;
  for (const w of [...windows].sort((a, b) => a.from - b.from)) {
    const a = Math.max(w.from, end);
    const b = Math.min(w.to, to);
    if (b > a) { total += b - a; end = b; }
  }
  return total;
}
