// What every scenario shares: the options, a bot connection for the i-th bot (its gateway and its
// source address), the ramp-up that keeps a bounded number of handshakes in flight, and the
// measured window.
import { BotConnection } from '../bot/connection.js';
import type { Recorder } from '../bot/recorder.js';
import type { Variant } from '../../shared/variant.js';
import type { Stats } from '../stats.js';

export interface ScenarioOptions {
  /** WebSocket URLs of the gateways; bots are spread over them. */
  urls: string[];
  durationS: number;
  /** play/private/computer: concurrent games (of N bots each; one bot against the computer). */
  games: number;
  /** play/private/computer: the variant played (absent: the classic game). */
  variant?: Variant;
  /** Pause before each move (ms): 0 plays as fast as the server answers. */
  thinkMs: number;
  /** watch: spectators of the one game. */
  spectators: number;
  /** idle: connected players. */
  connections: number;
  /** Source addresses 127.0.0.1..N the bots bind to (one address runs out of ports near 28k sockets). */
  sources: number;
  /** Where the live progress line goes (null: none). */
  progress: NodeJS.WriteStream | null;
  recorder?: Recorder;
  /** Handshakes in flight at once during the ramp-up. */
  rampInFlight?: number;
  /** idle: run before each memory reading (the bench forces a full GC in the gateways). */
  settle?(): Promise<void>;
  /** watch, idle: connections per client process (load/fleet/); default per scenario. */
  perProcess?: number;
  /** watch, idle: CPUs the client processes are pinned to (taskset -c LIST); none: not pinned. */
  clientCpus?: string;
  /** idle: how long the final pings may take to be answered (default 60 s). */
  pingTimeoutMs?: number;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The source address of the i-th of `total` bots when spread over `sources` addresses. */
export function sourceAddress(i: number, total: number, sources: number): string | undefined {
  if (sources <= 1) return undefined;
  const per = Math.ceil(total / Math.min(sources, 254));
  return `127.0.0.${1 + Math.floor(i / per)}`;
}

/** How many source addresses `total` connections need (at most ~10k sockets from one address). */
export const sourcesFor = (total: number): number => Math.min(254, Math.max(1, Math.ceil(total / 10_000)));

export function botConnection(i: number, total: number, o: ScenarioOptions, stats: Stats, label: string, urlIndex = i): BotConnection {
  return new BotConnection({
    urls: o.urls, first: urlIndex % o.urls.length, label, name: label.slice(0, 24),
    localAddress: sourceAddress(i, total, o.sources), stats, recorder: o.recorder,
  });
}

/** Something the ramp-up starts: a bot or a bare connection. */
export interface Startable { start(): void; stop(): void; readonly ready: Promise<void> }

/**
 * Starts every connection, at most `inFlight` not yet welcomed at a time; resolves when all are
 * welcomed or ended. A connection not welcomed within `stallMs` (no gateway answers) stops them
 * all and throws.
 */
export async function rampUp(conns: Startable[], inFlight = 256, stallMs = 20_000): Promise<void> {
  let next = 0;
  let stalled = false;
  const lane = async () => {
    while (next < conns.length && !stalled) {
      const c = conns[next++];
      c.start();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), stallMs); });
      const got = await Promise.race([c.ready, late]);
      clearTimeout(timer);
      if (got === 'late') stalled = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, conns.length) }, lane));
  if (stalled) {
    for (const c of conns) c.stop();
    throw new Error(`no welcome from the gateways within ${stallMs / 1000} s: are they up and reachable?`);
  }
}

/** Stops the bots and waits (bounded) until their sockets are closed. */
export async function stopAll(stops: (() => void)[], stats: Stats, timeoutMs = 5000): Promise<void> {
  for (const s of stops) s();
  const deadline = performance.now() + timeoutMs;
  while (stats.open > 0 && performance.now() < deadline) await sleep(20);
}
