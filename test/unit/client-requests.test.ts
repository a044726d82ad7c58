// The protocol client's requests, on fake sockets and a fake clock: rid matching, a fresh idem for
// every state change, and the resend of a pending request byte for byte unchanged (same rid, mid,
// idem) after UNAVAILABLE, after a lost socket and after a silent answer, every retry bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from '../../shared/client/backoff.js';
import { RequestError, type OkAnswer } from '../../shared/client/types.js';
import { harness, settle } from './client-fakes.js';

/** The outcome of a request promise once settled: the answer, or the error code. */
function outcome(p: Promise<OkAnswer>) {
  const o: { ok?: OkAnswer; code?: string } = {};
  p.then((ok) => { o.ok = ok; }, (e: RequestError) => { o.code = e.code; });
  return o;
}

describe('client requests', () => {
  test('answers are matched to requests by rid, in any order; an answer to nothing pending is ignored', async () => {
    const h = harness();
    h.client.start();
    h.welcome();
    const a = outcome(h.client.request({ t: 'watch', gameId: 'g1' }));
    const b = outcome(h.client.request({ t: 'join', code: 'ABC123' }));
    const [wa, jb] = h.last().frames().slice(1);
    assert.notEqual(wa.rid, jb.rid);
    h.last().reply({ t: 'ok', rid: 'nobody-asked', gameId: 'zzz' });
    h.last().reply({ t: 'error', rid: jb.rid, code: 'NOT_FOUND', message: 'No such code.' });
    h.last().reply({ t: 'ok', rid: wa.rid, gameId: 'g1' });
    await settle();
    assert.deepEqual(a.ok, { t: 'ok', rid: wa.rid, gameId: 'g1' });
    assert.equal(b.code, 'NOT_FOUND');
    assert.deepEqual(h.pushes, [], 'answers are not pushed to the handlers');
  });

  test('every state change gets a fresh idem when it is sent; a caller\'s own idem, a mid, and reads are left alone', () => {
    const h = harness();
    h.client.start();
    h.welcome();
    for (const m of [{ t: 'create' }, { t: 'join', code: 'C' }, { t: 'queue' }, { t: 'unqueue' }, { t: 'resign', gameId: 'g' }, { t: 'rematch', gameId: 'g' }] as const) {
      void h.client.request(m);
    }
    void h.client.request({ t: 'create', idem: 'mine' });
    void h.client.request({ t: 'move', gameId: 'g', cell: 4, mid: 'm-1' });
    void h.client.request({ t: 'watch', gameId: 'g' });
    const idems = h.last().frames().slice(1).map((f) => f.idem);
    assert.deepEqual(idems, ['idem-1', 'idem-2', 'idem-3', 'idem-4', 'idem-5', 'idem-6', 'mine', undefined, undefined]);
  });

  test('after UNAVAILABLE the same frame is sent again after a backoff pause, until it is answered', async () => {
    const h = harness();
    h.client.start();
    h.welcome();
    const r = outcome(h.client.request({ t: 'create' }));
    const first = h.last().sent[1];
    const rid = JSON.parse(first).rid;
    h.last().reply({ t: 'error', rid, code: 'UNAVAILABLE', message: 'Try again.' });
    assert.equal(h.last().sent.length, 2, 'not at once');
    assert.equal(h.clock.nextIn(), backoffDelay(0, DEFAULT_BACKOFF, () => 0.5));
    h.clock.advance(h.clock.nextIn()!);
    assert.equal(h.last().sent[2], first, 'byte for byte the same: rid and idem');
    h.last().reply({ t: 'error', rid, code: 'UNAVAILABLE', message: 'Try again.' });
    h.clock.advance(h.clock.nextIn()!);
    assert.equal(h.last().sent[3], first);
    h.last().reply({ t: 'ok', rid, gameId: 'g1', code: 'K7PX2M' });
    await settle();
    assert.equal(r.ok?.gameId, 'g1');
    assert.equal(r.code, undefined);
  });

  test('a request whose socket was lost is sent again, unchanged, on the next socket (another gateway)', async () => {
    const h = harness();
    h.client.start();
    h.welcome('gw-0');
    const move = outcome(h.client.request({ t: 'move', gameId: 'g1', cell: 4, mid: 'm-1' }));
    const join = outcome(h.client.request({ t: 'join', code: 'K7PX2M' }));
    const sent = h.last().sent.slice(1);
    h.last().die(1006);
    h.clock.advance(h.clock.nextIn()!);
    assert.equal(h.sockets.length, 2);
    assert.notEqual(h.last().url, h.sockets[0].url, 'another gateway');
    h.welcome('gw-1', ['g1']);
    assert.deepEqual(h.last().sent.slice(1), sent, 'the same frames, same mid and idem');
    const [m, j] = h.last().frames().slice(1);
    h.last().reply({ t: 'ok', rid: m.rid, version: 3 });
    h.last().reply({ t: 'ok', rid: j.rid, gameId: 'g1' });
    await settle();
    assert.equal(move.ok?.version, 3);
    assert.equal(join.ok?.gameId, 'g1');
  });

  test('a request made while no socket is welcomed waits for the next welcome', () => {
    const h = harness();
    h.client.start();
    void h.client.request({ t: 'queue' });
    assert.deepEqual(h.last().sent, [], 'not before open');
    h.welcome();
    assert.deepEqual(h.last().frames().map((f) => f.t), ['hello', 'queue']);
  });

  test('a live socket that does not answer gets the same frame again; every retry is bounded', async () => {
    const h = harness({ answerTimeoutMs: 1000, maxSends: 3, pingEveryMs: 60_000 });
    h.client.start();
    h.welcome();
    const silent = outcome(h.client.request({ t: 'resign', gameId: 'g1' }));
    h.clock.advance(1000);
    h.clock.advance(1000);
    const resigns = h.last().framesOf('resign');
    assert.equal(resigns.length, 3);
    assert.ok(resigns.every((f) => JSON.stringify(f) === JSON.stringify(resigns[0])));
    h.clock.advance(1000);
    await settle();
    assert.equal(silent.code, 'TIMEOUT', 'given up after maxSends');

    const busy = outcome(h.client.request({ t: 'queue' }));
    for (let i = 0; i < 3; i++) {
      const q = h.last().framesOf('queue');
      h.last().reply({ t: 'error', rid: q[q.length - 1].rid, code: 'UNAVAILABLE', message: 'Try again.' });
      h.clock.advance(h.clock.nextIn()!);
    }
    await settle();
    assert.equal(h.last().framesOf('queue').length, 3);
    assert.equal(busy.code, 'UNAVAILABLE', 'the last answer, after maxSends');
  });

  test('a refusal for good is not retried', async () => {
    const h = harness();
    h.client.start();
    h.welcome();
    const sock = h.last();
    const r = outcome(h.client.request({ t: 'move', gameId: 'g1', cell: 0, mid: 'm' }));
    sock.reply({ t: 'error', rid: sock.framesOf('move')[0].rid, code: 'CELL_TAKEN', message: 'Taken.' });
    h.clock.advance(60_000);
    await settle();
    assert.equal(r.code, 'CELL_TAKEN');
    assert.equal(h.sockets.flatMap((s) => s.framesOf('move')).length, 1);
  });
});
