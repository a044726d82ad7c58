// Games against the computer (PROTOCOL.md, additions of 2026-11-29) on a real 3-gateway cluster:
// created playing at once with the computer's seats marked, the computer answering within a
// second, never losing the classic game over many random games (as O, and as X after a rematch
// rotates the seats), still moving and finishing the game when the player's gateway is SIGKILLed
// mid-game, and on a bigger board taking every win in one and blocking every win in one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { computerMove, seededRng } from '../shared/computer.js';
import type { GameSnapshot } from '../shared/protocol.js';
import { winningLine, type Mark } from '../shared/rules.js';
import { stateOf } from '../server/gateway/computer-turns.js';
import { Redis } from 'ioredis';
import { player, type TestClient } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { auditRedis } from './support/redis-audit.js';
import { until } from './support/until.js';

type C = Awaited<ReturnType<typeof startCluster>>;

const emptyCells = (board: string) => [...board].flatMap((ch, i) => (ch === '.' ? [i] : []));
const seatOfMe = (g: GameSnapshot, c: TestClient): Mark | null => (['X', 'O', 'Y', 'Z'] as const).find((s) => g.players[s]?.id === c.player!.id) ?? null;

/**
 * Plays the person's side of a game until it ends: `choose` picks each cell. Returns the final
 * snapshot and how long the computer took after each of the person's acknowledged moves (ms).
 */
async function playOut(c: TestClient, id: string, choose: (g: GameSnapshot) => number, timeout = 5000) {
  const replies: number[] = [];
  await c.stateWhere(id, (s) => s.status !== 'waiting', 'the game');
  let g = c.latest(id)!;
  for (let i = 0; g.status === 'playing'; i++) {
    if (g.turn !== seatOfMe(g, c)) {
      g = await c.stateWhere(id, (s) => s.version > g.version, `the computer's move after v${g.version}`, timeout);
      continue;
    }
    const r = await c.ok({ t: 'move', gameId: id, cell: choose(g), mid: `h${i}` });
    const acked = performance.now();
    const next = await c.stateWhere(id, (s) => s.version > r.version || (s.version === r.version && s.status !== 'playing'), `after v${r.version}`, timeout);
    if (next.version > r.version) replies.push(performance.now() - acked);
    g = c.latest(id)!;
  }
  return { g, replies };
}

