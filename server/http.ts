// The gateway's HTTP routes: the page, health, readiness, metrics and the live gateway list.
import type { Registry } from 'prom-client';
import type { HttpHandler, HttpResponse } from './transport/types.js';

export interface HttpDeps {
  ready(): { ok: boolean; why: string };
  registry: Registry;
  gateways(): Promise<unknown[]>;
  asset(path: string): { type: string; body: string | Uint8Array } | null;
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): HttpResponse => ({
  status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra }, body: JSON.stringify(body),
});
/** The live list is public: a page served by one gateway may ask any other for it when its own is gone. */
const ANY_ORIGIN = { 'access-control-allow-origin': '*' };

export function httpRoutes(d: HttpDeps): HttpHandler {
  return async (method, path) => {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { allow: 'GET' }, body: 'method not allowed' };
    switch (path) {
      case '/healthz': return json(200, { ok: true });
      case '/readyz': {
        const r = d.ready();
        return json(r.ok ? 200 : 503, { ready: r.ok, why: r.why });
      }
      case '/metrics':
        return { status: 200, headers: { 'content-type': d.registry.contentType }, body: await d.registry.metrics() };
      case '/api/gateways':
        try { return json(200, { gateways: await d.gateways() }, ANY_ORIGIN); } catch { return json(503, { error: 'UNAVAILABLE' }, ANY_ORIGIN); }
      default: {
        const a = d.asset(path === '/' ? '/index.html' : path);
        if (!a) return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
        return {
          status: 200,
          headers: {
            'content-type': a.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
            'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss: http: https:; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
          },
          body: a.body,
        };
      }
    }
  };
}
