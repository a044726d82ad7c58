// The chaos experiment's recorder: what every bot and spectator sent, what was acknowledged (with
// its version), every snapshot each of them saw, and when they lost and regained their session.
// Checks that need only the observations (forks, regressions, rollbacks) are made as they arrive.
import { classifyState } from '../../shared/client/versions.js';
import type { GameSnapshot } from '../../shared/protocol.js';
import type { MoveAttempt, Recorder } from '../bot/recorder.js';

export interface MoveRecord {
  mid: string;
  observer: string;
  playerId: string;
  gameId: string;
  cell: number;
  firstSentAt: number;
  attempts: number;
  /** The version of every `ok` received for this mid (all equal when it was applied once). */
  acks: number[];
  ackAt: number | null;
  refused: string | null;
}

export interface Seen { board: string; status: string; observer: string; at: number }
export interface Fork { gameId: string; version: number; a: Seen; b: Seen }
/** An observer got a lower version than one it had: without reset (a regression) or with it (a rollback of the store). */
export interface Regression { observer: string; gameId: string; from: number; to: number; at: number }
export interface Reconnection { observer: string; gateway: string; lostAt: number; resumedAt: number }

export class History implements Recorder {
  readonly moves = new Map<string, MoveRecord>();
  /** gameId -> version -> what was seen first at that version. */
  readonly versions = new Map<string, Map<number, Seen>>();
  /** gameId -> when its newest version was first seen. */
  readonly lastChange = new Map<string, number>();
  readonly seats = new Map<string, { X: string | null; O: string | null }>();
  readonly forks: Fork[] = [];
  readonly regressions: Regression[] = [];
  readonly rollbacks: Regression[] = [];
  readonly reconnections: Reconnection[] = [];
  readonly errors: Record<string, number> = {};
  /** observer -> player id (its latest welcome). */
  readonly players = new Map<string, string>();
  retries = 0;
  snapshots = 0;
  private readonly highest = new Map<string, number>();
  private readonly lost = new Map<string, { at: number; gateway: string; welcomedAt: number | null }>();

  constructor(private readonly isSpectator: (observer: string) => boolean = () => false) {}

  connected(observer: string, w: { gateway: string; playerId: string; resumed: boolean; games: number }, at: number): void {
    this.players.set(observer, w.playerId);
    const l = this.lost.get(observer);
    if (!l) return;
    l.welcomedAt = at;
    // a player without an unfinished game is resumed by the welcome itself
    if (w.games === 0 && !this.isSpectator(observer)) this.resumed(observer, at);
  }

  disconnected(observer: string, gateway: string, _code: number, at: number): void {
    if (!this.lost.has(observer)) this.lost.set(observer, { at, gateway, welcomedAt: null });
  }

  private resumed(observer: string, at: number): void {
    const l = this.lost.get(observer);
    if (!l) return;
    this.lost.delete(observer);
    this.reconnections.push({ observer, gateway: l.gateway, lostAt: l.at, resumedAt: at });
  }

  /** Sessions lost and not resumed by the end. */
  get unresumed(): number { return this.lost.size; }

  sent(observer: string, m: MoveAttempt, at: number): void {
    let r = this.moves.get(m.mid);
    if (!r) {
      r = { mid: m.mid, observer, playerId: this.players.get(observer) ?? '', gameId: m.gameId, cell: m.cell, firstSentAt: at, attempts: 0, acks: [], ackAt: null, refused: null };
      this.moves.set(m.mid, r);
    }
    r.attempts = Math.max(r.attempts, m.attempt);
    if (m.attempt > 1) this.retries++;
  }

  acked(_observer: string, m: MoveAttempt, version: number, at: number): void {
    const r = this.moves.get(m.mid);
    if (!r) return;
    r.acks.push(version);
    r.ackAt ??= at;
  }

  rejected(_observer: string, m: MoveAttempt, code: string): void {
    const r = this.moves.get(m.mid);
    if (r) r.refused = code;
  }

  error(_observer: string, code: string): void { this.errors[code] = (this.errors[code] ?? 0) + 1; }

  snapshot(observer: string, g: GameSnapshot, at: number, reset = false): void {
    this.snapshots++;
    const l = this.lost.get(observer);
    if (l?.welcomedAt) this.resumed(observer, at);
    const key = `${observer}|${g.id}`;
    const prev = this.highest.get(key);
    const arrival = classifyState(prev, g.version, reset);
    // a reset replaces what the observer holds, so later versions are judged against it
    if (arrival === 'older') this.regressions.push({ observer, gameId: g.id, from: prev!, to: g.version, at });
    else if (arrival === 'rolled-back') this.rollbacks.push({ observer, gameId: g.id, from: prev!, to: g.version, at });
    if (arrival !== 'older' && arrival !== 'duplicate') this.highest.set(key, g.version);
    let vs = this.versions.get(g.id);
    if (!vs) {
      this.versions.set(g.id, (vs = new Map()));
      this.seats.set(g.id, { X: g.players.X?.id ?? null, O: g.players.O?.id ?? null });
    }
    const seen = vs.get(g.version);
    if (!seen) {
      vs.set(g.version, { board: g.board, status: g.status, observer, at });
      if (g.version === Math.max(...vs.keys())) this.lastChange.set(g.id, at);
      if (g.players.O && !this.seats.get(g.id)!.O) this.seats.set(g.id, { X: g.players.X?.id ?? null, O: g.players.O.id });
    } else if (seen.board !== g.board || seen.status !== g.status) {
      this.forks.push({ gameId: g.id, version: g.version, a: seen, b: { board: g.board, status: g.status, observer, at } });
    }
  }

  /** A game's story for a violation report: each version seen (board, status, first observer) and its moves. */
  story(gameId: string, t0 = 0): string {
    const vs = [...(this.versions.get(gameId) ?? new Map<number, Seen>())].sort((a, b) => a[0] - b[0]);
    const lines = vs.map(([v, s]) => `    v${v} ${s.board} ${s.status} (first seen by ${s.observer} at ${((s.at - t0) / 1000).toFixed(3)} s)`);
    for (const m of this.moves.values()) {
      if (m.gameId !== gameId) continue;
      lines.push(`    move ${m.mid} cell ${m.cell} by ${m.observer}: sent at ${((m.firstSentAt - t0) / 1000).toFixed(3)} s, ${m.attempts} attempt(s), ` +
        `${m.acks.length ? `acked at v${m.acks.join('/v')}` : m.refused ? `refused ${m.refused}` : 'never answered'}`);
    }
    return lines.join('\n');
  }
}
