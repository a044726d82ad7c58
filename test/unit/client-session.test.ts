// The protocol client's session, on fake sockets and a fake clock: hello with token resume,
// reconnect to another gateway with backoff, no reconnect after 1008/1009, 1012 at once, ping
// liveness, the welcome deadline, and the bounds on reconnecting.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from '../../shared/client/backoff.js';
import { RequestError } from '../../shared/client/types.js';
import { gateway, harness, settle } from './client-fakes.js';

const delay = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.5);

describe('client session', () => {
  test('hello names a new player, a resume carries the token of the welcome; pushes reach the handler', () => {
    const h = harness();
    h.client.start();
    assert.equal(h.last().url, gateway(0).ws, 'the first gateway first');
    assert.equal(h.client.state.phase, 'connecting');
    h.welcome();
    assert.deepEqual(h.last().frames()[0], { t: 'hello', v: 1, rid: 'hello', name: 'Ada' });
    assert.deepEqual(h.client.state, { phase: 'connected', gateway: 'gw-0', closeCode: null });
    h.last().reply({ t: 'state', game: { id: 'g1', version: 2 }, reset: true });
    h.last().reply({ t: 'something-new', x: 1 });
    assert.deepEqual(h.pushes.map((m) => m.t), ['state', 'something-new']);
    h.last().die(1001);
    h.clock.advance(delay(0));
    h.welcome('gw-1');
    assert.deepEqual(h.last().frames()[0], { t: 'hello', v: 1, rid: 'hello', token: 'tok-1' });
    assert.equal(h.welcomes.length, 2);
  });

  test('a lost socket: every other gateway is tried before the lost one, with growing pauses', () => {
    const h = harness({ maxReconnects: 100 });
    h.client.start();
    h.welcome('gw-0');
    h.last().die(1006);
    assert.equal(h.client.state.phase, 'reconnecting');
    assert.equal(h.client.state.closeCode, 1006);
    const pauses: number[] = [];
    for (let i = 0; i < 4; i++) {
      pauses.push(h.clock.nextIn()!);
      h.clock.advance(h.clock.nextIn()!);
      h.last().die(1006); // no gateway answers
    }
    assert.deepEqual(h.sockets.slice(1).map((s) => s.url), [gateway(2).ws, gateway(1).ws, gateway(0).ws, gateway(2).ws], 'others first (spread 0.5), the lost one last');
    assert.deepEqual(pauses, [0, 1, 2, 3].map(delay));
    assert.ok(pauses[3] > pauses[0]);
    h.clock.advance(h.clock.nextIn()!);
    h.welcome('gw-1');
    h.last().die(1006);
    assert.equal(h.clock.nextIn(), delay(0), 'a welcome starts the backoff over');
  });

  for (const code of [1008, 1009]) {
    test(`no reconnect after close ${code}: the session ends and pending requests fail`, async () => {
      const h = harness();
      h.client.start();
      h.welcome();
      let failed = '';
      h.client.request({ t: 'queue' }).catch((e: RequestError) => { failed = e.code; });
      h.last().die(code);
      h.clock.advance(10 * 60_000);
      await settle();
      assert.equal(h.sockets.length, 1, 'no new socket');
      assert.deepEqual(h.client.state, { phase: 'closed', gateway: 'gw-0', closeCode: code });
      assert.equal(failed, 'DISCONNECTED');
      h.client.checkNow();
      assert.equal(h.sockets.length, 1, 'not even when asked to check');
      await assert.rejects(h.client.request({ t: 'queue' }), (e: RequestError) => e.code === 'DISCONNECTED');
    });
  }

  test('1012 (a draining gateway): reconnect at once, elsewhere; a second loss in a row waits', () => {
    const h = harness();
    h.client.start();
    h.welcome('gw-0');
    h.last().die(1012);
    assert.equal(h.clock.nextIn(), 0);
    h.clock.advance(0);
    assert.equal(h.sockets.length, 2);
    assert.notEqual(h.last().url, gateway(0).ws);
    h.last().die(1012);
    assert.equal(h.clock.nextIn(), delay(1));
  });

  test('ping liveness: an answered ping keeps the socket; an unanswered one drops it and the client moves on', () => {
    const h = harness({ pingEveryMs: 15_000, pongTimeoutMs: 5000 });
    h.client.start();
    h.welcome();
    const sock = h.last();
    h.clock.advance(15_000);
    const ping = sock.framesOf('ping')[0];
    assert.ok(ping?.rid);
    sock.reply({ t: 'pong', rid: ping.rid });
    h.clock.advance(14_999);
    assert.equal(sock.closedWith, null);
    assert.equal(h.client.state.phase, 'connected');
    h.clock.advance(1); // the second ping, never answered
    assert.equal(sock.framesOf('ping').length, 2);
    h.clock.advance(5000);
    assert.notEqual(sock.closedWith, null, 'given up without waiting for a close handshake');
    assert.equal(h.client.state.phase, 'reconnecting');
    h.clock.advance(h.clock.nextIn()!);
    assert.equal(h.sockets.length, 2);
    sock.die(1006); // the dead socket's late close changes nothing
    assert.equal(h.sockets.length, 2);
    assert.equal(h.client.state.phase, 'reconnecting');
  });

  test('checkNow pings a welcomed socket at once', () => {
    const h = harness();
    h.client.start();
    h.welcome();
    h.client.checkNow();
    assert.equal(h.last().framesOf('ping').length, 1);
  });

  test('a socket not welcomed in time, or a hello answered UNAVAILABLE, is dropped for the next gateway', () => {
    const h = harness({ welcomeTimeoutMs: 5000 });
    h.client.start();
    h.last().open();
    h.clock.advance(5000);
    assert.notEqual(h.sockets[0].closedWith, null);
    h.clock.advance(h.clock.nextIn()!);
    assert.equal(h.sockets.length, 2);
    h.last().open();
    h.last().reply({ t: 'error', rid: 'hello', code: 'UNAVAILABLE', message: 'Try again.' });
    assert.notEqual(h.sockets[1].closedWith, null);
    assert.equal(h.client.state.phase, 'connecting', 'never welcomed yet');
    // a refusal the gateway follows with 1008 (too many sockets of one player) is not retried
    h.clock.advance(h.clock.nextIn()!);
    h.last().open();
    h.last().reply({ t: 'error', rid: 'hello', code: 'RATE_LIMITED', message: 'Too many connections.' });
    assert.equal(h.last().closedWith, null, 'waits for the close');
    h.last().die(1008);
    h.clock.advance(60_000);
    assert.equal(h.sockets.length, 3);
    assert.equal(h.client.state.phase, 'closed');
  });

  test('reconnecting is bounded: after maxReconnects failures the client stops; checkNow starts over', () => {
    const h = harness({ maxReconnects: 3 });
    h.client.start();
    h.last().die(1006);
    for (let i = 0; i < 3; i++) { h.clock.advance(h.clock.nextIn()!); h.last().die(1006); }
    assert.equal(h.sockets.length, 4);
    assert.equal(h.client.state.phase, 'closed');
    assert.equal(h.clock.nextIn(), null, 'no timer left');
    h.client.checkNow();
    assert.equal(h.sockets.length, 5);
    h.welcome('gw-1');
    assert.equal(h.client.state.phase, 'connected');
  });

  test('stop: pending requests fail STOPPED, the socket closes 1000, nothing reconnects', async () => {
    const h = harness();
    h.client.start();
    h.welcome();
    const r = h.client.request({ t: 'move', gameId: 'g', cell: 1, mid: 'm' });
    h.client.stop();
    await assert.rejects(r, (e: RequestError) => e.code === 'STOPPED');
    assert.equal(h.last().closedWith, 1000);
    assert.equal(h.client.state.phase, 'closed');
    h.last().die(1000);
    h.clock.advance(60_000);
    assert.equal(h.sockets.length, 1);
  });

  test('restart says hello again on a fresh socket to the same gateway, keeping pending requests', () => {
    const h = harness();
    h.client.start();
    h.welcome();
    void h.client.request({ t: 'watch', gameId: 'g1' });
    const watch = h.last().sent[1];
    h.client.restart();
    assert.equal(h.sockets[0].closedWith, 1000);
    assert.equal(h.last().url, gateway(0).ws);
    h.welcome();
    assert.equal(h.last().sent[1], watch);
  });
});
