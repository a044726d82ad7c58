// Variants end to end (PROTOCOL.md, additions of 2026-11-29) on a real 2-gateway cluster:
// BAD_VARIANT for every bound and shape, private games of 3 and 4 players, quick match grouped by
// variant (the classic queue unaffected), wins on big boards with `line` of K cells, BAD_CELL past
// R*C, elimination by resignation, turn clock and abandonment (turns skipped, the last one in wins
// with the reason of the last opponent's exit), an out player free to start another game, rematch
// seats rotating, a spectator seeing every version, and Redis consistent at the end.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { GameSnapshot } from '../shared/protocol.js';
import { player, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { auditRedis } from './support/redis-audit.js';
import { until } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;
const TURN_MS = 2500;
const ABANDON_MS = 1000;
const v = (rows: number, cols: number, k: number, players: number) => ({ rows, cols, k, players });

describe('variants', () => {
  let cl: C;
  let ws: string[];
  const open: TestClient[] = [];
  let n = 0;
  const join = async (label: string, gw = n) => { const c = await player(ws[(n = gw + 1) % ws.length], `${label}${n}`); open.push(c); return c; };

  before(async () => {
    cl = await startCluster({ gateways: 2, env: { TURN_MS: String(TURN_MS), ABANDON_MS: String(ABANDON_MS), SWEEP_MS: '50' } });
    ws = cl.gateways.map((g) => g.ws);
  });
  after(async () => { for (const c of open) c.close(); await cl.stop(); });

  /** A private game of `variant` with one client per seat, playing (every seat taken), as everyone sees it. */
  async function privateGame(variant: ReturnType<typeof v>) {
    const seats = ['X', 'O', 'Y', 'Z'].slice(0, variant.players);
    const cs = await Promise.all(seats.map((s) => join(s)));
    const made = await cs[0].ok({ t: 'create', variant });
    for (const c of cs.slice(1)) assert.equal((await c.ok({ t: 'join', code: made.code })).gameId, made.gameId);
    const g = await cs[0].stateWhere(made.gameId, (s) => s.status === 'playing', 'the game starts');
    return { cs, id: made.gameId as string, g };
  }

  const move = (c: TestClient, id: string, cell: number) => c.request({ t: 'move', gameId: id, cell, mid: `m${cell}-${c.label}` });

  test('BAD_VARIANT for every bound and shape, on create and queue; nothing is created or queued', async () => {
    const A = await join('A');
    const B = await join('B');
    const bad: unknown[] = [
      v(2, 3, 3, 2), v(20, 3, 3, 2), v(3, 2, 3, 2), v(3, 20, 3, 2), v(3, 3, 2, 2), v(3, 5, 6, 2), v(19, 19, 20, 2), v(3, 3, 3, 1), v(3, 3, 3, 5),
      { rows: 3.5, cols: 3, k: 3, players: 2 }, { rows: '3', cols: 3, k: 3, players: 2 }, { rows: 3, cols: 3, k: 3 }, { cols: 3, k: 3, players: 2 },
      null, [3, 3, 3, 2], 7, 'classic', {}, { rows: 3, cols: 3, k: 3, players: true },
    ];
    for (const variant of bad) {
      for (const t of ['create', 'queue']) {
        const r = await A.request({ t, variant });
        assert.equal(r.code, 'BAD_VARIANT', `${t} ${JSON.stringify(variant)}: ${JSON.stringify(r)}`);
      }
    }
    // the bounds themselves are fine: a 3x19 board with k 19, four players
    const edge = await A.ok({ t: 'create', variant: v(3, 19, 19, 4) });
    const s = await A.stateAt(edge.gameId, 1);
    assert.deepEqual(s.variant, v(3, 19, 19, 4));
    await A.ok({ t: 'resign', gameId: edge.gameId });
    // A queued nothing: B, queueing for the classic game, stays unmatched
    assert.equal((await B.ok({ t: 'queue' })).t, 'ok');
    await A.ok({ t: 'ping' });
    assert.equal(B.msgs.some((m) => m.t === 'matched'), false);
    await B.ok({ t: 'unqueue' });
  });

  test('private games of 3 and 4 players: join takes the first free seat, the game starts when all are taken', async () => {
    for (const players of [3, 4]) {
      const variant = v(4, 5, 3, players);
      const cs = await Promise.all(Array.from({ length: players }, (_, i) => join(`P${i}`)));
      const made = await cs[0].ok({ t: 'create', variant });
      const first = await cs[0].stateAt(made.gameId, 1);
      assert.deepEqual(first.variant, variant);
      assert.equal(first.board, '.'.repeat(20));
      assert.equal(first.status, 'waiting');
      assert.deepEqual(Object.keys(first.players).sort(), ['O', 'X', 'Y', 'Z'].slice(0, players).sort());
      for (const [i, c] of cs.slice(1).entries()) {
        await c.ok({ t: 'join', code: made.code });
        const s = await cs[0].stateAt(made.gameId, i + 2);
        assert.equal(s.players[(['O', 'Y', 'Z'] as const)[i]]?.id, c.player!.id);
        assert.equal(s.status, i + 2 === players ? 'playing' : 'waiting');
      }
      const late = await join('late');
      assert.equal((await late.request({ t: 'join', code: made.code })).code, 'GAME_FULL');
      const s = await cs[0].stateAt(made.gameId, players);
      assert.equal(s.turn, 'X');
      for (const c of cs) await c.ok({ t: 'resign', gameId: made.gameId }).catch(() => {});
    }
  });

  test('quick match groups by variant; the classic queue is unaffected', async () => {
    const three = v(5, 5, 4, 3);
    const [a, b, c, d, e, f] = await Promise.all(['qa', 'qb', 'qc', 'qd', 'qe', 'qf'].map((l) => join(l)));
    await a.ok({ t: 'queue', variant: three });
    await d.ok({ t: 'queue' });
    await b.ok({ t: 'queue', variant: three });
    await f.ok({ t: 'queue', variant: v(15, 15, 5, 2) });
    assert.equal([a, b, d, f].some((x) => x.msgs.some((m) => m.t === 'matched')), false, 'nobody matched yet');
    await e.ok({ t: 'queue', variant: v(3, 3, 3, 2) }); // the classic variant written out: the classic queue
    const classic = await d.waitFor((m) => m.t === 'matched', 'classic match');
    assert.equal((await e.waitFor((m) => m.t === 'matched', 'classic match')).gameId, classic.gameId);
    await c.ok({ t: 'queue', variant: three });
    const m = await a.waitFor((x) => x.t === 'matched', 'three-player match');
    const g = await c.stateWhere(m.gameId, (s) => s.status === 'playing', 'three-player game');
    assert.deepEqual(g.variant, three);
    assert.deepEqual([g.players.X?.id, g.players.O?.id, g.players.Y?.id], [a, b, c].map((x) => x.player!.id), 'seats in queue order');
    const cg = await d.stateWhere(classic.gameId, (s) => s.status === 'playing', 'classic game');
    assert.deepEqual(cg.variant, v(3, 3, 3, 2));
    assert.equal(cg.board.length, 9);
    assert.equal(f.msgs.some((x) => x.t === 'matched'), false, 'the lone 15x15 player waits');
    await f.ok({ t: 'unqueue' });
    for (const x of [a, b, c]) await x.request({ t: 'resign', gameId: m.gameId });
    for (const x of [d, e]) await x.request({ t: 'resign', gameId: classic.gameId });
  });

  test('big boards: BAD_CELL past R*C, a win with the K cells of its line (15x15 row, 19x19 diagonal)', async () => {
    const { cs: [X, O], id } = await privateGame(v(15, 15, 5, 2));
    assert.equal((await move(X, id, 225)).code, 'BAD_CELL');
    assert.equal((await move(X, id, -1)).code, 'BAD_CELL');
    const xs = [112, 110, 111, 114, 113]; // row 7, filled from both sides: the run is 110..114
    const os = [0, 1, 2, 224];
    for (let i = 0; i < xs.length; i++) {
      assert.equal((await move(X, id, xs[i])).t, 'ok');
      if (i < os.length) assert.equal((await move(O, id, os[i])).t, 'ok');
    }
    const won = await O.stateWhere(id, (s) => s.status === 'won', 'the win');
    assert.deepEqual([won.winner, won.reason, won.line], ['X', 'line', [110, 111, 112, 113, 114]]);
    assert.equal(won.board.length, 225);

    const big = await privateGame(v(19, 19, 5, 2));
    const diag = [0, 20, 40, 60, 80];
    for (let i = 0; i < 5; i++) {
      await big.cs[0].ok({ t: 'move', gameId: big.id, cell: diag[i], mid: `x${i}` });
      if (i < 4) await big.cs[1].ok({ t: 'move', gameId: big.id, cell: 360 - i, mid: `o${i}` });
    }
    const end = await big.cs[1].stateWhere(big.id, (s) => s.status === 'won', 'the diagonal win');
    assert.deepEqual(end.line, diag);
    assert.equal((await move(big.cs[1], big.id, 361)).code, 'BAD_CELL');
  });

  test('elimination by resignation: marks stay, turns skip the out seat, its moves are NOT_YOUR_TURN, it may start another game; the last one in wins', async () => {
    const { cs: [X, O, Y], id } = await privateGame(v(4, 4, 4, 3));
    const S = await join('spec');
    await S.ok({ t: 'watch', gameId: id });
    await X.ok({ t: 'move', gameId: id, cell: 0, mid: 'a' });
    await O.ok({ t: 'move', gameId: id, cell: 5, mid: 'b' });
    await Y.ok({ t: 'resign', gameId: id }); // on turn: the turn passes to X
    let s = await S.stateWhere(id, (g) => (g.out ?? []).includes('Y'), 'Y out');
    assert.deepEqual([s.status, s.turn, s.out], ['playing', 'X', ['Y']]);
    await X.ok({ t: 'move', gameId: id, cell: 1, mid: 'c' });
    s = await S.stateWhere(id, (g) => g.board[1] === 'X', 'X moved');
    assert.equal(s.turn, 'O');
    await O.ok({ t: 'move', gameId: id, cell: 6, mid: 'd' });
    s = await S.stateWhere(id, (g) => g.board[6] === 'O', 'O moved');
    assert.equal(s.turn, 'X', 'Y is skipped');
    assert.equal((await move(Y, id, 15)).code, 'NOT_YOUR_TURN');
    assert.equal((await Y.request({ t: 'resign', gameId: id })).code, 'NOT_A_PLAYER');
    const other = await Y.ok({ t: 'create' }); // no longer holding a seat
    await Y.ok({ t: 'resign', gameId: other.gameId });
    await O.ok({ t: 'resign', gameId: id }); // not on turn; one player left
    s = await S.stateWhere(id, (g) => g.status === 'won', 'the end');
    assert.deepEqual([s.winner, s.reason, s.line, s.turn], ['X', 'resign', null, null]);
    assert.equal(s.board[5], 'O', 'marks of players who left stay');
    const seen = S.states(id).map((g) => g.version);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'the spectator saw versions in order');
    assert.equal(new Set(seen).size, seen.length);
  });

  test('elimination on time and by abandonment: the last one in wins with the reason of the last exit', async () => {
    const t = await privateGame(v(4, 4, 4, 3));
    // X lets its clock run out: out; O moves; Y lets its clock run out: O wins on time
    let s = await t.cs[1].stateWhere(t.id, (g) => (g.out ?? []).includes('X'), 'X out on time', TURN_MS * 4);
    assert.deepEqual([s.status, s.turn], ['playing', 'O']);
    await t.cs[1].ok({ t: 'move', gameId: t.id, cell: 3, mid: 'o1' });
    s = await t.cs[1].stateWhere(t.id, (g) => g.status === 'won', 'O wins on time', TURN_MS * 4);
    assert.deepEqual([s.winner, s.reason], ['O', 'timeout']);

    const a = await privateGame(v(4, 4, 4, 3));
    a.cs[2].close(); // Y's only socket: it abandons
    s = await a.cs[0].stateWhere(a.id, (g) => (g.out ?? []).includes('Y'), 'Y out, abandoned', ABANDON_MS * 6);
    assert.equal(s.status, 'playing');
    await a.cs[0].ok({ t: 'move', gameId: a.id, cell: 0, mid: 'x1' }); // X's clock is not what ends it
    a.cs[1].close();
    s = await a.cs[0].stateWhere(a.id, (g) => g.status === 'won', 'X wins, O abandoned', ABANDON_MS * 6);
    assert.deepEqual([s.winner, s.reason], ['X', 'abandoned']);
  });

  test('rematch: starts when every player asked, seats rotate by one', async () => {
    const { cs: [X, O, Y], id } = await privateGame(v(3, 4, 3, 3));
    for (const [c, cell] of [[X, 0], [O, 4], [Y, 8], [X, 1], [O, 5], [Y, 9], [X, 2]] as const) await c.ok({ t: 'move', gameId: id, cell, mid: `r${cell}` });
    const won: GameSnapshot = await Y.stateWhere(id, (g) => g.status === 'won', 'X wins');
    assert.deepEqual(won.line, [0, 1, 2]);
    await X.ok({ t: 'rematch', gameId: id });
    await O.ok({ t: 'rematch', gameId: id });
    assert.equal(X.msgs.some((m) => m.t === 'rematch'), false, 'not before every player asked');
    await Y.ok({ t: 'rematch', gameId: id });
    const r = await X.waitFor((m) => m.t === 'rematch', 'rematch notice');
    const g = await Y.stateWhere(r.gameId, (s) => s.status === 'playing', 'the rematch');
    assert.deepEqual(g.variant, v(3, 4, 3, 3));
    assert.deepEqual([g.players.X?.id, g.players.O?.id, g.players.Y?.id], [Y, X, O].map((c) => c.player!.id));
    for (const c of [X, O, Y]) await c.request({ t: 'resign', gameId: g.id });
  });

  test('Redis is consistent after all of the above: every snapshot well formed, every index (games, codes, deadlines, queues) matching the games', async () => {
    const redis = new Redis(cl.redisUrl);
    try {
      const audit = await until('a consistent Redis', () => auditRedis(redis), { ok: (a) => a.problems.length === 0, timeoutMs: 10_000 }).catch(() => auditRedis(redis));
      assert.deepEqual(audit.problems, []);
      assert.ok(audit.games > 10, `${audit.games} games audited`);
    } finally { redis.disconnect(); }
  });
});
