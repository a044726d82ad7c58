// Figures read from the gateways' Prometheus endpoint (/metrics): memory for the idle scenario,
// CPU time for the cost of a move, counters summed over the gateways (the chaos experiment's
// rollbacks). Best effort: a gateway that does not answer gives nulls.

/** http(s)://host:port of a gateway's ws(s)://host:port/ws URL. */
export const httpOf = (wsUrl: string): string => wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');

async function scrape(wsUrl: string): Promise<string | null> {
  try {
    return await (await fetch(`${httpOf(wsUrl)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  } catch {
    return null;
  }
}

function read(text: string | null, name: string): number | null {
  if (!text) return null;
  const m = new RegExp(`^trine_process_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

export interface GatewayMemory { rss: number | null; heapUsed: number | null }

/** A gateway's resident memory and used JS heap in bytes. */
export async function gatewayMemory(wsUrl: string): Promise<GatewayMemory> {
  const text = await scrape(wsUrl);
  return { rss: read(text, '(?:process_)?resident_memory_bytes'), heapUsed: read(text, 'nodejs_heap_size_used_bytes') };
}

/** CPU seconds (user + system) used so far by every gateway together, or null if one did not answer. */
export async function gatewaysCpuSeconds(wsUrls: string[]): Promise<number | null> {
  const all = await Promise.all(wsUrls.map(async (u) => read(await scrape(u), '(?:process_)?cpu_seconds_total')));
  return all.some((x) => x === null) ? null : all.reduce((a, b) => a! + b!, 0);
}

/** A counter of Trine summed over every gateway (every label set), or null if one did not answer. */
export async function gatewaysCounter(wsUrls: string[], name: string): Promise<number | null> {
  const all = await Promise.all(wsUrls.map(async (u) => {
    const text = await scrape(u);
    if (text === null) return null;
    let sum = 0;
    for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  }));
  return all.some((x) => x === null) ? null : all.reduce((a, b) => a! + b!, 0);
}
