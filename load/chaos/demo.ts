// What people watching the experiment see: each fault and recovery as it happens and, with --demo,
// one line a second with every gateway up or down and its connections.
import type { ChaosEvent, LiveState } from './experiment.js';

const since = (t0: number, at: number) => `${((at - t0) / 1000).toFixed(1).padStart(6)}s`;

export function eventPrinter(out: NodeJS.WriteStream, t0: () => number, verbose: boolean): (e: ChaosEvent) => void {
  return (e) => {
    const t = since(t0(), e.at);
    if (e.kind === 'kill') out.write(`${t}  KILL   ${e.gateway} (SIGKILL pid ${e.pid})\n`);
    else if (e.kind === 'skip' && verbose) out.write(`${t}  wait   ${e.down} gateway(s) already down: the kill waits for one to be back\n`);
    else if (e.kind === 'redis') out.write(`${t}  REDIS  ${e.what === 'stopped' ? 'stopped (SIGTERM; AOF on disk)' : 'started again from its AOF'}\n`);
    else if (e.kind === 'primary-kill') out.write(`${t}  KILL   the Redis primary on port ${e.port} (SIGKILL pid ${e.pid})\n`);
    else if (e.kind === 'phase') out.write(`${t}  ${e.what}\n`);
    else if (e.kind === 'cluster' && e.e.kind === 'redis' && e.e.e.kind === 'failover') out.write(`${t}  FAILOVER  ${e.e.e.to} is a primary now (was ${e.e.e.from})\n`);
    else if (e.kind === 'cluster' && verbose) {
      const c = e.e;
      if (c.kind === 'gateway-start') out.write(`${t}  start  ${c.id} (pid ${c.pid})\n`);
      else if (c.kind === 'gateway-ready') out.write(`${t}  ready  ${c.id}\n`);
    }
  };
}

export function liveView(out: NodeJS.WriteStream, demo: boolean): (s: LiveState) => void {
  let lastMoves = 0;
  let tick = 0;
  return (s) => {
    const rate = s.stats.moves - lastMoves;
    lastMoves = s.stats.moves;
    tick++;
    const pending = s.conns.filter((c) => c.movePending).length;
    const head = `${since(s.t0, performance.now())}  moves/s ${String(rate).padStart(4)}  pending ${String(pending).padStart(3)}  retries ${s.history.retries}`;
    if (demo) {
      const gws = s.cluster.gateways.map((g) => {
        const n = s.conns.reduce((a, c) => a + (c.welcomed && c.gateway === g.id ? 1 : 0), 0);
        return s.up.has(g.id) ? `${g.id} ● ${String(n).padStart(3)}` : `${g.id} ✕ down`;
      });
      out.write(`${head}  | ${gws.join('  ')}\n`);
    } else if (tick % 10 === 0) {
      out.write(`${head}  gateways up ${s.up.size}/${s.cluster.gateways.length}\n`);
    }
  };
}
