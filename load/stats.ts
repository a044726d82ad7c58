// What a load run counts: connections (open, peak), games, acknowledged moves and their latency
// in an HDR histogram (microsecond resolution, no array of samples), and errors by code. Also the
// live progress line (once a second) and the human table at the end.
import * as hdr from 'hdr-histogram-js';
import type { ConnStats } from './bot/connection.js';

export interface Percentiles { p50: number; p95: number; p99: number; max: number }

/** Milliseconds recorded as microseconds in an HDR histogram (3 significant digits). */
export class Latency {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  get count(): number { return this.h.totalCount; }
  record(ms: number): void { this.h.recordValue(Math.max(1, Math.round(ms * 1000))); }
  at(percentile: number): number { return this.h.totalCount ? this.h.getValueAtPercentile(percentile) / 1000 : 0; }
  summary(): Percentiles {
    const r = (v: number) => Math.round(v * 100) / 100;
    const max = r(this.h.totalCount ? this.h.maxValue / 1000 : 0);
    // a percentile is the top of its HDR bucket, which can lie a little above the largest value recorded
    const p = (percentile: number) => Math.min(r(this.at(percentile)), max);
    return { p50: p(50), p95: p(95), p99: p(99), max };
  }
}

export class Stats implements ConnStats {
  open = 0;
  peak = 0;
  moves = 0;
  games = 0;
  readonly errors: Record<string, number> = {};
  latency = new Latency();
  /** The computer scenario: from a bot's acknowledged move to the computer's answer arriving. */
  answers = new Latency();
  startedAt = performance.now();
  /** Set when the measured window ends (moves after it still count; the rate uses the window). */
  endedAt = 0;

  /** Starts the measured window (after the ramp-up): moves, games and latency count from here. */
  begin(): void {
    this.startedAt = performance.now();
    this.moves = 0;
    this.games = 0;
    this.latency = new Latency();
    this.answers = new Latency();
  }

  opened(): void { if (++this.open > this.peak) this.peak = this.open; }
  closed(): void { this.open--; }
  error(code: string): void { this.errors[code] = (this.errors[code] ?? 0) + 1; }
  moveAcked(ms: number): void { this.moves++; this.latency.record(ms); }
  gameCompleted(): void { this.games++; }
  get errorCount(): number { return Object.values(this.errors).reduce((a, b) => a + b, 0); }
  get seconds(): number { return ((this.endedAt || performance.now()) - this.startedAt) / 1000; }
}

/** The bots' report (docs/OPERATIONS.md §10, the operator contract), plus what a scenario adds. */
export interface LoadReport {
  scenario: string;
  duration_s: number;
  games_completed: number;
  moves: number;
  moves_per_s: number;
  move_latency_ms: Percentiles;
  errors: Record<string, number>;
  connections_peak: number;
  [extra: string]: unknown;
}

export function baseReport(scenario: string, s: Stats): LoadReport {
  const secs = s.seconds;
  return {
    scenario, duration_s: Math.round(secs * 10) / 10, games_completed: s.games, moves: s.moves,
    moves_per_s: secs > 0 ? Math.round((s.moves / secs) * 10) / 10 : 0,
    move_latency_ms: s.latency.summary(), errors: { ...s.errors }, connections_peak: s.peak,
  };
}

/** One line per second: connections, games, moves/s over the last second, p99 so far, errors. */
export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private lastMoves = 0;
  private lastAt = 0;
  constructor(private readonly s: Stats, private readonly out: NodeJS.WriteStream | null, private readonly extra?: () => string) {}

  start(): void {
    if (!this.out) return;
    this.lastAt = performance.now();
    this.timer = setInterval(() => this.print(), 1000);
  }

  line(): string {
    const now = performance.now();
    const rate = ((this.s.moves - this.lastMoves) * 1000) / Math.max(1, now - this.lastAt);
    this.lastMoves = this.s.moves;
    this.lastAt = now;
    const secs = Math.round((now - this.s.startedAt) / 1000);
    const extra = this.extra ? `  ${this.extra()}` : '';
    return `[${String(secs).padStart(4)}s] conns ${this.s.open}  games ${this.s.games}  moves/s ${Math.round(rate)}  p99 ${this.s.latency.at(99).toFixed(2)} ms  errors ${this.s.errorCount}${extra}`;
  }

  private print(): void {
    const text = this.line();
    if (this.out!.isTTY) this.out!.write(`\r${text}\x1b[K`); else this.out!.write(`${text}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.out?.isTTY) this.out.write('\n');
  }
}

/** A two-column table for people. */
export function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}

export const fmtMs = (p: Percentiles): string => `p50 ${p.p50} ms  p95 ${p.p95} ms  p99 ${p.p99} ms  max ${p.max} ms`;

export function summaryRows(r: LoadReport): [string, string][] {
  const errs = Object.entries(r.errors);
  return [
    ['scenario', r.scenario],
    ['duration', `${r.duration_s} s`],
    ['connections', `peak ${r.connections_peak}`],
    ['games completed', String(r.games_completed)],
    ['moves acked', `${r.moves} (${r.moves_per_s}/s)`],
    ['move latency', r.moves ? fmtMs(r.move_latency_ms) : '-'],
    ['errors', errs.length ? errs.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'],
    ...(r.computer_answer_ms ? [['computer answer', `${fmtMs(r.computer_answer_ms as Percentiles)} (from the move's ok to the computer's move)`] as [string, string]] : []),
  ];
}
