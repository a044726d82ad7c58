// The bench's client processes: N children running load/fleet/worker.ts, each holding a share of
// the connections, optionally pinned to some CPUs (taskset). One question at a time per child, its
// answer awaited with a bound. Every child is ended by its pid: `stop()` asks, then kills those that
// did not exit; a parent that exits for any reason (an error, Ctrl-C) kills the ones left.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../server/launcher/cluster.js';
import type { FromWorker, Role, ToWorker, WorkerStatus } from './messages.js';

export interface FleetOptions {
  role: Role;
  urls: string[];
  /** Connections in all. */
  total: number;
  /** Connections per child process at most. */
  perProcess: number;
  /** Source addresses 127.0.0.1..N (see scenarios/common.ts sourceAddress). */
  sources: number;
  gameId?: string;
  /** Handshakes in flight at once, over all the children. */
  rampInFlight?: number;
  /** CPU list for taskset -c (e.g. "1"): the children run only there. */
  cpus?: string;
}

type Reply<T extends FromWorker['t']> = Extract<FromWorker, { t: T }>;

interface Child { proc: ChildProcess; from: number; count: number; exited: boolean; inbox: FromWorker[]; waiters: Set<() => void> }

export class Fleet {
  readonly children: Child[] = [];
  /** This process exits (an error, Ctrl-C): the children still running are killed by pid. */
  private readonly onExit = () => {
    for (const c of this.children) if (!c.exited && c.proc.pid) { try { process.kill(c.proc.pid, 'SIGKILL'); } catch { /* gone */ } }
  };

  constructor(readonly o: FleetOptions) {}

  /** How many processes `total` connections need at `perProcess` each. */
  static processes(total: number, perProcess: number): number { return Math.max(1, Math.ceil(total / Math.max(1, perProcess))); }

  /** Spawns the children and hands each its share (not yet connected: see ramp). */
  start(): void {
    process.on('exit', this.onExit);
    const n = Fleet.processes(this.o.total, this.o.perProcess);
    const per = Math.ceil(this.o.total / n);
    const inFlight = Math.max(1, Math.floor((this.o.rampInFlight ?? 256) / n));
    for (let k = 0; k < n; k++) {
      const from = k * per;
      const count = Math.max(0, Math.min(per, this.o.total - from));
      const args = ['--import', 'tsx', join(ROOT, 'load', 'fleet', 'worker.ts')];
      const [cmd, argv] = this.o.cpus ? ['taskset', ['-c', this.o.cpus, process.execPath, ...args]] : [process.execPath, args];
      const proc = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const c: Child = { proc, from, count, exited: false, inbox: [], waiters: new Set() };
      const wake = () => { for (const w of c.waiters) w(); };
      proc.on('message', (m: FromWorker) => { c.inbox.push(m); wake(); });
      proc.once('exit', () => { c.exited = true; wake(); });
      proc.on('error', () => { c.exited = true; wake(); });
      this.children.push(c);
      this.tell(c, { t: 'init', role: this.o.role, urls: this.o.urls, from, count, total: this.o.total, sources: this.o.sources, gameId: this.o.gameId, rampInFlight: inFlight });
    }
  }

  /**
   * Connects each child's connections up to `fraction` (0..1] of its share; resolves with every child's status.
   * The child bounds each handshake (a stalled one fails its ramp); the whole may take long on a loaded machine.
   */
  async ramp(fraction: number, timeoutMs = 3_600_000): Promise<WorkerStatus[]> {
    const all = await this.askAll((c) => ({ t: 'ramp', upTo: Math.ceil(c.count * fraction) }), 'ramped', timeoutMs);
    return all.map((r) => r.status);
  }

  async status(): Promise<WorkerStatus[]> { return (await this.askAll(() => ({ t: 'status' }), 'status')).map((r) => r.status); }

