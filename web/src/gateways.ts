// The gateways a page may talk to: the one that served it ("home") plus every live gateway that
// GET /api/gateways lists (gateways register themselves in Redis with a short TTL). When the
// socket is lost, the page tries the others in turn, starting with the one after the gateway it lost.

export interface GatewayInfo { id: string; url: string; ws: string }

const LIST_TIMEOUT_MS = 1500;

/** The home gateway of a page served from `origin` (e.g. "http://127.0.0.1:8080"). */
export function homeGateway(origin: string): GatewayInfo {
  const u = new URL(origin);
  const ws = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}/ws`;
  return { id: u.host, url: u.origin, ws };
}

function isGatewayInfo(v: unknown): v is GatewayInfo {
  const g = v as GatewayInfo;
  return typeof v === 'object' && v !== null && typeof g.id === 'string' && typeof g.url === 'string'
    && typeof g.ws === 'string' && /^wss?:\/\//.test(g.ws) && /^https?:\/\//.test(g.url);
}

export class GatewayDirectory {
  private live: GatewayInfo[] = [];
  /** Server clock minus page clock (ms), from the Date header of the home gateway; 0 when unknown or small. */
  clockOffsetMs = 0;

  constructor(readonly home: GatewayInfo, private readonly fetchFn: typeof fetch = (...a) => fetch(...a)) {}

  /** Every gateway known, home first, without duplicates (same WebSocket address). */
  all(): GatewayInfo[] {
    const seen = new Set<string>();
    const out: GatewayInfo[] = [];
    for (const g of [this.home, ...this.live]) {
      if (seen.has(g.ws)) continue;
      seen.add(g.ws);
      out.push(g);
    }
    return out;
  }

  /**
   * The gateway for reconnect attempt `attempt` after losing `lost` (its ws address): every other
   * gateway first, so the page moves on at once instead of knocking on a dead door, then the lost
   * one again. `spread` (0..1, drawn once per outage) rotates the others so that the pages of one
   * dead gateway do not all land on the same survivor.
   */
  pick(lost: string | null, attempt: number, spread = 0): GatewayInfo {
    const list = this.all();
    const others = list.filter((g) => g.ws !== lost);
    if (others.length === list.length) return list[attempt % list.length];
    const shift = Math.floor(spread * others.length) % Math.max(1, others.length);
    const order = [...others.slice(shift), ...others.slice(0, shift), ...list.filter((g) => g.ws === lost)];
    return order[attempt % order.length];
  }

  /** Asks the gateways (home first, then the others) for the live list; keeps the old list if none answers. */
  async refresh(): Promise<void> {
    for (const g of this.all()) {
      const list = await this.fetchList(g);
      if (list) { this.live = list; return; }
    }
  }

  private async fetchList(g: GatewayInfo): Promise<GatewayInfo[] | null> {
    try {
      const sent = Date.now();
      const res = await this.fetchFn(`${g.url}/api/gateways`, { signal: AbortSignal.timeout(LIST_TIMEOUT_MS), cache: 'no-store' });
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

  /** The Date header has a one-second resolution: only a clearly wrong page clock is corrected. */
  private learnClock(date: string | null, sent: number): void {
    const server = date ? Date.parse(date) : NaN;
    if (Number.isNaN(server)) return;
    const offset = server + 500 - (sent + Date.now()) / 2;
    this.clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
  }
}
