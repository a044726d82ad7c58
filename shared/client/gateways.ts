// The gateways a client may talk to: the ones it was given (the gateway that served the page, or
// the bots' URL list) plus, where it may ask, every live gateway that GET /api/gateways lists
// (gateways register themselves in Redis with a short TTL). When a socket is lost the client tries
// the others in turn, starting with the one after the gateway it lost.

export interface GatewayInfo { id: string; url: string; ws: string }

const LIST_TIMEOUT_MS = 1500;

/** The gateway that served a page from `origin` (e.g. "http://127.0.0.1:8080"). */
export function homeGateway(origin: string): GatewayInfo {
  const u = new URL(origin);
  return { id: u.host, url: u.origin, ws: `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws` };
}

/** A gateway known only by its WebSocket address (e.g. "ws://127.0.0.1:8080/ws"). */
export function wsGateway(ws: string): GatewayInfo {
  const u = new URL(ws);
  return { id: ws, url: `${u.protocol === 'wss:' ? 'https' : 'http'}://${u.host}`, ws };
}

function isGatewayInfo(v: unknown): v is GatewayInfo {
  const g = v as GatewayInfo;
  return typeof v === 'object' && v !== null && typeof g.id === 'string' && typeof g.url === 'string'
    && typeof g.ws === 'string' && /^wss?:\/\//.test(g.ws) && /^https?:\/\//.test(g.url);
}

export class GatewayDirectory {
  private live: GatewayInfo[] = [];
  /** Server clock minus local clock (ms), from the Date header of the first gateway; 0 when unknown or small. */
  clockOffsetMs = 0;

  /**
   * `known`: the gateways given, the first one first (it is tried first). `fetchFn`: how to ask for
   * the live list; null keeps to the gateways given.
   */
  constructor(private readonly known: readonly GatewayInfo[], private readonly fetchFn: typeof fetch | null = null) {
    if (!known.length) throw new Error('a gateway directory needs at least one gateway');
  }

  get home(): GatewayInfo { return this.known[0]; }

  /** Every gateway known, the given ones first, without duplicates (same WebSocket address). */
  all(): GatewayInfo[] {
    const seen = new Set<string>();
    const out: GatewayInfo[] = [];
    for (const g of [...this.known, ...this.live]) {
      if (seen.has(g.ws)) continue;
      seen.add(g.ws);
      out.push(g);
    }
    return out;
  }

  /**
   * The gateway for reconnect attempt `attempt` after losing `lost` (its ws address): every other
   * gateway first, so that the client moves on at once instead of knocking on a dead door, then the
   * lost one again. `spread` (0..1, drawn once per outage) rotates the others so that the clients of
   * one dead gateway do not all land on the same survivor.
   */
  pick(lost: string | null, attempt: number, spread = 0): GatewayInfo {
    const list = this.all();
    const others = list.filter((g) => g.ws !== lost);
    if (others.length === list.length) return list[attempt % list.length];
    const shift = Math.floor(spread * others.length) % Math.max(1, others.length);
    const order = [...others.slice(shift), ...others.slice(0, shift), ...list.filter((g) => g.ws === lost)];
    return order[attempt % order.length];
  }

  /** Asks the gateways (in order) for the live list; keeps the old list if none answers. */
  async refresh(): Promise<void> {
    if (!this.fetchFn) return;
    for (const g of this.all()) {
      const list = await this.fetchList(this.fetchFn, g);
      if (list) { this.live = list; return; }
    }
  }

  private async fetchList(fetchFn: typeof fetch, g: GatewayInfo): Promise<GatewayInfo[] | null> {
    try {
      const sent = Date.now();
      const res = await fetchFn(`${g.url}/api/gateways`, { signal: AbortSignal.timeout(LIST_TIMEOUT_MS), cache: 'no-store' });
      if (!res.ok) return null;
      const body = (await res.json()) as { gateways?: unknown };
      if (!Array.isArray(body.gateways)) return null;
      if (g === this.home) this.learnClock(res.headers.get('date'), sent);
      return body.gateways.filter(isGatewayInfo).map(({ id, url, ws }) => ({ id, url, ws }))
        .sort((a, b) => a.id.localeCompare(b.id) || a.ws.localeCompare(b.ws));
    } catch {
      return null;
    }
  }

  /** The Date header has a one-second resolution: only a clearly wrong local clock is corrected. */
  private learnClock(date: string | null, sent: number): void {
    const server = date ? Date.parse(date) : NaN;
    if (Number.isNaN(server)) return;
    const offset = server + 500 - (sent + Date.now()) / 2;
    this.clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
  }
}
