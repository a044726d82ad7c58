// `npm test`: every test file under test/ and test/unit/ (node's test runner, one file at a time: each starts its
// own Redis and clusters on free ports), then the independent contract check of ../shared, when it
// is there, against a 3-gateway cluster with each transport, on one Redis and on a Redis Cluster. Ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../server/launcher/cluster.js';
import { runContractCheck } from './support/contract-check.js';

// every script call and plain command of the Store keeps to one slot (server/store/scripts.ts checkSlots)
process.env.TRINE_CHECK_SLOTS = '1';
const only = process.argv.slice(2);
// test/*.test.ts, then the in-process unit tests of test/unit/ (no Redis, no sockets)
const testsIn = (dir: string) => readdirSync(join(ROOT, 'test', dir)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
const files = [...testsIn('.'), ...testsIn('unit')].filter((f) => !only.length || only.some((o) => f.includes(o)));
let passed = 0;
let failed = 0;
const failures: string[] = [];

console.log(`# running ${files.length} test files`);
// a test that never ends fails after 5 minutes, and a file whose tests are done exits even if a
// failed test left a handle open (a subscriber reconnecting forever): the suite cannot hang CI
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec',
  '--test-timeout=300000', '--test-force-exit',
  ...files.map((f) => join('test', f))], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20 });
process.stdout.write(r.stdout);
const count = (name: string) => Number(new RegExp(`^ℹ ${name} (\\d+)`, 'm').exec(r.stdout)?.[1] ?? 0);
passed += count('pass');
failed += count('fail') + count('cancelled');
if (r.status !== 0 && failed === 0) { failed++; failures.push(`node --test exited ${r.status}`); }
if (count('fail') || count('cancelled')) failures.push('node tests');

const checker = join(ROOT, '..', 'shared', 'contract-check', 'check.mjs');
if (!only.length || only.includes('contract-check')) {
  if (existsSync(checker)) {
    for (const redisMode of ['single', 'cluster'] as const) {
      for (const transport of ['uws', 'ws'] as const) {
        const res = await runContractCheck(checker, transport, redisMode);
        console.log(`# contract check (${transport}, REDIS_MODE=${redisMode}): ${res.summary}`);
        if (res.ok) passed++; else { failed++; failures.push(`contract check (${transport}, REDIS_MODE=${redisMode})`); }
      }
    }
  } else {
    console.log('# ../shared/contract-check is not here: skipping the independent contract check (the tests above cover the contract)');
  }
}

if (failures.length) console.log(`# failed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
