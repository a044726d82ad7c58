// One fuzzing connection: sends a batch of frames, waits until each is answered or the socket is
// closed, and checks the answers against what the contract promises for each frame:
// - a frame over 4096 bytes: close 1009; hello with v other than 1: UNSUPPORTED_VERSION, then 1008;
// - anything the validator refuses: its error code (HELLO_FIRST for a known type before hello),
//   with the frame's rid echoed when it carried a valid one; a binary frame: BAD_MESSAGE;
// - a valid request: one answer (ok, pong or one of the errors the contract lists for it) with its rid.
// Every frame gets exactly one answer; none is UNAVAILABLE, INTERNAL or RATE_LIMITED (Redis is up
// and the limits are raised for the fuzz); every server message is well-formed.
import WebSocket from 'ws';
import { ERROR_CODES, MAX_FRAME_BYTES, parseClientMessage } from '../../shared/protocol.js';
import type { Frame, Pool } from './fuzz-frames.js';
import { snapshotProblems } from './redis-audit.js';

type Msg = Record<string, any>;

/** Answers (t of ok/pong, or an error code) a valid request may get, after hello. */
const ALLOWED: Record<string, readonly string[]> = {
  ping: ['pong'], queue: ['ok', 'ALREADY_IN_GAME'], unqueue: ['ok'], create: ['ok', 'ALREADY_IN_GAME'],
  join: ['ok', 'NOT_FOUND', 'ALREADY_IN_GAME', 'GAME_FULL'], watch: ['ok', 'NOT_FOUND', 'GAME_FULL'], unwatch: ['ok'],
  // BAD_CELL: a cell past the game's own board (a classic game has 9 cells, a 19x19 one 361)
  move: ['ok', 'NOT_FOUND', 'NOT_A_PLAYER', 'NOT_YOUR_TURN', 'CELL_TAKEN', 'GAME_OVER', 'BAD_CELL'],
  resign: ['ok', 'NOT_FOUND', 'NOT_A_PLAYER', 'GAME_OVER'],
  rematch: ['ok', 'NOT_FOUND', 'NOT_A_PLAYER', 'GAME_IN_PROGRESS', 'GAME_OVER', 'ALREADY_IN_GAME'],
};
const ANSWERS = new Set(['ok', 'pong', 'error', 'welcome']);
const NOTICES = new Set(['state', 'matched', 'rematch', 'presence']);

interface Expectation { rid: string | undefined; allowed: readonly string[]; close?: number }

/** What the contract promises for one frame. */
export function expectationOf(f: Frame, helloed: boolean): Expectation {
  const bytes = typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.length;
  if (bytes > MAX_FRAME_BYTES) return { rid: undefined, allowed: [], close: 1009 };
  if (f.binary) return { rid: undefined, allowed: ['BAD_MESSAGE'] };
  const p = parseClientMessage(f.data as string);
  if (!p.ok) return { rid: p.rid, allowed: [helloed || p.t === 'hello' || !p.t ? p.code : 'HELLO_FIRST'] };
  const m = p.msg;
  if (m.t === 'hello') {
    if (m.v !== 1) return { rid: m.rid, allowed: ['UNSUPPORTED_VERSION'], close: 1008 };
    return helloed ? { rid: m.rid, allowed: ['BAD_MESSAGE'] } : { rid: undefined, allowed: ['welcome'] };
  }
  if (!helloed) return { rid: m.rid, allowed: ['HELLO_FIRST'] };
  if (m.t === 'move' && (m.cell < 0 || m.cell >= 19 * 19)) return { rid: m.rid, allowed: ['BAD_CELL'] };
  return { rid: m.rid, allowed: ALLOWED[m.t] };
}

const kindOf = (m: Msg) => (m.t === 'error' ? String(m.code) : String(m.t));

export class FuzzSocket {
  readonly msgs: Msg[] = [];
  closed: number | null = null;
  helloed = false;
  token = '';
  readonly problems: string[] = [];
  sent = 0;
  private waiters = new Set<() => void>();
  private ws!: WebSocket;

  private constructor(readonly url: string, readonly label: string, private readonly pool: Pool) {}

