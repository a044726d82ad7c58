// A client that stops reading is dropped once what the gateway holds for it passes
// SEND_BUFFER_LIMIT, on both transports, while a normal game on the same gateway goes on.
// The reader is a bare TCP socket that does the WebSocket handshake, then never reads: it follows
// the normal game and, to fill its buffers quickly, asks again and again to watch a finished game
// (each answer carries a full state frame). The rate limit is raised in this cluster for that only.
// Linux socket buffers take a few MB first: the limit counts what the gateway holds beyond them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { player } from './support/client.js';
import { sleep, startCluster } from './support/cluster.js';
import { playPrivateGame, privateGame } from './support/play.js';
import { encodeFrame, RawWs } from './support/raw-ws.js';
import { until } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const LIMIT = 64 * 1024;
const ENV = { SEND_BUFFER_LIMIT: String(LIMIT), RATE_PER_S: '1000000', RATE_BURST: '1000000', ABUSE_LIMIT: '1000000' };
const MAX_WRITTEN = 40 << 20;

/** A gauge's value; fails when the gateway does not export it (NaN would make every comparison below vacuous). */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const v = Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  assert.ok(Number.isFinite(v), `${url} exports ${name}`);
  return v;
}

describe('slow consumers (gw-0 uws, gw-1 ws)', () => {
  let cl: C;
  before(async () => { cl = await startCluster({ gateways: 2, transport: 'mixed', env: ENV }); });
  after(async () => { await cl.stop(); });

  for (const gi of [0, 1]) {
    test(`${gi ? 'ws' : 'uws'}: a socket that never reads is dropped past SEND_BUFFER_LIMIT; a game on the same gateway plays on`, async (t) => {
      const g = cl.gateways[gi];
      const pid = g.proc.pid;
      // a finished game, followed by a watcher so that its room stays on this gateway
      const [F1, F2, W] = await Promise.all(['F1', 'F2', 'W'].map((n) => player(g.ws, n)));
      const finished = await playPrivateGame(F1, F2, undefined, [W]);
      // the normal game: both players and a spectator on this gateway
      const [A, B, S] = await Promise.all(['A', 'B', 'S'].map((n) => player(g.ws, n)));
      const made = { gameId: (await privateGame(A, B, [S])).id };
      const base = await gauge(g.url, 'trine_connections');

      const { ws: slow, status } = await RawWs.open(g.ws);
      assert.equal(status, 101);
      slow.sendText(JSON.stringify({ t: 'hello', v: 1, name: 'slow' }));
      slow.sendText(JSON.stringify({ t: 'watch', rid: 'w', gameId: made.gameId }));
      await until('the raw socket counted as a connection', () => gauge(g.url, 'trine_connections'), { ok: (n) => n === base + 1 });

      const burst = Buffer.concat(Array.from({ length: 100 }, () => [
        JSON.stringify({ t: 'watch', gameId: finished.id }), JSON.stringify({ t: 'unwatch', gameId: finished.id }),
      ]).flat().map((t) => encodeFrame(Buffer.from(t))));
      const cells = [4, 0, 2, 6, 3, 8, 5]; // X wins 3 4 5 on the last move
      let written = 0;
      let moved = 0;
      let dropped = false;
      while (!dropped && written < MAX_WRITTEN) {
        slow.write(burst);
        written += burst.length;
        await sleep(5); // pacing of the writes, not a wait before an assertion: the loop polls the gauge
        if (moved < cells.length - 1) { // the game goes on meanwhile, one move per round
          await (moved % 2 ? B : A).ok({ t: 'move', gameId: made.gameId, cell: cells[moved], mid: `m${moved}` });
          moved++;
        }
        dropped = (await gauge(g.url, 'trine_connections')) === base;
      }
      assert.ok(dropped, `still connected after ${written} bytes of requests`);
      t.diagnostic(`dropped after ${written} bytes of requests; ${moved} moves of the normal game meanwhile`);
      for (; moved < cells.length; moved++) await (moved % 2 ? B : A).ok({ t: 'move', gameId: made.gameId, cell: cells[moved], mid: `m${moved}` });
      const last = 2 + cells.length;
      for (const c of [A, B, S]) {
        const s = await c.stateAt(made.gameId, last);
        assert.equal(s.status, 'won');
        assert.equal(s.board, 'O.XXXXO.O');
      }
      assert.deepEqual(S.states(made.gameId).map((s) => s.version), Array.from({ length: last }, (_, i) => i + 1), 'the spectator saw every version in order');
      slow.read(); // what the kernel held drains, then the connection ends
      await slow.waitEnd(10_000);
      assert.ok(cl.alive(g) && g.proc.pid === pid, 'the gateway did not restart');
      assert.equal((await fetch(`${g.url}/healthz`)).status, 200);
      for (const c of [F1, F2, W, A, B, S]) c.close();
    });
  }
});
