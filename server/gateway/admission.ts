// Which WebSocket upgrades are accepted: the path, not while draining, an allowed Origin, and at
// most MAX_CONNS_PER_IP open sockets per address (counted here, per gateway process).
import type { UpgradeInfo } from '../transport/types.js';

export interface AdmissionDeps {
  maxConnsPerIp: number;
  /** True once the gateway drains: new sockets are refused (503) so clients go elsewhere. */
  isDraining(): boolean;
  originAllowed(origin: string | undefined): boolean;
}

export class Admission {
  private readonly perIp = new Map<string, number>();

  constructor(private readonly d: AdmissionDeps) {}

  /** null accepts the upgrade; a [status, text] pair refuses it. */
  decide(info: UpgradeInfo): [number, string] | null {
    if (info.path !== '/ws') return [404, 'not found'];
    if (this.d.isDraining()) return [503, 'gateway restarting: connect to another one'];
    if (!this.d.originAllowed(info.origin)) return [403, 'origin not allowed'];
    if ((this.perIp.get(info.ip) ?? 0) >= this.d.maxConnsPerIp) return [429, 'too many connections from this address'];
    return null;
  }

  opened(ip: string): void { this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1); }

  closed(ip: string): void {
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n > 0) this.perIp.set(ip, n); else this.perIp.delete(ip);
  }
}
