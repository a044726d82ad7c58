// The one backoff policy of page and bots, and the choice of the next gateway from the live list.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF } from '../../shared/client/backoff.js';
import { GatewayDirectory, homeGateway, wsGateway } from '../../shared/client/gateways.js';
import { gateway as gw } from './client-fakes.js';

describe('backoff policy', () => {
  test('grows exponentially, stays within [ceiling/2, ceiling], and is capped', () => {
    for (const r of [0, 0.5, 0.999, 1]) {
      for (let n = 0; n < 40; n++) {
        const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** n);
        const d = backoffDelay(n, undefined, () => r);
        assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${n}: ${d}`);
      }
    }
    assert.equal(backoffDelay(0, { baseMs: 100, capMs: 2000 }, () => 0), 50);
    assert.equal(backoffDelay(10, { baseMs: 100, capMs: 2000 }, () => 1), 2000);
    assert.ok(backoffDelay(3, undefined, () => 0) > backoffDelay(2, undefined, () => 1) / 2);
  });
});

describe('gateway directory', () => {
  const fetchOf = (body: unknown, ok = true) => (async () => ({ ok, headers: new Headers(), json: async () => body })) as unknown as typeof fetch;

  test('after losing a gateway every other one is tried before it, spread by the outage draw', async () => {
    const d = new GatewayDirectory([gw(0)], fetchOf({ gateways: [gw(2), gw(1), gw(0), { id: 'bad', url: 'javascript:x', ws: 'x' }] }));
    await d.refresh();
    assert.deepEqual(d.all().map((g) => g.ws), [gw(0), gw(1), gw(2)].map((g) => g.ws));
    const order = (spread: number) => [0, 1, 2, 3].map((a) => d.pick(gw(0).ws, a, spread).ws);
    assert.deepEqual(order(0), [gw(1).ws, gw(2).ws, gw(0).ws, gw(1).ws]);
    assert.deepEqual(order(0.9), [gw(2).ws, gw(1).ws, gw(0).ws, gw(2).ws]);
  });

  test('keeps what it knew when no gateway answers; without a fetch it keeps to the gateways given', async () => {
    const d = new GatewayDirectory([homeGateway('http://127.0.0.1:9000')], fetchOf({ error: 'UNAVAILABLE' }, false));
    await d.refresh();
    assert.deepEqual(d.all().map((g) => g.ws), ['ws://127.0.0.1:9000/ws']);
    assert.equal(d.pick('ws://127.0.0.1:9000/ws', 0).ws, 'ws://127.0.0.1:9000/ws');
    assert.equal(homeGateway('https://trine.example').ws, 'wss://trine.example/ws');
    const bots = new GatewayDirectory(['ws://127.0.0.1:9001/ws', 'wss://b.example/ws'].map(wsGateway));
    await bots.refresh();
    assert.deepEqual(bots.all().map((g) => g.url), ['http://127.0.0.1:9001', 'https://b.example']);
    assert.throws(() => new GatewayDirectory([]));
  });
});
