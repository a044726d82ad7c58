// parseClientMessage checks a move by hand (the gateway's hot path) and everything else with the
// schema: for moves the two must agree, on what is accepted and on what comes out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientMessage, parseClientMessage } from '../../shared/protocol.js';

const VALUES: unknown[] = [undefined, null, '', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(32), '😀'.repeat(33),
  0, -1, 3.5, 1e300, true, [], '4'];

test('a move frame: the hand check and the schema agree on every combination of field values', () => {
  let accepted = 0;
  for (const rid of VALUES) for (const gameId of VALUES) for (const cell of VALUES) for (const mid of VALUES) {
    const o: Record<string, unknown> = { t: 'move', extra: 1 };
    if (rid !== undefined) o.rid = rid;
    if (gameId !== undefined) o.gameId = gameId;
    if (cell !== undefined) o.cell = cell;
    if (mid !== undefined) o.mid = mid;
    const text = JSON.stringify(o);
    const ours = parseClientMessage(text);
    const schema = clientMessage.safeParse(JSON.parse(text));
    assert.equal(ours.ok, schema.success, text);
    if (ours.ok && schema.success) {
      accepted++;
      assert.deepEqual(ours.msg, schema.data, text);
    }
  }
  assert.ok(accepted > 100, 'the accepted cases were exercised');
});
