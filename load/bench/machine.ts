// What the benchmark ran on: cores, memory, versions, commit, and how busy the machine was.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../server/launcher/cluster.js';

const run = (cmd: string, args: string[]): string => {
  try { return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return '?'; }
};
const pkgVersion = (name: string): string => {
  try { return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return '?'; }
};

export interface Machine {
  cores: number; cpu: string; memory_gib: number; os: string; node: string; redis: string;
  uws: string; ws: string; ioredis: string; commit: string; load_before: number[];
}

export function machine(): Machine {
  const c = cpus();
  let os = '?';
  try { os = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '?'; } catch { /* not Linux */ }
  return {
    cores: c.length, cpu: c[0]?.model ?? '?', memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10, os,
    node: process.version, redis: /v=(\S+)/.exec(run('redis-server', ['--version']))?.[1] ?? '?',
    uws: pkgVersion('uWebSockets.js'), ws: pkgVersion('ws'), ioredis: pkgVersion('ioredis'),
    commit: run('git', ['rev-parse', '--short', 'HEAD']) + (run('git', ['status', '--porcelain']) ? ' (with local changes)' : ''),
    load_before: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
