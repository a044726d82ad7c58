// Private games for tests that need a normal one: seated (create + join), or played to its end.
import assert from 'node:assert/strict';
import type { GameSnapshot } from '../../shared/protocol.js';
import { player, type TestClient } from './client.js';

/** X wins on the middle row: X 4 3 5, O 0 2 (A is X). */
export const X_WINS = [4, 0, 3, 2, 5];

export interface SeatedGame { id: string; code: string }

/**
 * A creates (X), every watcher watches, B joins (O): the game is playing at version 2, and A, B and
 * every watcher have received that version (watchers saw version 1 too).
 */
export async function privateGame(A: TestClient, B: TestClient, watchers: TestClient[] = []): Promise<SeatedGame> {
  const made = await A.ok({ t: 'create' });
  assert.match(String(made.gameId), /./, 'create answers a game id');
  for (const w of watchers) await w.ok({ t: 'watch', gameId: made.gameId });
  const joined = await B.ok({ t: 'join', code: made.code });
  assert.equal(joined.gameId, made.gameId, 'the code names the game just created');
  await Promise.all([A, B, ...watchers].map((c) => c.stateAt(made.gameId, 2)));
  return { id: made.gameId, code: made.code };
}

/**
 * New players A (X) on `x`, B (O) on `o` and spectator S on `watcher` (gateway WebSocket URLs),
 * labelled `${tag}A` etc., in a playing private game at version 2 that all three have received.
 */
export async function privateGameOn(on: { x: string; o: string; watcher: string }, tag = '') {
  const A = await player(on.x, `${tag}A`);
  const B = await player(on.o, `${tag}B`);
  const S = await player(on.watcher, `${tag}S`);
  const g = await privateGame(A, B, [S]);
  return { A, B, S, ...g };
}

/**
 * A creates, B joins, then they alternate `cells` (A first), move i with mid `${midPrefix}${i}`.
 * Every answer must be ok with the next version, and A, B and every watcher must see the final version.
 */
export async function playPrivateGame(A: TestClient, B: TestClient, cells = X_WINS, watchers: TestClient[] = [], midPrefix = 'p'): Promise<GameSnapshot> {
  const { id } = await privateGame(A, B, watchers);
  let v = 2;
  for (const [i, cell] of cells.entries()) {
    const r = await (i % 2 ? B : A).ok({ t: 'move', gameId: id, cell, mid: `${midPrefix}${i}` });
    assert.equal(r.version, ++v);
  }
  const finals = await Promise.all([A, B, ...watchers].map((c) => c.stateAt(id, v)));
  return finals[0];
}
