// Who may open a socket and keep it, on both transports (gw-0 uws, gw-1 ws): the per-IP and
// per-player caps (small here), the hello timeout, and a configured ALLOWED_ORIGINS with
// REQUIRE_ORIGIN on. Loopback has many addresses (127.0.0.0/8): a second one is a second client host.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { until } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const GOOD = 'https://play.example';
const ENV = { MAX_CONNS_PER_IP: '3', MAX_CONNS_PER_PLAYER: '3', HELLO_TIMEOUT_MS: '600', ALLOWED_ORIGINS: `${GOOD}, https://other.example/`, REQUIRE_ORIGIN: 'true' };

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

/** Terminates the sockets (numbers are refused upgrades) and resolves once each has closed. */
function terminate(sockets: (WebSocket | number)[]): Promise<void> {
  const open = sockets.filter((w): w is WebSocket => w instanceof WebSocket && w.readyState !== WebSocket.CLOSED);
  const closed = Promise.all(open.map((w) => new Promise((r) => w.once('close', r))));
  for (const w of open) w.terminate();
  return closed.then(() => undefined);
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
      const again = await until(`${g.id}: a place freed by a close can be taken`, () => open(g.ws),
        { ok: (w) => w instanceof WebSocket, everyMs: 20 });
      await terminate([...mine, neighbour, again]);
    }
  });

  test('MAX_CONNS_PER_PLAYER=3: a fourth socket of one player on one gateway gets RATE_LIMITED and 1008; the other gateway and other players are not affected', async () => {
    /** A socket from `from` saying hello with `token`: its first answer and how it ends. */
    const hello = async (url: string, from: string, token?: string) => {
      const ws = await open(url, from) as WebSocket;
      const first = new Promise<Record<string, any>>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      ws.send(JSON.stringify({ t: 'hello', v: 1, rid: 'h', ...(token ? { token } : {}) }));
      return { ws, first: await first, closed };
    };
    for (const g of cl.gateways) {
      const a = await hello(g.ws, '127.0.0.4');
      const token = a.first.token as string;
      const more = [await hello(g.ws, '127.0.0.4', token), await hello(g.ws, '127.0.0.5', token)];
      assert.ok(more.every((m) => m.first.t === 'welcome' && m.first.player.id === a.first.player.id));
      const fourth = await hello(g.ws, '127.0.0.5', token);
      assert.equal(fourth.first.t, 'error');
      assert.equal(fourth.first.code, 'RATE_LIMITED');
      assert.equal(fourth.first.rid, 'h');
      assert.equal(await fourth.closed, 1008);
      const redis = new Redis(cl.redisUrl);
      const conns = `trine:player:{p:${a.first.player.id}}:conns`;
      await until('the refused socket not left in Redis (3 connections)', () => redis.scard(conns), { ok: (n) => n === 3 });
      redis.disconnect();
      const other = cl.gateways.find((x) => x !== g)!;
      const elsewhere = await hello(other.ws, '127.0.0.6', token);
      assert.equal(elsewhere.first.t, 'welcome', 'the cap is per gateway');
      const stranger = await hello(g.ws, '127.0.0.6');
      assert.equal(stranger.first.t, 'welcome', 'another player is not affected');
      a.ws.close();
      await a.closed;
      const tries: WebSocket[] = [];
      const again = await until('a closed socket frees its place', async () => {
        const h = await hello(g.ws, '127.0.0.5', token);
        tries.push(h.ws);
        return h;
      }, { ok: (h) => h.first.t === 'welcome' });
      await terminate([...more, elsewhere, stranger, again].map((x) => x.ws).concat(tries));
    }
  });

  test('HELLO_TIMEOUT_MS=600: a silent socket is closed 1008; one that said hello stays', async () => {
    for (const g of cl.gateways) {
      const silent = await TestClient.open(g.ws, 'silent', { Origin: GOOD });
      const polite = await TestClient.open(g.ws, 'polite', { Origin: GOOD });
      const later = await TestClient.open(g.ws, 'silent, opened after polite', { Origin: GOOD });
      await polite.hello();
      assert.equal((await silent.waitClose(3000)).code, 1008, `${g.id}`);
      // `later` was opened after `polite`: once its own hello timeout has closed it, polite's has passed too
      assert.equal((await later.waitClose(3000)).code, 1008, `${g.id}`);
      assert.equal(polite.closed, null, `${g.id}: the socket that said hello is still open`);
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
