#!/usr/bin/env node
// `npm start`, `npm test` and the bots (`npm run load|bench|chaos`) begin here: install what is
// missing on a fresh machine, then run.
// Plain JavaScript with no dependency, so that it works before `npm ci` ran.
//   npm packages: `npm ci` from the lockfile when node_modules is missing or older than the lockfile
//   redis-server (start, test), redis-sentinel (REDIS_MODE=sentinel, --redis sentinel, test) and
//   chromium (test): Debian's packages via apt-get, as root
// Where it cannot install something it stops with one sentence naming it and how to get it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const rest = process.argv.slice(3);

function say(msg) { console.log(`[trine] ${msg}`); }
function die(msg) { console.error(`[trine] ${msg}`); process.exit(1); }
function has(cmd) { return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0; }
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  return r.status ?? 1;
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) die(`Node.js 20 or newer is needed (this is ${process.version}): install it from nodejs.org or your package manager.`);

function npmPackages() {
  const lock = join(ROOT, 'package-lock.json');
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('installing npm packages from the lockfile (npm ci)…');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) die('npm ci failed: check the network access to the npm registry and run `npm ci` by hand.');
}

let aptUpdated = false;
function debianPackage(cmd, pkg, why) {
  if (has(cmd)) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get')) {
    die(`${cmd} is missing (${why}): install the Debian package "${pkg}" (sudo apt-get install ${pkg}) or your system's equivalent, then run this again.`);
  }
  say(`installing ${pkg} from Debian's packages (${why})…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated && run('apt-get', ['update', '-qq'], { env }) !== 0) die('apt-get update failed: check the access to Debian\'s package mirrors.');
  aptUpdated = true;
  if (run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env }) !== 0 || !has(cmd)) {
    die(`could not install ${pkg} with apt-get: install it by hand (apt-get install ${pkg}).`);
  }
}

/**
 * Runs a TypeScript entry point in the foreground and exits with its status. SIGINT and SIGTERM are
 * passed on and waited for (the launcher drains its gateways), never left to kill this process first.
 */
function runForeground(script) {
  const child = spawn(node, ['--import', 'tsx', join(ROOT, ...script), ...rest], { stdio: 'inherit', cwd: ROOT });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { if (child.exitCode === null) child.kill(sig); });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

npmPackages();
const node = process.execPath;
if (mode === 'start') {
  if (!process.env.REDIS_URL) debianPackage('redis-server', 'redis-server', 'the local cluster runs its own Redis');
  if (process.env.REDIS_MODE === 'sentinel') debianPackage('redis-sentinel', 'redis-sentinel', 'REDIS_MODE=sentinel runs three Redis Sentinels');
  runForeground(['server', 'launcher', 'main.ts']);
} else if (mode === 'test') {
  debianPackage('redis-server', 'redis-server', 'the tests start real Redis servers');
  debianPackage('redis-sentinel', 'redis-sentinel', 'the failover test starts real Redis Sentinels');
  debianPackage('redis-benchmark', 'redis-tools', 'the benchmark measures the Redis ceiling');
  debianPackage('chromium', 'chromium', 'the page is tested in a real browser');
  debianPackage('nginx', 'nginx-light', 'the compose stack\'s nginx config is checked with nginx -t');
  const r = spawnSync(node, ['--import', 'tsx', join(ROOT, 'test', 'run.ts'), ...rest], { stdio: 'inherit', cwd: ROOT });
  process.exit(r.status ?? 1);
} else if (mode === 'load' || mode === 'bench' || mode === 'chaos') {
  // the bots (`npm run load`, `npm run bench`, `npm run chaos`): the last two start their own cluster
  if (mode !== 'load') debianPackage('redis-server', 'redis-server', `npm run ${mode} starts its own Redis`);
  if (mode !== 'load' && /(^|,|=)sentinel\b/.test(rest.join(','))) debianPackage('redis-sentinel', 'redis-sentinel', `npm run ${mode} -- --redis sentinel runs three Redis Sentinels`);
  if (mode === 'bench') debianPackage('redis-benchmark', 'redis-tools', 'the benchmark measures the Redis ceiling');
  const entry = { load: 'cli.ts', bench: 'bench.ts', chaos: 'chaos.ts' }[mode];
  const r = spawnSync(node, ['--import', 'tsx', join(ROOT, 'load', entry), ...rest], { stdio: 'inherit', cwd: ROOT });
  process.exit(r.status ?? 1);
} else {
  die('usage: node scripts/bootstrap.mjs start|test|load|bench|chaos');
}
