// Operability end to end, against real gateways and a real password-protected Redis (AOF): metrics
// that move under a small load and count each game ending once; log lines that tell a game's story
// and hold no token or password; /readyz through a Redis outage; the SIGTERM drain; the launcher's
// Ctrl-C; configuration errors; the generated configuration reference.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../server/launcher/cluster.js';
import { freePortRange } from '../server/launcher/ports.js';
import { RedisServer } from '../server/launcher/redis-server.js';
import { createLogger, errText, secretsOfUrl } from '../server/log.js';
import { FINISH_REASONS } from '../server/metrics.js';
import { BlackholeProxy } from './support/blackhole.js';
import { player as connect, TestClient } from './support/client.js';
import { sleep, startCluster } from './support/cluster.js';
import { exportedNames, parseMetrics, total, type Sample } from './support/metrics.js';
import { playPrivateGame, privateGame } from './support/play.js';
import { until } from './support/until.js';

const PASSWORD = 'Ops-pw-7Zq8v3Lx1';
/** Every token handed out in this file: none may appear in a log line. */
const tokens = new Set<string>();

async function player(url: string, label: string, opts: { token?: string } = {}): Promise<TestClient> {
  const c = await connect(url, label, opts);
  tokens.add(c.token);
  return c;
}

async function readyz(url: string): Promise<number> {
  return fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
}

async function scrapeAll(urls: string[]): Promise<{ samples: Sample[]; names: Set<string> }> {
  const texts = await Promise.all(urls.map((u) => fetch(`${u}/metrics`).then((r) => r.text())));
  return { samples: texts.flatMap(parseMetrics), names: exportedNames(texts.join('\n')) };
}

/** A private game between A (X, creator) and B (O) with these cells played in turn (mids `${tag}${i}`); its last snapshot. */
const play = (A: TestClient, B: TestClient, cells: number[], tag: string) => playPrivateGame(A, B, cells, [], tag);

function logLines(file: string, from = 0): { raw: string; json: Record<string, any>[] } {
  const raw = readFileSync(file, 'utf8').slice(from);
  const json = raw.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  return { raw, json };
}

const REQUIRED = [
  'trine_connections', 'trine_messages_in_total', 'trine_messages_out_total', 'trine_command_duration_seconds_bucket',
  'trine_command_duration_seconds_count', 'trine_errors_total', 'trine_closes_total', 'trine_redis_errors_total',
  'trine_redis_reconnects_total', 'trine_pubsub_messages_received_total', 'trine_pubsub_messages_dropped_total',
  'trine_games_created_total', 'trine_games_finished_total', 'trine_games_active', 'trine_games_unfinished', 'trine_moves_total',
  'trine_resumes_total', 'trine_time_rules_applied_total', 'trine_ready', 'trine_process_nodejs_eventloop_lag_seconds',
  'trine_process_nodejs_eventloop_lag_p99_seconds', 'trine_process_process_cpu_seconds_total', 'trine_process_process_resident_memory_bytes',
];

