// A full garbage collection in a gateway started with --inspect=127.0.0.1:0, through the V8
// inspector (HeapProfiler.collectGarbage): memory is then compared live object for live object,
// not with whatever garbage the last burst left behind. The inspector URL is read from the
// gateway's log, where node prints it.
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export function inspectorUrl(logFile: string): string | null {
  try {
    const all = [...readFileSync(logFile, 'utf8').matchAll(/Debugger listening on (ws:\/\/\S+)/g)];
    return all.length ? all[all.length - 1][1] : null;
  } catch {
    return null;
  }
}

/** Runs a full GC in the process behind the inspector URL; false when it could not. */
export function collectGarbage(url: string, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const t = setTimeout(() => { ws.terminate(); resolve(false); }, timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    ws.on('message', (d) => {
      if ((JSON.parse(String(d)) as { id?: number }).id !== 1) return;
      clearTimeout(t);
      ws.close();
      resolve(true);
    });
    ws.on('error', () => { clearTimeout(t); resolve(false); });
  });
}
