// Which upgrades are admitted: the Origin policy and the admission decision (path, drain, per-IP cap).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission } from '../../server/gateway/admission.js';
import { originPolicy } from '../../server/gateway/origins.js';

const PUBLIC_URL = 'https://play.example.org';

test('default policy: this gateway\'s host or loopback; no Origin allowed unless REQUIRE_ORIGIN', () => {
  const allowed = originPolicy({ ALLOWED_ORIGINS: undefined, REQUIRE_ORIGIN: false, PUBLIC_URL });
  for (const o of ['https://play.example.org', 'http://play.example.org:8443', 'http://localhost:8080', 'http://127.0.0.1:9000', 'http://[::1]:8080']) {
    assert.equal(allowed(o), true, o);
  }
  for (const o of ['https://evil.example.org', 'https://play.example.org.evil.net', 'null', 'not a url', 'http://128.0.0.1']) {
    assert.equal(allowed(o), false, o);
  }
  assert.equal(allowed(undefined), true);
  assert.equal(originPolicy({ ALLOWED_ORIGINS: undefined, REQUIRE_ORIGIN: true, PUBLIC_URL })(undefined), false);
});

test('a list allows exactly its Origins (trailing slashes ignored); "*" allows any that is present', () => {
  const listed = originPolicy({ ALLOWED_ORIGINS: ' https://a.example/ , https://b.example ', REQUIRE_ORIGIN: false, PUBLIC_URL });
  assert.equal(listed('https://a.example'), true);
  assert.equal(listed('https://b.example'), true);
  assert.equal(listed('http://localhost:8080'), false, 'a list replaces the default');
  assert.equal(listed(PUBLIC_URL), false);
  const any = originPolicy({ ALLOWED_ORIGINS: '*', REQUIRE_ORIGIN: true, PUBLIC_URL });
  assert.equal(any('https://anything.example'), true);
  assert.equal(any(undefined), false);
});

test('admission: the path, then draining, then the Origin, then the per-IP cap (freed on close)', () => {
  let draining = false;
  const a = new Admission({ maxConnsPerIp: 2, isDraining: () => draining, originAllowed: (o) => o !== 'https://evil.example' });
  const at = (ip: string, origin?: string, path = '/ws') => a.decide({ ip, origin, path });
  assert.deepEqual(at('1.1.1.1', undefined, '/other'), [404, 'not found']);
  assert.equal(at('1.1.1.1'), null);
  assert.equal(at('1.1.1.1', 'https://evil.example')?.[0], 403);
  a.opened('1.1.1.1');
  a.opened('1.1.1.1');
  assert.equal(at('1.1.1.1')?.[0], 429);
  assert.equal(at('2.2.2.2'), null, 'per address');
  a.closed('1.1.1.1');
  assert.equal(at('1.1.1.1'), null);
  draining = true;
  assert.equal(at('2.2.2.2')?.[0], 503);
});
