// The README's configuration table lists every setting of server/config.ts, as generated.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../server/launcher/cluster.js';
import { readmeWithTable } from '../scripts/config-doc.js';
import { ConfigError, loadConfig } from '../server/config.js';

test('README configuration table is up to date (npm run config-doc)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readme, readmeWithTable(readme), 'run `npm run config-doc`');
});

test('a bad value stops with one sentence naming the variable', () => {
  assert.throws(() => loadConfig({ PORT: 'abc' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => loadConfig({ TRANSPORT: 'tcp' }), /TRANSPORT/);
  assert.throws(() => loadConfig({ REDIS_URL: 'http://x' }), /REDIS_URL/);
  assert.equal(loadConfig({}).PORT, 8080);
  assert.equal(loadConfig({ PORT: '9000' }).GATEWAY_ID, 'gw-9000');
});
