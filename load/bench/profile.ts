// Reads the gateways' V8 CPU profiles (node --cpu-prof) and ranks functions by self time.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }

/** Functions by share of the busy (non-idle) samples of every profile in `dir`. */
export function topFunctions(dir: string, limit = 25): { fn: string; selfPct: number }[] {
  const hits = new Map<string, number>();
  let busy = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: ProfileNode[] };
    for (const nd of prof.nodes) {
      const h = nd.hitCount ?? 0;
      if (!h) continue;
      const { functionName, url, lineNumber } = nd.callFrame;
      if (functionName === '(idle)') continue;
      busy += h;
      const where = url ? `${basename(url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
      hits.set(key, (hits.get(key) ?? 0) + h);
    }
  }
  return [...hits].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([fn, h]) => ({ fn, selfPct: Math.round((h / Math.max(1, busy)) * 1000) / 10 }));
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  for (const x of topFunctions(process.argv[2] ?? '.', Number(process.argv[3] ?? 40))) console.log(`${String(x.selfPct).padStart(5)}%  ${x.fn}`);
}
