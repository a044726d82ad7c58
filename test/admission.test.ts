// Who may open a socket and keep it, on both transports (gw-0 uws, gw-1 ws): the per-IP cap
// (MAX_CONNS_PER_IP small here), the hello timeout, and a configured ALLOWED_ORIGINS with
// REQUIRE_ORIGIN on. Loopback has many addresses (127.0.0.0/8): a second one is a second client host.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { TestClient } from './support/client.js';
import { sleep, startCluster } from './support/cluster.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const GOOD = 'https://play.example';
const ENV = { MAX_CONNS_PER_IP: '3', HELLO_TIMEOUT_MS: '600', ALLOWED_ORIGINS: `${GOOD}, https://other.example/`, REQUIRE_ORIGIN: 'true' };

/** Opens a socket from `from` (a loopback address), with `origin` (null: none): resolves with it, or with the refusing HTTP status. */
function open(url: string, from = '127.0.0.1', origin: string | null = GOOD): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress: from, headers: origin ? { Origin: origin } : {} });
    const t = setTimeout(() => { ws.terminate(); reject(new Error('no answer to the upgrade')); }, 5000);
    ws.on('open', () => { clearTimeout(t); resolve(ws); });
    ws.on('unexpected-response', (_req, res) => { clearTimeout(t); resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

describe('admission (gw-0 uws, gw-1 ws)', () => {
  let cl: C;
  before(async () => { cl = await startCluster({ gateways: 2, transport: 'mixed', env: ENV }); });
  after(async () => { await cl.stop(); });

  test('MAX_CONNS_PER_IP=3: a fourth socket from one address is refused (429), other addresses are not; a closed socket frees its place', async () => {
    for (const g of cl.gateways) {
      const mine = await Promise.all([1, 2, 3].map(() => open(g.ws)));
      assert.ok(mine.every((w) => w instanceof WebSocket), `${g.id}: three sockets open`);
      assert.equal(await open(g.ws), 429, `${g.id}: the fourth is refused`);
      const neighbour = await open(g.ws, '127.0.0.2');
      assert.ok(neighbour instanceof WebSocket, `${g.id}: another address is not affected`);
      (mine[0] as WebSocket).close();
      let again: WebSocket | number = 429;
      for (let i = 0; i < 50 && again === 429; i++) { await sleep(20); again = await open(g.ws); }
      assert.ok(again instanceof WebSocket, `${g.id}: a place freed by a close can be taken`);
      for (const w of [...mine, neighbour, again]) if (w instanceof WebSocket) w.terminate();
      await sleep(100);
    }
  });

  test('HELLO_TIMEOUT_MS=600: a silent socket is closed 1008; one that said hello stays', async () => {
    for (const g of cl.gateways) {
      const silent = await TestClient.open(g.ws, 'silent', { Origin: GOOD });
      const polite = await TestClient.open(g.ws, 'polite', { Origin: GOOD });
      await polite.hello();
      assert.equal((await silent.waitClose(3000)).code, 1008, `${g.id}`);
      await sleep(300);
      assert.equal((await polite.request({ t: 'ping' })).t, 'pong', `${g.id}: still served`);
      polite.close();
    }
  });

  test('ALLOWED_ORIGINS with REQUIRE_ORIGIN: listed Origins upgrade; others (loopback too) and a missing Origin are refused 403', async () => {
    for (const g of cl.gateways) {
      for (const origin of [GOOD, 'https://other.example']) {
        const c = await TestClient.open(g.ws, 'ok', { Origin: origin });
        await c.hello();
        c.close();
      }
      for (const origin of ['https://evil.example', g.url, 'https://play.example.evil.example', 'http://play.example', 'null', null]) {
        assert.equal(await open(g.ws, '127.0.0.3', origin), 403, `${g.id} ${origin}`);
      }
    }
  });
});
