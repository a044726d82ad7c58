// Fakes of the protocol client's own seams (shared/client/seams.ts) for the client-*.test.ts unit
// tests: a clock whose time moves only when a test says so, and sockets a test plays the gateway on.
// No real socket, no real timer, no sleep.
import { ProtocolClient, type ClientTimings } from '../../shared/client/client.js';
import { GatewayDirectory, type GatewayInfo } from '../../shared/client/gateways.js';
import type { ClientSocket, Clock, OpenSocket, SocketEvents, TimerHandle } from '../../shared/client/seams.js';
import type { ConnState, Push, Welcome } from '../../shared/client/types.js';

export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timers.set(++this.seq, { at: this.t + Math.max(0, ms), fn });
    return this.seq;
  }
  clearTimeout(handle: TimerHandle): void { this.timers.delete(handle as number); }

  /** Moves time on by `ms`, running every timer that falls due, in order (timers set meanwhile included). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }

  /** In how many ms the earliest timer is due (null: none). */
  nextIn(): number | null {
    let min: number | null = null;
    for (const { at } of this.timers.values()) if (min === null || at < min) min = at;
    return min === null ? null : min - this.t;
  }
}

/** One socket; the test plays the gateway's side with open(), reply() and die(). */
export class FakeSocket implements ClientSocket {
  readonly sent: string[] = [];
  closedWith: number | 'no code' | null = null;
  constructor(readonly url: string, private readonly on: SocketEvents) {}

  send(text: string): void { this.sent.push(text); }
  close(code?: number): void { this.closedWith ??= code ?? 'no code'; }

  open(): void { this.on.open(); }
  reply(m: object): void { this.on.message(JSON.stringify(m)); }
  die(code: number): void { this.on.close(code); }
  frames(): ({ t: string; rid?: string } & Record<string, unknown>)[] { return this.sent.map((s) => JSON.parse(s)); }
  framesOf(t: string): ({ t: string; rid?: string } & Record<string, unknown>)[] { return this.frames().filter((f) => f.t === t); }
}

export const gateway = (i: number): GatewayInfo => ({ id: `gw-${i}`, url: `http://127.0.0.1:${9000 + i}`, ws: `ws://127.0.0.1:${9000 + i}/ws` });

/** A client on three fake gateways, with everything it tells its handlers recorded. */
export function harness(timings: Partial<ClientTimings> = {}, token = '') {
  const clock = new FakeClock();
  const sockets: FakeSocket[] = [];
  const openSocket: OpenSocket = (url, on) => {
    const s = new FakeSocket(url, on);
    sockets.push(s);
    return s;
  };
  const welcomes: Welcome[] = [];
  const pushes: Push[] = [];
  const phases: ConnState[] = [];
  let ids = 0;
  const held = { token };
  const client = new ProtocolClient({
    gateways: new GatewayDirectory([0, 1, 2].map(gateway)), openSocket, clock, random: () => 0.5, newId: () => `idem-${++ids}`, timings,
    handlers: {
      hello: () => (held.token ? { token: held.token } : { name: 'Ada' }),
      welcome: (w) => { held.token = w.token; welcomes.push(w); },
      push: (m) => { pushes.push(m); },
      phase: (s) => { phases.push(s); },
    },
  });
  const last = () => sockets[sockets.length - 1];
  /** The gateway side of the newest socket: opens it and welcomes the hello. */
  const welcome = (gatewayId = 'gw-0', games: string[] = []) => {
    last().open();
    last().reply({ t: 'welcome', player: { id: 'p1', name: 'Ada' }, token: 'tok-1', gateway: gatewayId, resumed: welcomes.length > 0, games });
  };
  return { clock, sockets, last, client, welcomes, pushes, phases, welcome, held };
}

/** Lets promise callbacks run (no time passes on any clock). */
export const settle = () => new Promise<void>((r) => setImmediate(r));
