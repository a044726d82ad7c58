// Every state change a client may resend (PROTOCOL.md, additions of 2026-11-29): create, join,
// queue (waiting, and matched), unqueue, resign, rematch (asked, and started) with `idem`, move
// with `mid`. Each case tries its request once in a way that leaves the sender without its answer
// although Redis applied it (`World.firstTry`: the socket lost, or an UNAVAILABLE answer), then
// resends it unchanged: the resend must be answered as the one application and change nothing
// more, as read from Redis itself (the primary). Used by test/idem.test.ts and
// test/durability.test.ts.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { Keys } from '../../server/store/keys.js';
import { player, type Msg, type TestClient } from './client.js';
import { until } from './until.js';

const keys = new Keys('trine');

export interface World {
  /** Gateway WebSocket URLs (two at least). */
  ws: string[];
  /** The primary. */
  redis: Redis;
  /** Every socket opened, closed by the test file at the end. */
  open: TestClient[];
  /** Sends `body` from `c` so that no answer reaches the client although the change is applied. */
  firstTry(c: TestClient, body: Msg): Promise<void>;
  /** The socket that resends: `c` itself, or `twin` (the same player on the other gateway). */
  resender(c: TestClient, twin: TestClient): TestClient;
}

/** The answer without its rid (a resend carries a rid of its own). */
export const withoutRid = (m: Msg): Msg => { const { rid: _rid, ...rest } = m; return rest; };

/** Redis holds the application of `body` by `playerId`: its idem record, or the move's mid field. */
export async function applied(redis: Redis, playerId: string, body: Msg): Promise<boolean> {
  if (body.t === 'move') return (await redis.hexists(keys.game(body.gameId), `m:${playerId}:${body.mid}`)) === 1;
  // join, resign and rematch record theirs in the game (docs/REDIS.md), the others in the player's slot
  const gameId = body.t === 'join' ? await redis.get(keys.code(body.code)) : body.t === 'resign' || body.t === 'rematch' ? body.gameId : null;
  if (gameId) return (await redis.hexists(keys.game(gameId), `i:${playerId}:${body.idem}`)) === 1;
  return (await redis.exists(keys.playerIdem(playerId, body.idem))) === 1;
}

/** Waits until Redis holds the application of `body` by `c`'s player. */
export const untilApplied = (redis: Redis, c: TestClient, body: Msg) =>
  until(`${body.t} ${body.idem ?? body.mid} applied`, () => applied(redis, c.player!.id, body), { timeoutMs: 10_000 });

let n = 0;

