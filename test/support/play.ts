// A whole private game between two clients that said hello, for tests that need a normal game.
import assert from 'node:assert/strict';
import type { GameSnapshot } from '../../shared/protocol.js';
import type { TestClient } from './client.js';

/** X wins on the middle row: X 4 3 5, O 0 2 (A is X). */
export const X_WINS = [4, 0, 3, 2, 5];

/**
 * A creates, B joins, then they alternate `cells` (A first). Every answer must be ok with the next
 * version, and every client in `all` (players and spectators) must see the final version.
 */
export async function playPrivateGame(A: TestClient, B: TestClient, cells = X_WINS, watchers: TestClient[] = []): Promise<GameSnapshot> {
  const made = await A.ok({ t: 'create' });
  for (const w of watchers) await w.ok({ t: 'watch', gameId: made.gameId });
  const j = await B.ok({ t: 'join', code: made.code });
  let v = j.version as number;
  for (const [i, cell] of cells.entries()) {
    const r = await (i % 2 ? B : A).ok({ t: 'move', gameId: made.gameId, cell, mid: `p${i}` });
    assert.equal(r.version, ++v);
  }
  const finals = await Promise.all([A, B, ...watchers].map((c) => c.stateAt(made.gameId, v)));
  return finals[0];
}
