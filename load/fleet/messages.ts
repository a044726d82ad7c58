// What the bench (the parent) and its client processes (load/fleet/worker.ts) say to each other
// over the IPC channel of node's child_process, and the one clock they share.

/**
 * Milliseconds of CLOCK_MONOTONIC (process.hrtime.bigint(), libuv's uv_hrtime): one clock for every
 * process of this machine, so a time taken in a client process can be subtracted from one taken in
 * the parent. (performance.timeOrigin + performance.now() is not: its origin is a wall-clock reading
 * taken at each process's start.)
 */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export type Role = 'spectators' | 'idle';

/** The parent's orders. */
export type ToWorker =
  /** Make `count` connections: the global indexes from..from+count-1 of `total` (gateway i % urls, source address). */
  | { t: 'init'; role: Role; urls: string[]; from: number; count: number; total: number; sources: number; gameId?: string; rampInFlight: number }
  /** Start connections (in order) until `upTo` of this worker's have been started; answered `ramped`. */
  | { t: 'ramp'; upTo: number }
  /** Answered `status`: the counts, and this process's CPU time so far. */
  | { t: 'status' }
  /** Answered `counts`: how many spectators received each version (gameId@version) so far. */
  | { t: 'counts' }
  /** Answered `times`: every receive time (monoMs) of each version asked for. */
  | { t: 'times'; keys: string[] }
  /** A protocol `ping` on every welcomed connection, at most `inFlight` unanswered at once; answered `pinged`. */
  | { t: 'ping'; timeoutMs: number; inFlight: number }
  /** Close every connection (bounded), answer `stopped`, exit. */
  | { t: 'stop' };

export interface WorkerStatus {
  /** Sockets open now, most open at once, welcomed sessions, watching spectators, sessions ended. */
  open: number; peak: number; welcomed: number; watching: number; ended: number;
  /** Errors of every connection, those of first handshakes that failed and were tried again included. */
  errors: Record<string, number>;
  /** Connections made again because their first handshake failed (at most twice each). */
  retried: number;
  /** process.cpuUsage() user + system, in seconds. */
  cpuS: number;
  rssBytes: number;
}

export type FromWorker =
  | { t: 'ramped'; status: WorkerStatus }
  | { t: 'status'; status: WorkerStatus }
  | { t: 'counts'; counts: Record<string, number> }
  | { t: 'times'; times: Record<string, number[]> }
  | { t: 'pinged'; sent: number; answered: number; failed: Record<string, number>; status: WorkerStatus }
  | { t: 'stopped' }
  | { t: 'fatal'; message: string };
