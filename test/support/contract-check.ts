// Runs ../shared/contract-check/check.mjs against a fresh 3-gateway cluster of one transport, on
// one Redis (single) or a Redis Cluster (cluster).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, ROOT } from '../../server/launcher/cluster.js';
import { freePortRange } from '../../server/launcher/ports.js';

export async function runContractCheck(checker: string, transport: 'uws' | 'ws', redisMode: 'single' | 'cluster' = 'single'): Promise<{ ok: boolean; summary: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'trine-cc-'));
  const clusterFile = join(dir, 'cluster.json');
  const cluster = new Cluster({
    gateways: 3, host: '127.0.0.1', basePort: await freePortRange(3), restartDelayMs: 1000, redisMode,
    env: { TRANSPORT: transport, LOG_LEVEL: 'warn' }, clusterFile, logDir: join(dir, 'logs'),
  });
  try {
    await cluster.start();
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(process.execPath, ['--experimental-websocket', checker, '--cluster', clusterFile, '--kill', '--slow'],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (d) => { text += d; process.stdout.write(`  [check ${transport} ${redisMode}] ${d}`.replace(/\n(?!$)/g, `\n  [check ${transport} ${redisMode}] `)); });
      p.stderr.on('data', (d) => { text += d; process.stderr.write(d); });
      const t = setTimeout(() => p.kill('SIGKILL'), 5 * 60_000);
      p.on('exit', (code) => { clearTimeout(t); resolve({ code: code ?? 1, text }); });
    });
    const summary = out.text.trim().split('\n').filter((l) => /passed, \d+ failed/.test(l)).pop() ?? 'no summary line';
    return { ok: out.code === 0, summary };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