/** The cases, each on players of its own; each leaves the quick-match queue as it found it (the matched case needs it empty). */
export function idemCases(w: World): { name: string; run(): Promise<void> }[] {
  const who = async (gw: number, label: string, token?: string) => {
    const c = await player(w.ws[gw % w.ws.length], `${label}${++n}`, token ? { token } : {});
    w.open.push(c);
    return c;
  };
  /** A player on gateway 0 and its twin socket on gateway 1. */
  const pair = async (label: string) => { const c = await who(0, label); return [c, await who(1, `${label}'`, c.token)] as const; };
  const version = async (gameId: string) => JSON.parse((await w.redis.hget(keys.game(gameId), 's'))!).version as number;
  const unfinished = (c: TestClient) => w.redis.zrange(keys.playerGames(c.player!.id), '0', '-1');
  /** Tries `body` once without an answer (`between` reads Redis then), resends it, resends it again: both resends answer the same. */
  const resent = async (c: TestClient, twin: TestClient, body: Msg, between?: () => Promise<void>) => {
    await w.firstTry(c, body);
    await between?.();
    const by = w.resender(c, twin);
    const answer = await by.ok(body);
    assert.deepEqual(withoutRid(await by.ok(body)), withoutRid(answer), `${body.t}: a second resend answers the same`);
    return { answer, by };
  };
  const game = async () => {
    const X = await who(0, 'X');
    const O = await who(1, 'O');
    const made = await X.ok({ t: 'create' });
    await O.ok({ t: 'join', code: made.code });
    return { X, O, id: made.gameId as string };
  };
  return [
    { name: 'create', async run() {
      const [A, A2] = await pair('cr');
      const { answer, by } = await resent(A, A2, { t: 'create', idem: 'i-create' });
      assert.deepEqual(await unfinished(A), [answer.gameId], 'one game created');
      assert.equal(await version(answer.gameId), 1);
      assert.equal(JSON.parse((await w.redis.hget(keys.game(answer.gameId), 's'))!).code, answer.code, 'its own invite code');
      await by.stateAt(answer.gameId, 1);
    } },
    { name: 'join', async run() {
      const X = await who(0, 'jX');
      const made = await X.ok({ t: 'create' });
      const [B, B2] = await pair('jo');
      const { answer, by } = await resent(B, B2, { t: 'join', code: made.code, idem: 'i-join' });
      assert.deepEqual([answer.gameId, answer.version], [made.gameId, 2]);
      assert.equal(await version(made.gameId), 2, 'joined once');
      assert.deepEqual(await unfinished(B), [made.gameId]);
      await by.stateAt(made.gameId, 2);
    } },
    { name: 'queue (waiting)', async run() {
      const [Q, Q2] = await pair('qw');
      let place: string | null = null;
      const { by } = await resent(Q, Q2, { t: 'queue', idem: 'i-queue' }, async () => { place = await w.redis.zscore(keys.queue(), Q.player!.id); });
      assert.notEqual(place, null, 'queued by the first try');
      assert.equal(await w.redis.zscore(keys.queue(), Q.player!.id), place, 'the resends did not queue again (same place)');
      await by.ok({ t: 'unqueue' });
    } },
    { name: 'unqueue', async run() {
      const [Q, Q2] = await pair('uq');
      await Q.ok({ t: 'queue' });
      const { by } = await resent(Q, Q2, { t: 'unqueue', idem: 'i-unqueue' });
      assert.equal(await w.redis.zscore(keys.queue(), Q.player!.id), null, 'out of the queue');
      // queued again: the resent unqueue does not take the player out a second time
      await by.ok({ t: 'queue' });
      await by.ok({ t: 'unqueue', idem: 'i-unqueue' });
      assert.notEqual(await w.redis.zscore(keys.queue(), Q.player!.id), null, 'still queued');
      await by.ok({ t: 'unqueue' });
    } },
    { name: 'queue (matched)', async run() {
      const P = await who(0, 'qP');
      await P.ok({ t: 'queue' });
      const [R, R2] = await pair('qm');
      const { by } = await resent(R, R2, { t: 'queue', idem: 'i-match' });
      const [gameId] = await unfinished(R);
      assert.ok(gameId, 'matched');
      assert.deepEqual(await unfinished(P), [gameId], 'matched with the one waiting');
      assert.equal((await by.waitFor((m) => m.t === 'matched', 'the resend says matched')).gameId, gameId);
      assert.equal(await version(gameId), 1);
      assert.equal(await w.redis.zcard(keys.queue()), 0, 'nobody left queued');
      await by.stateAt(gameId, 1);
    } },
    { name: 'move (mid)', async run() {
      const { X, id } = await game();
      const X2 = await who(1, 'mX', X.token);
      const { answer } = await resent(X, X2, { t: 'move', gameId: id, cell: 4, mid: 'i-move' });
      assert.equal(answer.version, 3);
      assert.equal(await version(id), 3, 'moved once');
      assert.equal(JSON.parse((await w.redis.hget(keys.game(id), 's'))!).board, '....X....');
    } },
    { name: 'resign', async run() {
      const { O, id } = await game();
      const O2 = await who(0, 'rO', O.token);
      const { answer, by } = await resent(O, O2, { t: 'resign', gameId: id, idem: 'i-resign' });
      assert.equal(answer.version, 3);
      const g = await by.stateAt(id, 3);
      assert.deepEqual([g.status, g.winner, g.reason], ['won', 'X', 'resign']);
      assert.equal(await version(id), 3, 'resigned once');
    } },
    { name: 'rematch (asked, then started)', async run() {
      const { X, O, id } = await game();
      await X.ok({ t: 'resign', gameId: id });
      const X2 = await who(1, 'xX', X.token);
      const asked = await resent(X, X2, { t: 'rematch', gameId: id, idem: 'i-ask' });
      assert.equal(asked.answer.gameId, undefined, 'asked, nothing started');
      assert.equal(await w.redis.hget(keys.game(id), 'rX'), '1');
      const O2 = await who(0, 'xO', O.token);
      const { answer, by } = await resent(O, O2, { t: 'rematch', gameId: id, idem: 'i-start' });
      assert.ok(answer.gameId, 'started');
      assert.deepEqual(await unfinished(O), [answer.gameId], 'one new game');
      assert.deepEqual(await unfinished(X), [answer.gameId]);
      assert.equal(await version(answer.gameId), 1);
      await by.stateAt(answer.gameId, 1);
    } },
  ];
}