  static async open(url: string, label: string, pool: Pool): Promise<FuzzSocket> {
    const s = new FuzzSocket(url, label, pool);
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      s.ws = ws;
      const t = setTimeout(() => { ws.terminate(); reject(new Error(`${label}: connect timeout`)); }, 10_000);
      ws.on('open', () => { clearTimeout(t); resolve(); });
      ws.on('error', (e) => { clearTimeout(t); reject(e); });
      ws.on('message', (data, binary) => s.receive(data.toString(), binary));
      ws.on('close', (code) => { s.closed = code; s.wake(); });
    });
    return s;
  }

  private receive(text: string, binary: boolean): void {
    let m: Msg;
    try { m = JSON.parse(text); } catch { this.problems.push(`${this.label}: unparsable server frame ${text.slice(0, 100)}`); return; }
    if (binary) this.problems.push(`${this.label}: binary server frame`);
    if (m === null || typeof m !== 'object' || (!ANSWERS.has(m.t) && !NOTICES.has(m.t))) this.problems.push(`${this.label}: unknown server message ${text.slice(0, 200)}`);
    else if (m.t === 'error' && (!(ERROR_CODES as readonly string[]).includes(m.code) || typeof m.message !== 'string' || !m.message)) this.problems.push(`${this.label}: bad error ${text.slice(0, 200)}`);
    else if (m.t === 'error' && ['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED'].includes(m.code)) this.problems.push(`${this.label}: ${m.code} ${text.slice(0, 200)}`);
    else if ('rid' in m && (typeof m.rid !== 'string' || !m.rid)) this.problems.push(`${this.label}: bad rid ${text.slice(0, 200)}`);
    if (m?.t === 'state') {
      for (const p of snapshotProblems(m.game)) this.problems.push(`${this.label}: state ${p}`);
      this.pool.add(this.pool.gameIds, m.game?.id);
      if (m.game?.status === 'waiting') this.pool.add(this.pool.codes, m.game?.code);
    }
    if (m?.t === 'ok' || m?.t === 'matched' || m?.t === 'rematch') {
      this.pool.add(this.pool.gameIds, m.gameId);
      this.pool.add(this.pool.codes, m.code);
    }
    if (m?.t === 'welcome') { this.token = m.token; this.helloed = true; }
    this.msgs.push(m);
    this.wake();
  }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  private until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => { if (pred() || this.closed !== null) { done(); resolve(pred()); } };
      const t = setTimeout(() => { done(); resolve(pred()); }, timeoutMs);
      const done = () => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  private answersFrom(i: number): Msg[] { return this.msgs.slice(i).filter((m) => ANSWERS.has(m.t)); }

  async hello(token?: string): Promise<void> {
    const from = this.msgs.length;
    this.ws.send(JSON.stringify(token ? { t: 'hello', v: 1, token } : { t: 'hello', v: 1, name: this.label }));
    this.sent++;
    if (!(await this.until(() => this.answersFrom(from).length > 0, 10_000)) || this.answersFrom(from)[0].t !== 'welcome') {
      this.problems.push(`${this.label}: hello answered ${JSON.stringify(this.answersFrom(from)[0])}, closed ${this.closed}`);
    }
  }

  /** Sends frames (stopping after one that closes the socket) and checks their answers. Returns how many were sent. */
  async batch(frames: Frame[], timeoutMs = 10_000): Promise<number> {
    if (this.closed !== null) return 0;
    const from = this.msgs.length;
    const exp: Expectation[] = [];
    for (const f of frames) {
      // what goes on the wire: a JS string is sent as UTF-8, lone surrogates as U+FFFD
      const e = expectationOf(typeof f.data === 'string' ? { ...f, data: Buffer.from(f.data).toString('utf8') } : f, this.helloed);
      if (!this.helloed && e.allowed.includes('welcome')) continue; // the socket says hello itself
      exp.push(e);
      this.ws.send(f.data, { binary: f.binary });
      if (e.close) break;
    }
    this.sent += exp.length;
    const closing = exp.find((e) => e.close);
    const want = exp.filter((e) => !e.close || e.allowed.length).length;
    const ok = await this.until(() => (closing ? this.closed !== null : this.answersFrom(from).length >= want), timeoutMs);
    if (!ok) this.problems.push(`${this.label}: ${closing ? `no close ${closing.close}` : `${this.answersFrom(from).length} answers to ${want} frames`} within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
    this.check(exp, this.answersFrom(from), closing);
    return exp.length;
  }

  private check(exp: Expectation[], got: Msg[], closing: Expectation | undefined): void {
    const bad = (why: string) => this.problems.push(`${this.label}: ${why}`);
    if (closing && this.closed !== closing.close) bad(`closed ${this.closed}, expected ${closing.close}`);
    if (!closing && this.closed !== null) bad(`closed ${this.closed} unexpectedly`);
    const byRid = new Map<string | undefined, { n: number; allowed: Set<string> }>();
    for (const e of exp) {
      const g = byRid.get(e.rid) ?? { n: 0, allowed: new Set<string>() };
      if (e.allowed.length) g.n++;
      for (const a of e.allowed) g.allowed.add(a);
      byRid.set(e.rid, g);
    }
    const seen = new Map<string | undefined, number>();
    for (const m of got) {
      const rid = m.t === 'welcome' ? undefined : (m.rid as string | undefined);
      seen.set(rid, (seen.get(rid) ?? 0) + 1);
      const g = byRid.get(rid);
      if (!g) bad(`answer to no frame of this batch: ${JSON.stringify(m).slice(0, 200)}`);
      else if (!g.allowed.has(kindOf(m))) bad(`answer ${kindOf(m)} not among [${[...g.allowed]}] for rid ${rid}: ${JSON.stringify(m).slice(0, 200)}`);
    }
    for (const [rid, g] of byRid) {
      const n = seen.get(rid) ?? 0;
      // a closing frame may cut answers still in flight; otherwise exactly one answer per frame
      if (closing ? n > g.n : n !== g.n) bad(`${n} answers for ${g.n} frames with rid ${rid}`);
    }
  }

  /**
   * Answers that arrived after index `afterIndex` (the last batch checked): must be none. A ping goes
   * out first and its answer is awaited: the gateway answers one socket in order, so a stray answer
   * to an earlier frame would have arrived before it (a fence, where a pause would only guess). The
   * ping's own answer is not counted; a closed socket gets nothing more, so it needs no fence.
   */
  async strays(afterIndex: number, timeoutMs = 10_000): Promise<Msg[]> {
    const rid = `fence-of-${this.label}`.slice(0, 64);
    if (this.closed === null) {
      this.ws.send(JSON.stringify({ t: 'ping', rid }));
      if (!(await this.until(() => this.msgs.some((m) => m.rid === rid), timeoutMs)) && this.closed === null) {
        this.problems.push(`${this.label}: no answer to a ping within ${timeoutMs} ms`);
      }
    }
    return this.answersFrom(afterIndex).filter((m) => m.rid !== rid);
  }
  get received(): number { return this.msgs.length; }

  close(): void { if (this.closed === null) this.ws.close(1000); }
  terminate(): void { this.ws.terminate(); }
}

