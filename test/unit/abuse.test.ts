// The per-connection limits: the token bucket (rate and burst), the abuse window, and the answers
// that count bad input and close a connection past ABUSE_LIMIT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ABUSE_WINDOW_MS, AbuseWindow, TokenBucket, isBadInput } from '../../server/gateway/abuse.js';
import { Answers } from '../../server/gateway/answers.js';
import type { Conn } from '../../server/gateway/conn.js';
import { ManualClock, fakeMetrics } from './fakes.js';

test('token bucket: a full burst at once, then the refill rate, never more than the burst', () => {
  const b = new TokenBucket(10, 3, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(50), false, 'half a token after 50 ms at 10/s');
  assert.equal(b.take(100), true, 'one token after 100 ms');
  assert.equal(b.take(100), false);
  // a long pause refills to the burst only
  assert.deepEqual([b.take(60_000), b.take(60_000), b.take(60_000), b.take(60_000)], [true, true, true, false]);
});

test('token bucket: a steady rate at the limit is never refused', () => {
  const b = new TokenBucket(10, 1, 0);
  for (let i = 1; i <= 300; i++) assert.equal(b.take(i * 100), true, `message ${i}`);
  assert.equal(b.take(300 * 100), false, 'one more at the same moment is refused');
});

test('abuse window: past the limit within the window; a new window starts from zero', () => {
  const w = new AbuseWindow();
  const t0 = 5 * ABUSE_WINDOW_MS;
  assert.deepEqual([w.add(t0, 2), w.add(t0 + 1, 2), w.add(t0 + 2, 2)], [false, false, true]);
  assert.equal(w.add(t0 + ABUSE_WINDOW_MS + 3, 2), false, 'the count starts over after the window');
});

test('bad input is the client\'s fault; refusals by the rules and outages are not', () => {
  for (const c of ['BAD_MESSAGE', 'HELLO_FIRST', 'RATE_LIMITED'] as const) assert.equal(isBadInput(c), true, c);
  for (const c of ['NOT_FOUND', 'UNAVAILABLE', 'INTERNAL', 'NOT_YOUR_TURN'] as const) assert.equal(isBadInput(c), false, c);
});

function fakeConn(): Conn & { sent: string[]; ended: [number, string][] } {
  const c = {
    closed: false, sent: [] as string[], ended: [] as [number, string][], abuse: new AbuseWindow(),
    send(t: string) { c.sent.push(t); },
    socket: { end: (code: number, reason: string) => { c.ended.push([code, reason]); c.closed = true; } },
  };
  return c as unknown as Conn & { sent: string[]; ended: [number, string][] };
}

test('answers: errors are counted and sent with the rid; bad input past ABUSE_LIMIT closes 1008 once', () => {
  const clock = new ManualClock();
  const metrics = fakeMetrics('messagesOut', 'errors', 'closes');
  const answers = new Answers({ metrics, abuseLimit: 2, now: clock.now });
  const c = fakeConn();
  answers.fail(c, 'r1', 'NOT_FOUND');
  answers.fail(c, 'r2', 'NOT_FOUND');
  answers.fail(c, 'r3', 'NOT_FOUND');
  assert.equal(c.ended.length, 0, 'refusals by the rules do not count');
  answers.fail(c, undefined, 'BAD_MESSAGE');
  answers.fail(c, undefined, 'BAD_MESSAGE');
  assert.equal(c.ended.length, 0);
  answers.fail(c, undefined, 'HELLO_FIRST');
  assert.deepEqual(c.ended, [[1008, 'too many bad messages']]);
  assert.deepEqual(JSON.parse(c.sent[0]), { t: 'error', rid: 'r1', code: 'NOT_FOUND', message: 'There is no such game or invite code.' });
  assert.equal('rid' in JSON.parse(c.sent[3]), false, 'no rid, no rid field');
  assert.equal(metrics.errors.get({ code: 'BAD_MESSAGE' }), 2);
  assert.equal(metrics.closes.get({ code: '1008' }), 1);
  answers.reply(c, { t: 'pong', rid: 'p' });
  assert.equal(metrics.messagesOut.get({ type: 'pong' }), 1);
});
