// The heartbeat's failover detection in sentinel mode, in process with fakes of the gateway's own
// seams (the Store's heartbeat, the two Redis links, the ROLE probe): a node that refuses the write
// as READONLY, or answers but is not a master (ROLE), makes the gateway drop both connections at
// once (ioredis then asks the Sentinels again) and say why it is not ready. In single mode READONLY
// is only counted toward the usual 3 failed beats. (test/sentinel.test.ts runs the real topology.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { Registration, type RegistrationDeps } from '../server/gateway/registration.js';

class FakeLink {
  status = 'ready';
  drops: boolean[] = [];
  async ping(): Promise<string> { return 'PONG'; }
  disconnect(reconnect = false): void { this.drops.push(reconnect); }
}

const replyError = (msg: string) => Object.assign(new Error(msg), { name: 'ReplyError' });

function registration(o: { heartbeat: () => Promise<boolean>; isPrimary?: () => Promise<boolean> }) {
  const cmd = new FakeLink();
  const sub = new FakeLink();
  let now = 1_000;
  const deps: RegistrationDeps = {
    store: { heartbeat: o.heartbeat, attach: async () => 0, unregister: async () => {} } as unknown as RegistrationDeps['store'],
    cmd, sub, instanceId: 'gw-test-1', info: { id: 'gw-test', instance: 'gw-test-1', url: 'http://x', ws: 'ws://x/ws' },
    heartbeatMs: 1000, commandTimeoutMs: 2000, conns: () => [], isDraining: () => false, now: () => now,
    log: pino({ level: 'silent' }), metrics: { redisErrors: { inc: () => {} } } as unknown as RegistrationDeps['metrics'],
    isPrimary: o.isPrimary,
  };
  return { r: new Registration(deps), cmd, sub, tick: (ms: number) => { now += ms; } };
}

describe('failover detection in the heartbeat', () => {
  test('a heartbeat answered READONLY in sentinel mode: both connections dropped at once, not ready "redis refuses writes"', async () => {
    const { r, cmd, sub } = registration({ heartbeat: async () => { throw replyError("READONLY You can't write against a read only replica."); }, isPrimary: async () => false });
    await assert.rejects(r.heartbeat(), /READONLY/);
    assert.deepEqual(cmd.drops, [true]);
    assert.deepEqual(sub.drops, [true]);
    assert.match(r.trouble()!, /refuses writes/);
  });

  test('a node whose ROLE is not master (its write went through): dropped too; a master is kept', async () => {
    let primary = true;
    const { r, cmd, sub } = registration({ heartbeat: async () => true, isPrimary: async () => primary });
    await r.heartbeat();
    assert.equal(r.registered, true);
    assert.equal(r.trouble(), null);
    assert.deepEqual([cmd.drops, sub.drops], [[], []]);
    primary = false;
    await assert.rejects(r.heartbeat(), /not the primary/);
    assert.deepEqual([cmd.drops, sub.drops], [[true], [true]]);
    primary = true;
    await r.heartbeat();
    assert.equal(r.trouble(), null, 'ready again once the heartbeat reaches a primary');
  });

  test('single mode (no ROLE probe): READONLY counts as a failed beat; the connections are made again after 3', async () => {
    const { r, cmd } = registration({ heartbeat: async () => { throw replyError('READONLY no'); } });
    for (let i = 0; i < 2; i++) await assert.rejects(r.heartbeat());
    assert.deepEqual(cmd.drops, []);
    await assert.rejects(r.heartbeat());
    assert.deepEqual(cmd.drops, [true]);
  });
});
