// Which browser Origins may open a WebSocket. Requests without an Origin (bots) are allowed unless
// REQUIRE_ORIGIN is on. An Origin is a browser's word, not proof: it stops other web pages from
// using a visitor's browser against the gateway; any other client can send whatever it likes.
import type { Config } from '../config.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export function originPolicy(cfg: Pick<Config, 'ALLOWED_ORIGINS' | 'REQUIRE_ORIGIN' | 'PUBLIC_URL'>): (origin: string | undefined) => boolean {
  const list = cfg.ALLOWED_ORIGINS?.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  if (list?.includes('*')) return (origin) => origin !== undefined || !cfg.REQUIRE_ORIGIN;
  const own = new URL(cfg.PUBLIC_URL);
  return (origin) => {
    if (origin === undefined) return !cfg.REQUIRE_ORIGIN;
    if (list) return list.includes(origin);
    try {
      const u = new URL(origin);
      // default: the cluster's own gateways, i.e. this gateway's host, or loopback for a local cluster
      return u.hostname === own.hostname || LOOPBACK.test(u.hostname);
    } catch {
      return false;
    }
  };
}
