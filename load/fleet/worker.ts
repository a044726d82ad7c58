// A client process of the bench (spawned by load/fleet/fleet.ts): holds its share of the spectators
// or of the idle connections, with the project's bot connection (load/bot/), so that the gateways'
// cores are not the clients'. It does what the parent orders over IPC (messages.ts) and answers
// with counts, receive times on the shared monotonic clock, and its own CPU time. It exits when
// told to stop or when the parent goes away (the IPC channel closes), its sockets closed first.
import { BotConnection } from '../bot/connection.js';
import { SpectatorBot } from '../bot/spectator.js';
import { rampUp, sleep, sourceAddress } from '../scenarios/common.js';
import { Stats } from '../stats.js';
import { monoMs, type FromWorker, type ToWorker, type WorkerStatus } from './messages.js';

/** Idle connections do not ping on their own during a run (the ping at the end is the parent's). */
const IDLE_PING_EVERY_MS = 24 * 3600 * 1000;

const stats = new Stats();
const conns: BotConnection[] = [];
const spectators: SpectatorBot[] = [];
/** gameId@version -> receive times (monoMs) of every spectator of this process. */
const times = new Map<string, number[]>();
let started = 0;
let rampInFlight = 64;
/** Makes this process's j-th connection (again, after a failed first handshake). */
let make: (j: number) => void = () => {};
/** Connections made again because their first handshake failed (counted, bounded). */
let retried = 0;
const MAX_HANDSHAKE_ROUNDS = 3;

const send = (m: FromWorker) => new Promise<void>((resolve) => { if (!process.send) resolve(); else process.send(m, () => resolve()); });

function status(): WorkerStatus {
  const cpu = process.cpuUsage();
  return {
    open: stats.open, peak: stats.peak, welcomed: conns.filter((c) => c.welcomed).length,
    watching: spectators.filter((s) => s.watching).length, ended: conns.filter((c) => c.ended).length,
    errors: { ...stats.errors }, retried, cpuS: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss(),
  };
}

function init(m: Extract<ToWorker, { t: 'init' }>): void {
  rampInFlight = m.rampInFlight;
  make = (j) => {
    const i = m.from + j;
    const label = `${m.role === 'idle' ? 'i' : 's'}${i}`;
    const conn = new BotConnection({
      urls: m.urls, first: i % m.urls.length, label, name: label.slice(0, 24), localAddress: sourceAddress(i, m.total, m.sources), stats,
      // an idle connection that is lost stays lost (and is counted), it says nothing until the parent's ping
      ...(m.role === 'idle' ? { reconnect: false, pingEveryMs: IDLE_PING_EVERY_MS } : {}),
    });
    conns[j] = conn;
    if (m.role === 'idle') { conn.handlers = { welcome() {}, state() {} }; return; }
    spectators[j] = new SpectatorBot({
      conn, target: () => m.gameId ?? null,
      onVersion: (g, v) => {
        const at = monoMs();
        const key = `${g}@${v}`;
        const list = times.get(key);
        if (list) list.push(at); else times.set(key, [at]);
      },
    });
  };
  for (let j = 0; j < m.count; j++) make(j);
}

async function ramp(upTo: number): Promise<void> {
  let batch = Array.from({ length: Math.max(0, Math.min(upTo, conns.length) - started) }, (_, k) => started + k);
  started += batch.length;
  // a first handshake that failed (a loaded machine: the 5 s connect timeout) is tried again with a fresh connection, bounded
  for (let round = 1; batch.length; round++) {
    await rampUp(batch.map((j) => ({ start: () => conns[j].start(), stop: () => conns[j].stop(), ready: conns[j].ready })), rampInFlight);
    batch = batch.filter((j) => conns[j].ended && !conns[j].playerId);
    if (round >= MAX_HANDSHAKE_ROUNDS) break;
    await sleep(2000 * round); // an overloaded cluster (hellos answered UNAVAILABLE) is not hammered at once
    for (const j of batch) make(j);
    retried += batch.length;
  }
  // a spectator is welcomed before its `watch` is answered: wait (bounded) for the answers
  const deadline = performance.now() + 30_000;
  while (spectators.some((s) => !s.watching && !s.conn.ended) && performance.now() < deadline) await sleep(20);
}

async function pingAll(timeoutMs: number, inFlight: number): Promise<Extract<FromWorker, { t: 'pinged' }>> {
  const live = conns.filter((c) => c.welcomed);
  const failed: Record<string, number> = {};
  let next = 0;
  let answered = 0;
  const deadline = performance.now() + timeoutMs;
  const lane = async () => {
    while (next < live.length) {
      const c = live[next++];
      const left = deadline - performance.now();
      if (left <= 0) { failed.TIMEOUT = (failed.TIMEOUT ?? 0) + 1; continue; }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), left); });
      const got = await Promise.race([c.ping().then(() => 'pong' as const, (e: { code?: string }) => e.code ?? 'ERROR'), late]);
      clearTimeout(timer);
      if (got === 'pong') answered++; else failed[got === 'late' ? 'TIMEOUT' : got] = (failed[got === 'late' ? 'TIMEOUT' : got] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, live.length)) }, lane));
  // connections that were not welcomed (never, or lost) count as not answering
  const gone = conns.length - live.length;
  if (gone) failed.NOT_CONNECTED = gone;
  return { t: 'pinged', sent: live.length, answered, failed, status: status() };
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const c of conns) c.stop();
  const deadline = performance.now() + 10_000;
  while (stats.open > 0 && performance.now() < deadline) await sleep(20);
  await send({ t: 'stopped' });
  process.exit(0);
}

process.on('disconnect', () => { void stop(); }); // the parent is gone: nobody will tell us to stop
process.on('message', (m: ToWorker) => {
  const run = async (): Promise<FromWorker | null> => {
    switch (m.t) {
      case 'init': init(m); return null;
      case 'ramp': await ramp(m.upTo); return { t: 'ramped', status: status() };
      case 'status': return { t: 'status', status: status() };
      case 'counts': return { t: 'counts', counts: Object.fromEntries([...times].map(([k, v]) => [k, v.length])) };
      case 'times': return { t: 'times', times: Object.fromEntries(m.keys.map((k) => [k, times.get(k) ?? []])) };
      case 'ping': return pingAll(m.timeoutMs, m.inFlight);
      case 'stop': await stop(); return null;
    }
  };
  run().then((r) => r && send(r), (e: unknown) => send({ t: 'fatal', message: e instanceof Error ? e.message : String(e) }));
});