describe('operability of a 3-gateway cluster on a password-protected Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let cl: Awaited<ReturnType<typeof startCluster>>;
  let ws: string[];
  let urls: string[];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trine-ops-redis-'));
    redis = new RedisServer({ password: PASSWORD, dataDir });
    await redis.start();
    cl = await startCluster({ gateways: 3, redisUrl: redis.url, env: { LOG_LEVEL: 'debug', INVITE_TTL_MS: '1500' } });
    ws = cl.gateways.map((g) => g.ws);
    urls = cl.gateways.map((g) => g.url);
  });
  after(async () => {
    await cl?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('metrics: every required name is exported and moves under a small load; each ending is counted once, by reason', async () => {
    const was = (await scrapeAll(urls)).samples;
    const A = await player(ws[0], 'mA');
    const B = await player(ws[1], 'mB');
    await play(A, B, [0, 3, 1, 4, 2], 'line');                 // X wins by a line: 5 moves
    await play(A, B, [0, 1, 2, 4, 3, 5, 7, 6, 8], 'draw');     // a draw: 9 moves
    const r = await play(A, B, [4], 'res');                     // 1 move, then O resigns
    const refused = await A.request({ t: 'move', gameId: r.id, cell: 0, mid: 'early' });
    assert.equal(refused.code, 'NOT_YOUR_TURN');
    const again = await A.ok({ t: 'move', gameId: r.id, cell: 4, mid: 'res0' }); // a repeated mid: not a new move
    assert.equal(again.version, 3);
    await B.ok({ t: 'resign', gameId: r.id });
    const waiting = await A.ok({ t: 'create' });
    await A.ok({ t: 'resign', gameId: waiting.gameId });        // resigning a waiting game cancels it
    await A.ok({ t: 'queue' });
    await B.ok({ t: 'queue' });
    const m = await A.waitFor((x) => x.t === 'matched', 'matched');
    await A.ok({ t: 'resign', gameId: m.gameId });
    await A.ok({ t: 'rematch', gameId: m.gameId });
    const re = await B.ok({ t: 'rematch', gameId: m.gameId });
    await B.ok({ t: 'resign', gameId: re.gameId });
    const C = await player(ws[2], 'mC');
    await C.ok({ t: 'create' });                                // nobody joins: the invite expires (time rule)
    const A2 = await player(ws[2], 'mA2', { token: A.token });  // a resume
    assert.equal(A2.msgs[0].resumed, true);

    const delta = (name: string, where: Record<string, string> = {}) => total(now, name, where) - total(was, name, where);
    let now: Sample[] = was;
    await until('the expired invite counted', async () => {
      now = (await scrapeAll(urls)).samples;
      return delta('trine_games_finished_total', { reason: 'expired' }) >= 1;
    }, { timeoutMs: 8000 });
    const { names } = await scrapeAll(urls);
    for (const n of REQUIRED) assert.ok(names.has(n), `${n} is exported`);

    assert.deepEqual(Object.fromEntries(FINISH_REASONS.map((reason) => [reason, delta('trine_games_finished_total', { reason })])),
      { line: 1, draw: 1, resign: 3, cancelled: 1, expired: 1, timeout: 0, abandoned: 0, idle: 0 }, 'endings summed over gateways: each once');
    assert.equal(delta('trine_games_created_total', { kind: 'private' }), 5);
    assert.equal(delta('trine_games_created_total', { kind: 'quick' }), 1);
    assert.equal(delta('trine_games_created_total', { kind: 'rematch' }), 1);
    assert.equal(delta('trine_moves_total'), 15, 'applied moves only');
    assert.ok(delta('trine_time_rules_applied_total') >= 1);
    assert.ok(delta('trine_errors_total', { code: 'NOT_YOUR_TURN' }) >= 1);
    assert.ok(delta('trine_resumes_total') >= 1);
    assert.ok(delta('trine_messages_in_total', { type: 'move' }) >= 17);
    assert.ok(delta('trine_messages_out_total', { type: 'state' }) > 30);
    assert.ok(delta('trine_messages_out_total', { type: 'matched' }) >= 2);
    assert.ok(delta('trine_command_duration_seconds_count', { command: 'move', outcome: 'ok' }) >= 16);
    assert.ok(delta('trine_command_duration_seconds_count', { command: 'move', outcome: 'refused' }) >= 1);
    assert.ok(delta('trine_pubsub_messages_received_total') > 0);
    assert.ok(total(now, 'trine_connections') >= 4, 'open sockets');
    assert.equal(total(now, 'trine_ready'), 3, 'every gateway ready');
    for (const c of [A, B, C, A2]) c.close();
  });

  test('logs: every line names its gateway; a move line names game, player, rid, version and duration; a game is followed across gateways', async () => {
    const A = await player(ws[0], 'lA');
    const B = await player(ws[1], 'lB');
    const g = await play(A, B, [4, 0, 8, 1, 2, 6, 5], 'log');
    assert.ok(Number.isInteger(g.version) && g.version > 2, `the game's last version: ${g.version}`);
    // a log line is written after its answer went out: read until the lines this test looks for are there
    const read = () => cl.gateways.map((gw) => ({ gw: gw.id, ...logLines(join(cl.dir, 'logs', `${gw.id}.log`)) }));
    const lines = await until('the move, the end of the game and B\'s hello in the logs', read, {
      ok: (ls) => ['log0', 'log5', 'log6'].every((mid) => ls.some((l) => l.json.some((j) => j.msg === 'command' && j.gameId === g.id && j.mid === mid)))
        && ls.some((l) => l.json.some((j) => j.msg === 'hello' && j.playerId === B.player!.id)),
    });
    for (const l of lines) for (const j of l.json) assert.equal(j.gw, l.gw, `gw on ${JSON.stringify(j)}`);
    const all = lines.flatMap((l) => l.json);
    const move = all.find((j) => j.msg === 'command' && j.cmd === 'move' && j.gameId === g.id && j.mid === 'log0');
    assert.ok(move, 'a line for the move');
    assert.equal(move.playerId, A.player!.id);
    assert.equal(move.gw, 'gw-0');
    assert.equal(move.outcome, 'ok');
    assert.equal(move.version, 3);
    assert.match(String(move.rid), /^lA-/);
    assert.equal(typeof move.ms, 'number');
    const end = all.find((j) => j.msg === 'command' && j.gameId === g.id && j.event === 'finished');
    assert.equal(end?.reason, 'line');
    assert.equal(end?.version, g.version);
    assert.equal(end?.level, 30, 'a game ending is logged at info');
    const story = lines.filter((l) => l.json.some((j) => j.gameId === g.id || (Array.isArray(j.games) && j.games.includes(g.id))));
    assert.deepEqual(story.map((l) => l.gw).sort(), ['gw-0', 'gw-1'], 'the game is in both gateways\' logs');
    const hello = all.find((j) => j.msg === 'hello' && j.playerId === B.player!.id);
    assert.ok(hello && typeof hello.conn === 'string' && typeof hello.ms === 'number');
    A.close(); B.close();
  });

  test('Redis stopped: /readyz 503 within 2 s and commands answer UNAVAILABLE; Redis back: ready by itself, resubscribed, the game finishes', async () => {
    const A = await player(ws[0], 'oA');
    const B = await player(ws[1], 'oB');
    const { id } = await privateGame(A, B);
    await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'o0' });
    await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'o1' });
    const logFiles = cl.gateways.map((g) => join(cl.dir, 'logs', `${g.id}.log`));
    const logSizes = logFiles.map((f) => statSync(f).size);
    await redis.stop();
    await Promise.all(urls.map((u) => until(`${u}/readyz 503`, async () => (await readyz(u)) === 503, { timeoutMs: 2000 })));
    const refused = await A.request({ t: 'move', gameId: id, cell: 8, mid: 'o2' });
    assert.equal(refused.code, 'UNAVAILABLE');
    const late = await TestClient.open(ws[2], 'late');
    late.send({ t: 'hello', v: 1 });
    assert.equal((await late.waitFor((m) => m.t === 'error', 'hello answer')).code, 'UNAVAILABLE');
    assert.equal(A.closed, null, 'sockets stay open through the outage');
    // reconnect attempts fail and are logged (the last test checks those lines hold no secret)
    await until('every gateway logged a failed reconnect', () => logFiles.every((f, i) => logLines(f, logSizes[i]).raw.includes('"msg":"redis error"')));

    await redis.start(); // same port, same AOF folder: the data is back
    await Promise.all(urls.map((u) => until(`${u}/readyz 200 again`, async () => (await readyz(u)) === 200, { timeoutMs: 15_000 })));
    const cells = [8, 1, 2, 6, 5];
    let v = 4;
    for (const [i, cell] of cells.entries()) {
      const r = await (i % 2 ? B : A).ok({ t: 'move', gameId: id, cell, mid: `o${i + 2}` });
      assert.equal(r.version, ++v);
    }
    for (const c of [A, B]) {
      const s = await c.stateAt(id, 9);
      assert.equal(s.status, 'won');
      assert.equal(s.board, 'OOX.XXO.X');
    }
    assert.deepEqual(B.states(id).map((s) => s.version).filter((x) => x > 4), [5, 6, 7, 8, 9], 'B (other gateway) got every version after the outage');
    const { samples } = await scrapeAll(urls);
    for (const g of cl.gateways) {
      for (const conn of ['cmd', 'sub']) assert.ok(total(samples, 'trine_redis_reconnects_total', { gateway: g.id, conn }) >= 1, `${g.id} ${conn} reconnected`);
      assert.ok(readFileSync(join(cl.dir, 'logs', `${g.id}.log`), 'utf8').includes('"msg":"resubscribed and resynced"'));
    }
    assert.ok(total(samples, 'trine_errors_total', { code: 'UNAVAILABLE' }) >= 2);
    for (const c of [A, B, late]) c.close();
  });

  test('SIGTERM drains: clients see 1012 and resume on another gateway, exit 0 within 10 s, no game lost', async () => {
    const A = await player(ws[0], 'dA');
    const B = await player(ws[1], 'dB');
    const S = await player(ws[1], 'dS');
    const { id } = await privateGame(A, B, [S]);
    await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'd0' });
    const gw = cl.gateways[1];
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => gw.proc.once('exit', (code, signal) => res({ code, signal })));
    B.send({ t: 'move', rid: 'inflight', gameId: id, cell: 0, mid: 'd1' }); // in flight while the drain starts
    gw.proc.kill('SIGTERM');
    assert.equal((await B.waitClose(5000)).code, 1012);
    assert.equal((await S.waitClose(5000)).code, 1012);
    const exit = await Promise.race([exited, sleep(10_000).then(() => null)]);
    assert.deepEqual(exit, { code: 0, signal: null }, 'exited 0 within 10 s');

    const B2 = await player(ws[2], 'dB2', { token: B.token });
    assert.equal(B2.msgs[0].resumed, true);
    assert.deepEqual(B2.msgs[0].games, [id]);
    assert.equal((await B2.ok({ t: 'move', gameId: id, cell: 0, mid: 'd1' })).version, 4, 'the in-flight move, resent, applied once');
    const S2 = await TestClient.open(ws[0], 'dS2');
    await S2.hello({ token: S.token });
    await S2.ok({ t: 'watch', gameId: id });
    for (const [i, cell] of [8, 1, 2, 6, 5].entries()) await (i % 2 ? B2 : A).ok({ t: 'move', gameId: id, cell, mid: `d${i + 2}` });
    for (const c of [A, B2, S2]) assert.equal((await c.stateAt(id, 9)).board, 'OOX.XXO.X');
    const log = logLines(join(cl.dir, 'logs', `${gw.id}.log`)).json;
    const drained = log.find((j) => j.msg === 'drained');
    assert.ok(drained && drained.conns >= 2 && drained.unfinished === 0, `drained line: ${JSON.stringify(drained)}`);
    assert.ok(log.some((j) => j.msg === 'stopped' && j.signal === 'SIGTERM'));
    for (const c of [A, B2, S2]) c.close();
  });

  test('the launcher\'s Ctrl-C (SIGINT to its process group) drains every gateway, then everything stops', async () => {
    const base = await freePortRange(2);
    const runDir = join(ROOT, '.run');
    const logFiles = ['gw-0', 'gw-1'].map((id) => join(runDir, 'logs', `${id}.log`));
    const offsets = logFiles.map((f) => (existsSync(f) ? statSync(f).size : 0));
    const p = spawn(process.execPath, [join(ROOT, 'scripts', 'bootstrap.mjs'), 'start'], {
      cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(base), GATEWAYS: '2', REDIS_URL: redis.url, RESTART_DELAY_MS: '0', LOG_LEVEL: 'info' },
    });
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((res) => p.once('exit', (code) => res(code)));
    try {
      await until('npm start up', () => (out.includes('Trine is up') ? true : `output: ${out}`), { ok: (v) => v === true, timeoutMs: 30_000 });
      const pids = (JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as { gateways: { pid: number }[] }).gateways.map((g) => g.pid);
      const c = await player(`ws://127.0.0.1:${base + 1}/ws`, 'ctrlC');
      process.kill(-p.pid!, 'SIGINT');
      assert.equal((await c.waitClose(5000)).code, 1012);
      assert.equal(await Promise.race([exited, sleep(15_000).then(() => 'timeout')]), 0, `npm start exits 0 (output: ${out})`);
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'no gateway process left');
      assert.ok(!existsSync(join(runDir, 'cluster.json')), 'cluster.json removed');
      for (const [i, f] of logFiles.entries()) {
        const { raw } = logLines(f, offsets[i]);
        assert.match(raw, /"msg":"drained"/, `${f} drained`);
        assert.ok(!raw.includes(PASSWORD));
      }
    } finally {
      if (p.exitCode === null) { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }
    }
  });

  test('no log line of any gateway holds a token or the Redis password (after an outage and a drain)', () => {
    assert.ok(tokens.size >= 8);
    let lines = 0;
    for (const g of cl.gateways) {
      const { raw, json } = logLines(join(cl.dir, 'logs', `${g.id}.log`));
      lines += json.length;
      assert.ok(!raw.includes(PASSWORD), `${g.id}: the Redis password`);
      assert.ok(!raw.includes(encodeURIComponent(PASSWORD)));
      for (const t of tokens) assert.ok(!raw.includes(t), `${g.id}: a token`);
      assert.ok(json.some((j) => j.msg === 'redis error'), `${g.id} logged the outage's Redis errors (debug)`);
    }
    assert.ok(lines > 100);
  });
});