describe('games against the computer', () => {
  let cl: C;
  let ws: string[];
  const open: TestClient[] = [];
  const join = async (label: string, gw: number) => { const c = await player(ws[gw % ws.length], label); open.push(c); return c; };

  before(async () => {
    cl = await startCluster({ gateways: 3, restartDelayMs: 300, env: { TURN_MS: '20000', ABANDON_MS: '20000' } });
    ws = cl.gateways.map((g) => g.ws);
  });
  after(async () => { for (const c of open) c.close(); await cl.stop(); });

  test('create vs computer: playing at once, the computer seat marked, no invite code (a resend with its idem: the same game); it answers within a second', async () => {
    const A = await join('A', 0);
    const made = await A.ok({ t: 'create', vs: 'computer', idem: 'vc-1' });
    assert.equal(made.code, undefined);
    const again = await A.ok({ t: 'create', vs: 'computer', idem: 'vc-1' }); // a resend: the same game, still no code
    assert.deepEqual([again.gameId, again.code], [made.gameId, undefined]);
    const g = await A.stateAt(made.gameId, 1);
    assert.deepEqual([g.status, g.turn, g.code, g.players.X?.id], ['playing', 'X', null, A.player!.id]);
    assert.equal(g.players.O?.name, 'Computer');
    assert.equal(g.players.O?.computer, true);
    assert.deepEqual(g.variant, { rows: 3, cols: 3, k: 3, players: 2 });
    const { g: end, replies } = await playOut(A, made.gameId, (s) => emptyCells(s.board)[0]);
    assert.ok(end.status === 'draw' || end.winner === 'O', JSON.stringify(end));
    assert.ok(replies.length >= 3);
    assert.ok(Math.max(...replies) < 1000, `the computer answered in ${replies.map((x) => x.toFixed(0)).join(', ')} ms`);
  });

  test('the computer never loses the classic game: random games as O, and as X after rematches', async () => {
    const players = await Promise.all(Array.from({ length: 6 }, (_, i) => join(`R${i}`, i)));
    const results: string[] = [];
    await Promise.all(players.map(async (c) => {
      let made = await c.ok({ t: 'create', vs: 'computer' });
      for (let game = 0; game < 10; game++) {
        const { g } = await playOut(c, made.gameId, (s) => { const e = emptyCells(s.board); return e[Math.floor(Math.random() * e.length)]; });
        const me = seatOfMe(g, c);
        results.push(g.status === 'draw' ? 'draw' : g.winner === me ? `person won as ${me}` : `computer won as ${g.winner}`);
        await c.ok({ t: 'rematch', gameId: g.id });
        made = { gameId: (await c.waitFor((m) => m.t === 'rematch' && m.from === g.id, 'the rematch', { from: 0 })).gameId };
      }
      await c.ok({ t: 'resign', gameId: made.gameId });
    }));
    assert.equal(results.length, 60);
    assert.deepEqual(results.filter((r) => r.startsWith('person')), [], results.join('; '));
    assert.ok(results.some((r) => r === 'computer won as X'), 'the computer also played X (rotated seats)');
  });

  test('SIGKILL of the player\'s gateway mid-game: the computer still moves and the game finishes', async () => {
    const A = await join('K', 0);
    const S = await join('KS', 1);
    const made = await A.ok({ t: 'create', vs: 'computer', variant: { rows: 5, cols: 5, k: 4, players: 2 } });
    await S.ok({ t: 'watch', gameId: made.gameId });
    await A.ok({ t: 'move', gameId: made.gameId, cell: 12, mid: 'k1' });
    await S.stateAt(made.gameId, 3); // the computer answered
    // the next move goes out and the gateway dies at once: the move may or may not be applied
    A.send({ t: 'move', gameId: made.gameId, cell: emptyCells(S.latest(made.gameId)!.board)[0], mid: 'k2', rid: 'k2' });
    cl.kill(cl.gateways[0], 'SIGKILL');
    const token = A.token;
    // the person comes back on another gateway and resends its move unchanged
    const A2 = await player(ws[2], 'K3', { token });
    open.push(A2);
    const first = S.latest(made.gameId)!;
    await A2.ok({ t: 'move', gameId: made.gameId, cell: emptyCells(first.board)[0], mid: 'k2' }).catch(() => {});
    const after = await S.stateWhere(made.gameId, (g) => g.version >= 5, 'the computer moved after the kill', 10_000);
    assert.equal(after.turn === 'X' || after.status !== 'playing', true);
    const { g } = await playOut(A2, made.gameId, (s) => emptyCells(s.board)[0], 10_000);
    assert.notEqual(g.status, 'playing');
    assert.equal((await S.stateWhere(made.gameId, (x) => x.status !== 'playing', 'the end, seen by the spectator')).version, g.version);
  });

  test('on a bigger board the computer takes every win in one and blocks every win in one', async () => {
    const variant = { rows: 7, cols: 7, k: 4, players: 2 };
    const A = await join('B', 2);
    const checked = { wins: 0, blocks: 0 };
    for (let game = 0; game < 3; game++) {
      const made = await A.ok({ t: 'create', vs: 'computer', variant });
      // the person plays the computer's own heuristic, which builds threats to block
      const rng = seededRng(game + 1);
      const { g } = await playOut(A, made.gameId, (s) => computerMove(stateOf(s), { rng }).cell);
      const seen = A.states(made.gameId).sort((a, b) => a.version - b.version);
      for (let i = 1; i < seen.length; i++) {
        const before = seen[i - 1];
        const moved = [...seen[i].board].findIndex((ch, j) => ch !== before.board[j]);
        if (before.turn !== 'O' || moved < 0 || seen[i].version !== before.version + 1) continue;
        const wins = (m: Mark) => emptyCells(before.board).filter((cell) => winningLine(variant, before.board, cell, m));
        const mine = wins('O');
        const theirs = wins('X');
        if (mine.length) { checked.wins++; assert.ok(mine.includes(moved), `v${before.version}: O could win at ${mine}, played ${moved}`); }
        else if (theirs.length) { checked.blocks++; assert.ok(theirs.includes(moved), `v${before.version}: X threatened ${theirs}, O played ${moved}`); }
      }
      assert.notEqual(g.status, 'playing');
    }
    assert.ok(checked.blocks > 0, 'some block was needed');
  });

  test('Redis is consistent after all of the above (the computer\'s seats, rules and moves included)', async () => {
    const redis = new Redis(cl.redisUrl);
    try {
      const audit = await until('a consistent Redis', () => auditRedis(redis), { ok: (a) => a.problems.length === 0, timeoutMs: 10_000 }).catch(() => auditRedis(redis));
      assert.deepEqual(audit.problems, []);
      assert.ok(audit.games >= 60, `${audit.games} games audited`);
    } finally { redis.disconnect(); }
  });
});
