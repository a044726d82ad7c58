// One redis-server or redis-sentinel child process: started, awaited until it answers PING, its
// log kept (the last lines in memory, all of it in a file when asked), and, when it cannot start,
// the reason from its own log in one sentence. Used by RedisServer and SentinelServer.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

export interface ProcessSpec {
  bin: string;
  args: string[];
  /** What the process is, for messages: "redis-server on port 6379". */
  label: string;
  /** How to reach it once started, to PING it. */
  connect: RedisOptions & { url?: string };
  /** Appends its log to this file. */
  logFile?: string;
  /** In a process group of its own (see ClusterOptions.ownProcessGroups). */
  detached?: boolean;
}

const TAIL_LINES = 30;

export class RedisProcess {
  readonly proc: ChildProcess;
  private readonly tail: string[] = [];
  private readonly log: WriteStream | null;
  /** Set once stop() was called: an exit after it is not a death to report. */
  stopping = false;

  constructor(private readonly spec: ProcessSpec, onExit: (p: RedisProcess, code: number | null, signal: string | null) => void) {
    this.log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : null;
    this.proc = spawn(spec.bin, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: spec.detached ?? false });
    const keep = (d: Buffer) => {
      this.log?.write(d);
      for (const line of d.toString().split('\n')) if (line.trim()) this.tail.push(line);
      this.tail.splice(0, Math.max(0, this.tail.length - TAIL_LINES));
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.proc.once('exit', (code, signal) => { this.log?.end(); onExit(this, code, signal); });
  }

  get pid(): number { return this.proc.pid!; }
  get alive(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }

  /** Resolves once it answers (INFO: this very process); rejects with the reason from its log if it exits first. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const exited = new Promise<never>((_, reject) => this.proc.once('exit', (code) => {
      // the last lines reach us with (or just before) the exit: read them after the streams end
      setImmediate(() => reject(new Error(`${this.spec.label} cannot start: ${this.reason(code)}`)));
    }));
    exited.catch(() => {});
    if (!this.alive) throw new Error(`${this.spec.label} cannot start: ${this.reason(this.proc.exitCode)}`);
    await Promise.race([this.pingUntil(timeoutMs), exited]);
  }

  private async pingUntil(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const { url, ...opts } = this.spec.connect;
    while (Date.now() < deadline && this.alive) {
      const o: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false, ...opts };
      const r = url ? new Redis(url, o) : new Redis(o);
      r.on('error', () => {});
      try {
        await r.connect();
        // our process answers, not another one that holds the port (ours then exits, saying so)
        if ((await r.info('server')).includes(`process_id:${this.pid}\r`)) { r.disconnect(); return; }
      } catch { /* not yet */ }
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
    if (this.alive) throw new Error(`${this.spec.label} did not answer within ${timeoutMs / 1000} s`);
  }

  /**
   * Why it exited, from its log: a damaged append-only file names the command that repairs it;
   * otherwise the last line Redis marked as important (`#`) that is not a warning.
   */
  reason(code: number | null): string {
    const bad = this.tail.find((l) => /Bad file format reading the append only file|Unexpected end of file reading the append only file/.test(l));
    if (bad) {
      const dir = this.spec.args[this.spec.args.indexOf('--dir') + 1] ?? '.';
      return `its append-only file is damaged (${bad.replace(/^.*? # /, '').replace(/:.*$/, '')}): back up ${dir}/appendonlydir, `
        + `then repair it with \`redis-check-aof --fix ${dir}/appendonlydir/appendonly.aof.manifest\` and start again`;
    }
    const said = this.tail.filter((l) => / # /.test(l) && !/WARNING|oO0OoO0OoO0Oo|Redis version=|Configuration loaded|Server initialized/.test(l));
    const last = said.at(-1)?.replace(/^.*? # /, '').replace(/\.$/, '');
    return last ? `${last} (exit code ${code})` : `it exited with code ${code} (its log: ${this.tail.at(-1) ?? 'empty'})`;
  }

  /** SIGTERM (a Redis writes its AOF and exits), SIGKILL after 5 s; resolves once it exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    if (!this.alive) return;
    const done = new Promise<void>((res) => p.once('exit', () => res()));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  }
}

/** A server on a fixed port whose process may be started again (RedisServer, SentinelServer). */
export abstract class ServerOnPort {
  protected current: RedisProcess | null = null;
  port = 0;

  get proc() { return this.current?.proc ?? null; }
  get pid(): number | null { return this.current?.pid ?? null; }
  get alive(): boolean { return this.current?.alive ?? false; }

  /** Stops the process (SIGTERM: a Redis writes its AOF) and waits for it to exit; no onDeath. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.current;
    if (!p) return;
    await p.stop(signal);
    if (this.current === p) this.current = null;
  }

  /** SIGKILL, as a crash would: no AOF rewrite, no goodbye; onDeath is called. */
  kill(): void { if (this.current?.alive) this.current.proc.kill('SIGKILL'); }
}