describe('a silent network cut between a gateway and Redis', () => {
  let redis: RedisServer;
  let proxy: BlackholeProxy;
  let cl: Awaited<ReturnType<typeof startCluster>>;
  before(async () => {
    redis = new RedisServer();
    await redis.start();
    proxy = new BlackholeProxy(redis.port);
    await proxy.start();
    cl = await startCluster({ gateways: 1, redisUrl: proxy.url, env: { LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await cl?.stop();
    await proxy?.stop();
    await redis?.stop();
  });

  test('connections that stay open but carry nothing: /readyz 503, UNAVAILABLE, then the gateway reconnects by itself and the game goes on', async () => {
    const [g] = cl.gateways;
    const A = await player(g.ws, 'nA');
    const B = await player(g.ws, 'nB');
    const { id } = await privateGame(A, B);
    await A.ok({ t: 'move', gameId: id, cell: 4, mid: 'n0' });
    await Promise.all([A, B].map((c) => c.stateAt(id, 3))); // both follow the game: nothing left in flight
    proxy.cut();
    await until('/readyz 503 after a silent cut', async () => (await readyz(g.url)) === 503, { timeoutMs: 3000 });
    const r = await B.request({ t: 'move', gameId: id, cell: 0, mid: 'n1' }, 8000);
    assert.equal(r.code, 'UNAVAILABLE');
    await until('/readyz 200 after reconnecting', async () => (await readyz(g.url)) === 200, { timeoutMs: 25_000 });
    let v = (await B.ok({ t: 'move', gameId: id, cell: 0, mid: 'n1' })).version;
    assert.equal(v, 4);
    for (const [i, cell] of [8, 1, 2, 6, 5].entries()) v = (await (i % 2 ? B : A).ok({ t: 'move', gameId: id, cell, mid: `n${i + 2}` })).version;
    for (const c of [A, B]) assert.equal((await c.stateAt(id, v)).status, 'won');
    assert.match(readFileSync(join(cl.dir, 'logs', 'gw-0.log'), 'utf8'), /did not answer 3 heartbeats: reconnecting/);
    A.close(); B.close();
  });
});

describe('configuration', () => {
  const run = (script: string, env: Record<string, string>) => new Promise<{ code: number | null; err: string }>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, ...script.split('/'))], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d) => { err += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => { clearTimeout(t); resolve({ code, err }); });
  });

  test('a bad PORT stops the gateway, and npm start, with one sentence naming PORT', async () => {
    for (const script of ['server/main.ts', 'server/launcher/main.ts']) {
      const r = await run(script, { PORT: 'abc' });
      assert.equal(r.code, 2, `${script} exit code`);
      const lines = r.err.trim().split('\n').filter((l) => !/^npm warn/.test(l));
      assert.equal(lines.length, 1, `one line: ${r.err}`);
      assert.match(lines[0], /Invalid value "abc" for PORT: must be a whole number/);
    }
  });

  test('a bad value never echoes a password', async () => {
    const r = await run('server/main.ts', { REDIS_URL: `http://user:${PASSWORD}@redis:6379` });
    assert.equal(r.code, 2);
    assert.match(r.err, /REDIS_URL/);
    assert.ok(!r.err.includes(PASSWORD));
  });

  test('the logger masks the Redis password and redacts token fields whatever is logged', () => {
    const url = `redis://:${encodeURIComponent('p@ss/Word-1')}@127.0.0.1:6379`;
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => { text += d; });
    const log = createLogger('gw-x', 'debug', { secrets: secretsOfUrl(url), destination: out });
    log.warn({ token: 'tok-123456', nested: { token: 'tok-654321' }, err: errText(new Error(`connect to ${url} failed`)) }, 'oops');
    log.error({ detail: 'the password is p@ss/Word-1' }, 'worse');
    assert.match(text, /"gw":"gw-x"/);
    for (const secret of ['p@ss/Word-1', encodeURIComponent('p@ss/Word-1'), 'tok-123456', 'tok-654321']) assert.ok(!text.includes(secret), secret);
  });
});
