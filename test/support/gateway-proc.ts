// One gateway process started by a test on its own (for configurations a Cluster would wait on
// forever, e.g. a Redis it cannot authenticate to). Output is kept in memory for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../server/launcher/cluster.js';
import { freePort } from '../../server/launcher/ports.js';
import { until } from './until.js';

// every script call and plain command of the Store keeps to one slot (server/store/scripts.ts checkSlots)
process.env.TRINE_CHECK_SLOTS ??= '1';

export interface GatewayProcess { url: string; ws: string; proc: ChildProcess; output(): string; stop(): Promise<void> }

export async function spawnGateway(env: Record<string, string>, timeoutMs = 15_000): Promise<GatewayProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server', 'main.ts')], {
    cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), GATEWAY_ID: `solo-${port}`, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const url = `http://127.0.0.1:${port}`;
  const g: GatewayProcess = {
    url, ws: `ws://127.0.0.1:${port}/ws`, proc, output: () => out,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 8000);
      await done;
      clearTimeout(t);
    },
  };
  try {
    await until(`gateway on ${port} answering /healthz`, async () => {
      if (proc.exitCode !== null) throw new Error(`gateway exited (${proc.exitCode}): ${out.slice(-500)}`);
      return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    }, { timeoutMs, everyMs: 100 });
    return g;
  } catch (e) {
    await g.stop();
    throw e;
  }
}
