// A bot that watches one game (and the rematches that follow it): `watch` after every welcome,
// so a resume on another gateway goes on following it; every newer version is reported.
import type { GameSnapshot } from '../../shared/protocol.js';
import { isFinished } from '../../shared/rules.js';
import { classifyState, keeps } from '../../shared/client/versions.js';
import type { BotConnection, BotHandlers } from './connection.js';

export interface SpectatorOptions {
  conn: BotConnection;
  /** The game to follow now (asked again after every welcome: a rematch may have replaced it). */
  target(): string | null;
  onVersion?(gameId: string, version: number, at: number): void;
  onWatching?(): void;
  /** Move on to target()'s next game when the watched one ends (not needed where rematches carry spectators along). */
  follow?: boolean;
}

export class SpectatorBot implements BotHandlers {
  gameId: string | null = null;
  version = 0;
  watching = false;
  /** The game of the watch request not answered yet. */
  private watchPending: string | null = null;
  private followTimer: NodeJS.Timeout | null = null;

  constructor(readonly o: SpectatorOptions) { o.conn.handlers = this; }

  get conn(): BotConnection { return this.o.conn; }
  start(): void { this.o.conn.start(); }
  stop(): void {
    if (this.followTimer) clearInterval(this.followTimer);
    this.o.conn.stop();
  }

  welcome(): void {
    this.watching = false;
    const id = this.gameId ?? this.o.target();
    if (!id) { if (this.o.follow) this.follow(); return; }
    if (id !== this.gameId) { this.gameId = id; this.version = 0; }
    // following is per socket: watch again after every welcome, unless a watch is still pending (the client resends it)
    if (this.watchPending === id) return;
    this.watchPending = id;
    this.o.conn.request({ t: 'watch', gameId: id }).then(() => {
      if (this.watchPending === id) this.watchPending = null;
      this.watching = true;
      this.o.onWatching?.();
    }, () => {
      // refused (counted in the statistics as it arrived) or the session ended
      if (this.watchPending === id) this.watchPending = null;
    });
  }

  notice(m: { t: 'matched' | 'rematch'; gameId: string; from?: string }): void {
    if (m.t === 'rematch' && m.from === this.gameId) { this.gameId = m.gameId; this.version = 0; }
  }

  state(g: GameSnapshot, reset: boolean): void {
    if (g.id !== this.gameId) return;
    const before = this.version;
    if (!keeps(classifyState(before || undefined, g.version, reset))) return;
    this.version = g.version;
    if (g.version > before) this.o.onVersion?.(g.id, g.version, performance.now());
    if (isFinished(g.status) && this.o.follow) this.follow();
  }

  /** After the watched game ended: watch the target's next game once there is one (polls, bounded by stop). */
  private follow(): void {
    if (this.followTimer) return;
    this.followTimer = setInterval(() => {
      const next = this.o.target();
      if (!this.o.conn.welcomed || !next || next === this.gameId) return;
      clearInterval(this.followTimer!);
      this.followTimer = null;
      const old = this.gameId;
      if (old) this.o.conn.request({ t: 'unwatch', gameId: old }).catch(() => {});
      this.gameId = next;
      this.version = 0;
      this.welcome();
    }, 250);
  }
}