  /** Asks for the statuses every `everyMs` (one question at a time) and hands their sum to `cb`; returns the stop. */
  poll(everyMs: number, cb: (s: WorkerStatus) => void): () => void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      this.status().then((s) => cb(total(s)), () => {}).finally(() => { busy = false; });
    }, everyMs);
    return () => clearInterval(t);
  }

  /** The children's CPU time so far (user + system), in seconds, all together. */
  async cpuSeconds(): Promise<number> { return (await this.status()).reduce((s, x) => s + x.cpuS, 0); }

  /** Spectators of every child that received each version, summed. */
  async counts(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const r of await this.askAll(() => ({ t: 'counts' }), 'counts')) for (const [k, n] of Object.entries(r.counts)) out.set(k, (out.get(k) ?? 0) + n);
    return out;
  }

  /** Receive times (monoMs) of the versions asked for, from every child. */
  async times(keys: string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const r of await this.askAll(() => ({ t: 'times', keys }), 'times')) {
      for (const [k, list] of Object.entries(r.times)) { const all = out.get(k); if (all) all.push(...list); else out.set(k, [...list]); }
    }
    return out;
  }

  /** A `ping` on every welcomed connection; how many were sent and answered, and why the others were not. */
  async ping(timeoutMs: number, inFlight = 256): Promise<{ sent: number; answered: number; failed: Record<string, number> }> {
    const per = Math.max(1, Math.floor(inFlight / this.children.length));
    const all = await this.askAll(() => ({ t: 'ping', timeoutMs, inFlight: per }), 'pinged', timeoutMs + 30_000);
    const failed: Record<string, number> = {};
    for (const r of all) for (const [k, v] of Object.entries(r.failed)) failed[k] = (failed[k] ?? 0) + v;
    return { sent: all.reduce((s, r) => s + r.sent, 0), answered: all.reduce((s, r) => s + r.answered, 0), failed };
  }

  /** Asks every child to close its connections and exit; kills (by pid) any still running after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    for (const c of this.children) if (!c.exited) this.tell(c, { t: 'stop' });
    const deadline = Date.now() + timeoutMs;
    while (this.children.some((c) => !c.exited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const c of this.children) {
      if (c.exited || !c.proc.pid) continue;
      try { process.kill(c.proc.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    while (this.children.some((c) => !c.exited) && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 50));
    process.off('exit', this.onExit);
  }

  private tell(c: Child, m: ToWorker): void {
    if (!c.exited && c.proc.connected) c.proc.send(m);
  }

  private askAll<T extends FromWorker['t']>(msg: (c: Child) => ToWorker, reply: T, timeoutMs = 60_000): Promise<Reply<T>[]> {
    return Promise.all(this.children.map((c) => this.ask(c, msg(c), reply, timeoutMs)));
  }

  /** One question to one child: its answer of type `reply`, or an error when it fails, exits or takes longer than `timeoutMs`. */
  private async ask<T extends FromWorker['t']>(c: Child, m: ToWorker, reply: T, timeoutMs: number): Promise<Reply<T>> {
    this.tell(c, m);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = c.inbox.findIndex((x) => x.t === reply || x.t === 'fatal');
      if (i >= 0) {
        const [got] = c.inbox.splice(i, 1);
        if (got.t === 'fatal') throw new Error(`client process ${c.proc.pid}: ${got.message}`);
        return got as Reply<T>;
      }
      if (c.exited) throw new Error(`client process ${c.proc.pid} exited (code ${c.proc.exitCode}, signal ${c.proc.signalCode})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`client process ${c.proc.pid} did not answer "${m.t}" within ${timeoutMs / 1000} s`);
      await new Promise<void>((r) => {
        const w = () => { clearTimeout(t); c.waiters.delete(w); r(); };
        const t = setTimeout(w, Math.min(left, 1000));
        c.waiters.add(w);
      });
    }
  }
}

/** Sums the children's statuses. */
export function total(s: WorkerStatus[]): WorkerStatus {
  const errors: Record<string, number> = {};
  for (const x of s) for (const [k, v] of Object.entries(x.errors)) errors[k] = (errors[k] ?? 0) + v;
  const sum = (k: 'open' | 'peak' | 'welcomed' | 'watching' | 'ended' | 'retried' | 'cpuS' | 'rssBytes') => s.reduce((a, x) => a + x[k], 0);
  return {
    open: sum('open'), peak: sum('peak'), welcomed: sum('welcomed'), watching: sum('watching'), ended: sum('ended'), retried: sum('retried'),
    errors, cpuS: sum('cpuS'), rssBytes: sum('rssBytes'),
  };
}
