// How a failed command is answered: UNAVAILABLE (Redis could not serve it) or INTERNAL (a bug).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureCode, fromRedis, isUnavailable } from '../../server/gateway/failures.js';

const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

test('Redis saying it cannot serve now is UNAVAILABLE; any other error reply (a script error) is INTERNAL', () => {
  for (const m of ['LOADING Redis is loading', 'READONLY You can\'t write against a read only replica.', 'MASTERDOWN Link with MASTER is down',
    'BUSY Redis is busy running a script', 'TRYAGAIN', 'CLUSTERDOWN', 'OOM command not allowed', 'NOAUTH Authentication required.',
    'WRONGPASS invalid username-password pair', 'NOPERM this user has no permissions']) {
    assert.equal(failureCode(replyError(m)), 'UNAVAILABLE', m);
    assert.equal(fromRedis(replyError(m)), true);
  }
  for (const m of ['ERR Error running script: attempt to index a nil value', 'NOSCRIPT No matching script', 'WRONGTYPE Operation', 'LOADINGX']) {
    assert.equal(failureCode(replyError(m)), 'INTERNAL', m);
    assert.equal(fromRedis(replyError(m)), true, 'still an error of Redis');
  }
});

test('a lost connection or a timeout is UNAVAILABLE; a bug in the gateway is INTERNAL and not counted as Redis\'s', () => {
  for (const e of [new Error('Connection is closed.'), new Error('Command timed out'), Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }), 'a string']) {
    assert.equal(failureCode(e), 'UNAVAILABLE');
    assert.equal(isUnavailable(e), true);
  }
  for (const e of [new TypeError('x is undefined'), new RangeError('r'), new ReferenceError('y'), new SyntaxError('z')]) {
    assert.equal(failureCode(e), 'INTERNAL', e.name);
    assert.equal(fromRedis(e), false, e.name);
  }
});
