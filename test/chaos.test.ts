// The chaos experiment in short: 3 gateways, 2 SIGKILLs and a Redis restart during ~20 s of play
// (mixed as `npm run chaos` mixes it: some bots queue for a three-player variant, some play the
// computer); the history checker must find nothing lost, forked or stuck. And the checker itself is shown to
// catch loss: an acknowledged move is dropped from Redis on purpose and must be reported.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChaos, type ChaosOptions } from '../load/chaos/experiment.js';
import type { MoveRecord } from '../load/chaos/history.js';
import { judge, report } from '../load/chaos/report.js';

const base: ChaosOptions = {
  gateways: 3, durationS: 20, killEveryS: 5, maxKills: 2, restartDelayMs: 500, games: 20, spectators: 6, rate: 100,
  faults: ['gateway-kill', 'redis-restart'], redisAtS: 13, redisDownS: 2,
};

describe('chaos experiment', () => {
  test('3 gateways, 2 kills and a Redis restart, games of a three-player variant and against the computer among the classic ones: every acknowledged move kept, no fork, nothing stuck', async () => {
    const run = await runChaos({ ...base, mix: true });
    const v = judge(run, 0, 0);
    const text = report(run, v, 0);
    assert.equal(run.kills.length, 2, text);
    assert.ok(run.outage, 'Redis was restarted');
    assert.ok(run.outage!.notReadySeen > 0 || (run.history.errors.UNAVAILABLE ?? 0) > 0, 'gateways said they were unavailable');
    assert.deepEqual(run.check.violations, [], text);
    assert.ok(v.moves.acked > 100, text);
    assert.equal(v.moves.unanswered, 0, text);
    assert.ok(v.reconnect.n > 0, 'sessions were resumed after the kills');
    assert.ok(run.check.games.finished > 0 && run.check.games.seen >= run.check.games.finished);
  });

  test('the checker reports an acknowledged move dropped from Redis on purpose', async () => {
    let dropped: MoveRecord | null = null;
    const run = await runChaos({
      ...base, durationS: 5, gateways: 2, games: 4, spectators: 2, rate: 40, faults: [],
      tamper: async (redis, keys, h) => {
        const m = [...h.moves.values()].find((x) => x.acks.length > 0)!;
        const key = keys.game(m.gameId);
        const g = JSON.parse((await redis.hget(key, 's'))!);
        g.board = `${g.board.slice(0, m.cell)}.${g.board.slice(m.cell + 1)}`;
        await redis.hset(key, 's', JSON.stringify(g));
        await redis.hdel(key, `m:${m.playerId}:${m.mid}`);
        dropped = m;
      },
    });
    assert.ok(dropped, 'a move was dropped');
    const m = dropped as MoveRecord;
    const v = judge(run, 0, 0);
    assert.equal(v.held, false);
    const found = run.check.violations.filter((x) => x.kind === 'ack-lost' && x.gameId === m.gameId);
    assert.ok(found.some((x) => x.detail.includes(m.mid)), JSON.stringify(run.check.violations));
    assert.match(report(run, v, 0), new RegExp(`VIOLATION ack-lost in game ${m.gameId}`));
  });
});
