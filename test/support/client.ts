// A small WebSocket client of the wire contract for the tests: every frame kept, bounded waits.
import WebSocket from 'ws';
import type { GameSnapshot } from '../../shared/protocol.js';

export type Msg = Record<string, any>;
let seq = 0;

export class TestClient {
  readonly msgs: Msg[] = [];
  readonly frames: string[] = [];
  closed: { code: number } | null = null;
  private waiters = new Set<() => void>();
  ws!: WebSocket;
  player: { id: string; name: string } | null = null;
  token = '';
  gateway = '';

  constructor(readonly url: string, readonly label = `c${++seq}`) {}

  static async open(url: string, label?: string, headers?: Record<string, string>): Promise<TestClient> {
    const c = new TestClient(url, label);
    await c.connect(headers);
    return c;
  }

  connect(headers?: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { headers });
      this.ws = ws;
      const t = setTimeout(() => { reject(new Error(`${this.label}: connect timeout`)); ws.terminate(); }, 5000);
      ws.on('open', () => { clearTimeout(t); resolve(); });
      ws.on('unexpected-response', (_req, res) => { clearTimeout(t); reject(new Error(`${this.label}: HTTP ${res.statusCode}`)); });
      ws.on('error', (e) => { clearTimeout(t); reject(e); });
      ws.on('message', (data, binary) => {
        const text = binary ? '<binary>' : data.toString();
        this.frames.push(text);
        try { this.msgs.push(JSON.parse(text)); } catch { this.msgs.push({ t: '<unparsable>', text }); }
        this.wake();
      });
      ws.on('close', (code) => { this.closed = { code }; this.wake(); });
    });
  }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  sendRaw(text: string | Buffer): void { this.ws.send(text); }
  send(obj: Msg): void { this.ws.send(JSON.stringify(obj)); }

  waitFor(pred: (m: Msg) => boolean, what: string, { from = 0, timeout = 5000 } = {}): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = from; i < this.msgs.length; i++) if (pred(this.msgs[i])) { done(); resolve(this.msgs[i]); return; }
        if (this.closed) { done(); reject(new Error(`${this.label}: closed (${this.closed.code}) waiting for ${what}`)); }
      };
      const t = setTimeout(() => { done(); reject(new Error(`${this.label}: no ${what} within ${timeout} ms; last: ${JSON.stringify(this.msgs.slice(-3))}`)); }, timeout);
      const done = () => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  waitClose(timeout = 5000): Promise<{ code: number }> {
    return new Promise((resolve, reject) => {
      const check = () => { if (this.closed) { done(); resolve(this.closed); } };
      const t = setTimeout(() => { done(); reject(new Error(`${this.label}: still open after ${timeout} ms`)); }, timeout);
      const done = () => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  private rid = 0;
  async request(body: Msg, timeout = 5000): Promise<Msg> {
    const rid = `${this.label}-${++this.rid}`;
    const from = this.msgs.length;
    this.send({ ...body, rid });
    return this.waitFor((m) => (m.t === 'ok' || m.t === 'error' || m.t === 'pong') && m.rid === rid, `answer to ${body.t}`, { from, timeout });
  }

  async ok(body: Msg): Promise<Msg> {
    const m = await this.request(body);
    if (m.t !== 'ok' && m.t !== 'pong') throw new Error(`${this.label}: ${JSON.stringify(body)} answered ${JSON.stringify(m)}`);
    return m;
  }

  async hello(opts: { token?: string; name?: string } = {}): Promise<Msg> {
    const from = this.msgs.length;
    this.send({ t: 'hello', v: 1, ...opts });
    const w = await this.waitFor((m) => m.t === 'welcome' || m.t === 'error', 'welcome', { from });
    if (w.t !== 'welcome') throw new Error(`${this.label}: hello answered ${JSON.stringify(w)}`);
    this.player = w.player; this.token = w.token; this.gateway = w.gateway;
    return w;
  }

  states(gameId: string): GameSnapshot[] {
    return this.msgs.filter((m) => m.t === 'state' && m.game.id === gameId).map((m) => m.game);
  }
  latest(gameId: string): GameSnapshot | null {
    return this.states(gameId).reduce<GameSnapshot | null>((a, g) => (!a || g.version > a.version ? g : a), null);
  }
  stateAt(gameId: string, version: number, timeout?: number): Promise<GameSnapshot> {
    return this.waitFor((m) => m.t === 'state' && m.game.id === gameId && m.game.version === version, `state ${gameId}@${version}`, { timeout })
      .then((m) => m.game);
  }
  stateWhere(gameId: string, pred: (g: GameSnapshot) => boolean, what: string, timeout?: number): Promise<GameSnapshot> {
    return this.waitFor((m) => m.t === 'state' && m.game.id === gameId && pred(m.game), what, { timeout }).then((m) => m.game);
  }

  close(): void { if (!this.closed) this.ws.close(1000); }
}

/** Opens a socket on `url` and says hello. */
export async function player(url: string, label: string, opts: { token?: string; name?: string } = {}): Promise<TestClient> {
  const c = await TestClient.open(url, label);
  await c.hello(opts.token ? { token: opts.token } : { name: opts.name ?? label });
  return c;
}

/**
 * Resolves once each client's ping is answered. A gateway writes to one socket in order, so every
 * frame it had queued for that socket before the ping has arrived by then: asserting that something
 * did NOT arrive is sound after this fence, where a sleep would only guess.
 */
export async function fence(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.ok({ t: 'ping' })));
}
