// The bench's per-shard figures (load/bench/shards.ts): differences of two readings, per move, each
// shard's share of the commands, and the spread line an operator reads (docs/OPERATIONS.md §6.9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeShards, shardFigures, type ShardReading } from '../../load/bench/shards.js';

const reading = (port: number, cpuS: number, calls: number, scriptCalls: number, keys: number): ShardReading =>
  ({ port, cpuS, calls, scriptCalls, keys });

test('per shard: the difference of the readings, CPU per move and share of the commands', () => {
  const before = [reading(7001, 10, 1000, 400, 5), reading(7002, 20, 2000, 900, 7), reading(7003, 5, 100, 50, 1)];
  const after = [reading(7001, 10.5, 4000, 1400, 50), reading(7002, 21, 8000, 2900, 60), reading(7003, 5.25, 1100, 350, 40)];
  const rows = shardFigures(before, after, 10_000);
  assert.deepEqual(rows.map((r) => r.port), [7001, 7002, 7003]);
  assert.deepEqual(rows.map((r) => r.cpuS), [0.5, 1, 0.25]);
  assert.deepEqual(rows.map((r) => r.calls), [3000, 6000, 1000]);
  assert.deepEqual(rows.map((r) => r.scriptCalls), [1000, 2000, 300]);
  assert.deepEqual(rows.map((r) => r.keys), [50, 60, 40]); // keys: as read after, not a difference
  assert.deepEqual(rows.map((r) => r.cpuUsPerMove), [50, 100, 25]);
  assert.deepEqual(rows.map((r) => r.callShare), [0.3, 0.6, 0.1]);
});

test('a shard read only once (a primary that failed over during the run) is left out, not counted from zero', () => {
  const rows = shardFigures([reading(7001, 1, 10, 0, 0), reading(7002, 1, 10, 0, 0)], [reading(7001, 2, 20, 5, 3), reading(7004, 9, 900, 9, 9)], 100);
  assert.deepEqual(rows.map((r) => r.port), [7001]);
  assert.equal(rows[0].callShare, 1);
});

test('no moves, no readings: figures stay finite and the description says so', () => {
  const rows = shardFigures([reading(7001, 1, 10, 0, 0)], [reading(7001, 1, 10, 0, 0)], 0);
  assert.equal(rows[0].cpuUsPerMove, 0);
  assert.equal(rows[0].callShare, 0);
  assert.match(describeShards([]), /no shard readings/);
  assert.match(describeShards(rows), /busiest\/idlest shard CPU n\/a/);
});

test('the description: a line per shard and the spread of CPU (busiest over idlest)', () => {
  const rows = shardFigures(
    [reading(7001, 0, 0, 0, 0), reading(7002, 0, 0, 0, 0)],
    [reading(7001, 1.1, 300, 100, 10), reading(7002, 1, 200, 80, 9)],
    1000,
  );
  const text = describeShards(rows).split('\n');
  assert.equal(text.length, 3);
  assert.match(text[0], /shard :7001 {2}Redis CPU 1\.10 s = 1100 µs\/move, 300 commands \(60\.0%\), 100 script calls, 10 keys/);
  assert.match(text[2], /all shards: 2100\.0 µs of Redis CPU per move; busiest\/idlest shard CPU 1\.10/);
});
