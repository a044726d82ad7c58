// What can be checked of the compose stack without a Docker engine: docker-compose.yml parses and
// its services, ports, volumes, files and environment agree with each other and with the gateway's
// settings; the Dockerfile is multi-stage, non-root, with a /readyz health check; deploy/nginx.conf
// passes `nginx -t` and, run in front of a real cluster, upgrades WebSockets and fails over;
// Prometheus scrapes every gateway; the Grafana dashboard and the alert rules only query metrics a
// running gateway really exports.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { SETTINGS } from '../server/config.js';
import { ROOT } from '../server/launcher/cluster.js';
import { freePort } from '../server/launcher/ports.js';
import { player } from './support/client.js';
import { startCluster } from './support/cluster.js';
import { exportedNames } from './support/metrics.js';
import { until } from './support/until.js';

const NGINX = '/usr/sbin/nginx';
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const yaml = (path: string) => parse(read(path), { merge: true }) as Record<string, any>;
/** Compose's `${VAR:-default}` / `${VAR}` interpolation, with nothing set: the defaults. */
const interpolate = (v: unknown) => String(v).replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name, def) => def ?? '');

const compose = yaml('docker-compose.yml');
const services = compose.services as Record<string, any>;
const gatewayNames = Object.keys(services).filter((n) => services[n].build);
const envOf = (name: string) => Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
/** Metric names a PromQL expression uses. */
const metricsIn = (expr: string) => [...expr.matchAll(/\b(trine_[a-z0-9_]+|up)\b(?!\s*\()/g)].map((m) => m[1]).filter((n) => n !== 'up');

/** Runs `nginx -t` on a config; returns nginx's verdict. */
function nginxTest(conf: string): { ok: boolean; out: string } {
  const r = spawnSync(NGINX, ['-t', '-q', '-c', conf, '-g', `pid ${conf}.pid;`], { encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

/**
 * deploy/nginx.conf with the compose hostnames (gw1...) swapped for loopback addresses: nginx
 * resolves upstream hosts when it loads a config, and those names exist only on compose's network.
 */
function localNginxConf(upstreams: Record<string, string>, listen?: number): string {
  let conf = read('deploy/nginx.conf');
  for (const [svc, addr] of Object.entries(upstreams)) {
    const before = conf;
    conf = conf.replace(new RegExp(`server ${svc}:\\d+`), `server ${addr}`);
    assert.notEqual(conf, before, `nginx.conf has an upstream server for ${svc}`);
  }
  if (listen) conf = conf.replace(/listen 80;/, `listen 127.0.0.1:${listen};`).replace(/access_log \/\S+;/, 'access_log off;');
  return conf;
}

describe('docker-compose.yml and deploy/', () => {
  let cl: Awaited<ReturnType<typeof startCluster>>;
  let metricsText = '';
  const tmp = mkdtempSync(join(tmpdir(), 'trine-compose-'));

  before(async () => {
    cl = await startCluster({ gateways: 3, env: { LOG_LEVEL: 'warn' } });
    metricsText = await fetch(`${cl.gateways[0].url}/metrics`).then((r) => r.text());
  });
  after(async () => {
    await cl?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('compose: Redis with AOF on a volume, three gateways, nginx, Prometheus, Grafana; ports, volumes, files and settings consistent', () => {
    for (const s of ['redis', 'lb', 'prometheus', 'grafana']) assert.ok(services[s], `service ${s}`);
    assert.equal(gatewayNames.length, 3, 'three gateways built from the repository');
    const redis = services.redis;
    assert.ok(redis.command.join(' ').includes('--appendonly yes'), 'Redis persists with AOF');
    // REDIS_MODE=single (the gateways' default here): an ok only for a change fsynced to the AOF
    assert.ok(redis.command.join(' ').includes('--appendfsync always'), 'Redis fsyncs every write (the durability rule of single mode)');
    assert.ok(redis.volumes.some((v: string) => /^redis-data:\/data$/.test(v)), 'on a named volume at its --dir');
    assert.ok(redis.command.join(' ').includes('--dir /data'));

    const ids = new Set<string>();
    for (const name of gatewayNames) {
      const g = services[name];
      const env = envOf(name);
      assert.equal(g.build.context, '.');
      assert.ok(existsSync(join(ROOT, g.build.dockerfile ?? 'Dockerfile')));
      for (const key of Object.keys(env)) assert.ok(key in SETTINGS, `${name}: ${key} is a gateway setting`);
      assert.equal(env.HOST, '0.0.0.0', `${name} listens on every interface of its container`);
      assert.ok(env.GATEWAY_ID && !ids.has(env.GATEWAY_ID), `${name}: a GATEWAY_ID of its own`);
      ids.add(env.GATEWAY_ID);
      assert.equal(new URL(env.REDIS_URL).hostname, 'redis', `${name} uses the redis service`);
      assert.ok(env.ALLOWED_ORIGINS.split(',').includes(new URL(env.PUBLIC_URL).origin), `${name}: the public origin may open sockets`);
      assert.deepEqual(g.expose, [env.PORT]);
      const hc = g.healthcheck.test.join(' ');
      assert.ok(hc.includes(`127.0.0.1:${env.PORT}/readyz`), `${name} health check on /readyz at its PORT`);
      assert.equal(g.depends_on.redis.condition, 'service_healthy');
      assert.ok(parseInt(g.stop_grace_period, 10) * 1000 >= Number(env.DRAIN_MS) + 5000, `${name}: the stop grace period leaves time to drain`);
      assert.equal(g.ports, undefined, 'gateways are reached through nginx only');
    }

    const hostPorts: string[] = [];
    const usedVolumes = new Set<string>();
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) hostPorts.push(String(p).split(':').slice(0, -1).join(':'));
      for (const v of s.volumes ?? []) {
        const [src] = String(v).split(':');
        if (src.startsWith('.') || src.startsWith('/')) assert.ok(existsSync(join(ROOT, src)), `${name}: ${src} exists in the repository`);
        else usedVolumes.add(src);
      }
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) assert.ok(services[d], `${name} depends on ${d}, a service`);
    }
    assert.equal(new Set(hostPorts).size, hostPorts.length, `published host ports are distinct: ${hostPorts}`);
    assert.deepEqual([...usedVolumes].sort(), Object.keys(compose.volumes).sort(), 'named volumes declared = used');
    assert.deepEqual(services.lb.ports, ['8080:80']);
    assert.ok(services.lb.volumes.includes('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro'));
  });

  test('docker-compose.sentinel.yml: primary, two replicas and three Sentinels (AOF each, quorum 2, seconds); gateways pointed at the Sentinels', () => {
    const over = yaml('docker-compose.sentinel.yml');
    const s = over.services as Record<string, any>;
    const args = (n: string) => (s[n].command as string[]).join(' ');
    const data = ['redis', 'redis-replica1', 'redis-replica2'];
    for (const n of data) {
      assert.match(args(n), /--appendonly yes/, `${n} persists with AOF`);
      assert.match(args(n), /--min-replicas-to-write 1 --min-replicas-max-lag [1-5]\b/, `${n} refuses writes without a replica in reach`);
      assert.ok(n === 'redis' || /--replicaof redis 6379/.test(args(n)), `${n} replicates the primary`);
    }
    assert.notEqual(s['redis-replica1'].volumes[0], s['redis-replica2'].volumes[0], 'a volume per replica');
    const sentinels = Object.keys(s).filter((n) => /^sentinel\d$/.test(n));
    assert.equal(sentinels.length, 3, 'three Sentinels');
    for (const n of sentinels) {
      const cmd = args(n);
      assert.match(cmd, /sentinel monitor trine redis 6379 2'/, `${n} monitors the primary, quorum 2`);
      const down = Number(/down-after-milliseconds trine (\d+)/.exec(cmd)?.[1]);
      assert.ok(down >= 500 && down <= 2000, `${n}: failure detected within seconds (${down} ms)`);
      assert.match(cmd, /exec redis-sentinel \/data\/sentinel\.conf/);
      assert.equal(s[n].hostname, n, `${n} announces its own name`);
    }
    const declared = new Set([...Object.keys(compose.volumes), ...Object.keys(over.volumes)]);
    for (const [n, svc] of Object.entries(s)) for (const v of svc.volumes ?? []) assert.ok(declared.has(String(v).split(':')[0]), `${n}: volume ${v} declared`);
    for (const name of gatewayNames) {
      const env = Object.fromEntries(Object.entries(s[name].environment).map(([k, v]) => [k, interpolate(v)]));
      for (const k of Object.keys(env)) assert.ok(k in SETTINGS, `${name}: ${k} is a gateway setting`);
      assert.equal(env.REDIS_MODE, 'sentinel');
      assert.deepEqual(env.REDIS_SENTINELS.split(',').sort(), sentinels.map((n) => `${n}:26379`).sort(), `${name} asks every Sentinel`);
      assert.equal(env.REDIS_SENTINEL_NAME, 'trine');
      for (const n of sentinels) assert.equal(s[name].depends_on[n].condition, 'service_healthy');
    }
  });

  test('docker-compose.cluster.yml: six nodes made into 3 primaries + 3 replicas (AOF fsynced, min-replicas, seconds); gateways in cluster mode on every node', () => {
    const over = yaml('docker-compose.cluster.yml');
    const s = over.services as Record<string, any>;
    const nodes = Object.keys(s).filter((n) => /^redis-c\d$/.test(n));
    assert.equal(nodes.length, 6, 'six cluster nodes');
    for (const n of nodes) {
      const cmd = (s[n].command as string[]).join(' ');
      assert.match(cmd, /--cluster-enabled yes/, `${n} is a cluster node`);
      assert.match(cmd, /--appendonly yes --appendfsync always/, `${n} fsyncs its AOF on every write`);
      assert.match(cmd, /--min-replicas-to-write 1 --min-replicas-max-lag [1-5]\b/, `${n} refuses writes without a replica in reach`);
      const timeout = Number(/--cluster-node-timeout (\d+)/.exec(cmd)?.[1]);
      assert.ok(timeout >= 500 && timeout <= 5000, `${n}: failover within seconds (${timeout} ms)`);
      assert.equal(s[n].environment.NODE, n, `${n} announces its own name`);
      assert.match(String(s[n].volumes[0]), new RegExp(`^${n}-data:/data$`), `${n} keeps its data on a volume of its own`);
    }
    const create = (s['redis-cluster-create'].command as string[]).join(' ');
    assert.match(create, /redis-cli --cluster create (redis-c\d:6379 ){6}--cluster-replicas 1 --cluster-yes/, 'made into 3 primaries with a replica each');
    for (const n of nodes) assert.equal(s['redis-cluster-create'].depends_on[n].condition, 'service_healthy');
    const declared = new Set([...Object.keys(compose.volumes), ...Object.keys(over.volumes)]);
    for (const [n, svc] of Object.entries(s)) for (const v of svc.volumes ?? []) assert.ok(declared.has(String(v).split(':')[0]), `${n}: volume ${v} declared`);
    for (const name of gatewayNames) {
      const env = Object.fromEntries(Object.entries(s[name].environment).map(([k, v]) => [k, interpolate(v)]));
      for (const k of Object.keys(env)) assert.ok(k in SETTINGS, `${name}: ${k} is a gateway setting`);
      assert.equal(env.REDIS_MODE, 'cluster');
      assert.deepEqual(env.REDIS_CLUSTER_NODES.split(',').sort(), nodes.map((n) => `${n}:6379`).sort(), `${name} knows every node`);
      assert.equal(s[name].depends_on['redis-cluster-create'].condition, 'service_completed_successfully');
    }
  });

  test('Dockerfile: multi-stage, runs as a non-root user, health check on /readyz; .dockerignore keeps the context small', () => {
    const df = read('Dockerfile');
    const froms = [...df.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
    assert.ok(froms.length >= 2, 'multi-stage');
    assert.match(df, /^COPY --from=deps /m);
    const users = [...df.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length && !['root', '0'].includes(users.at(-1)!), 'runs as a non-root user');
    assert.match(df, /^HEALTHCHECK .*\n?.*\/readyz/m);
    assert.match(df, /^CMD \["node", "--import", "tsx", "server\/main.ts"\]/m);
    for (const m of df.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1].split(/\s+/)) assert.ok(existsSync(join(ROOT, src)), `COPY source ${src} exists`);
    }
    assert.match(df, /^EXPOSE 8080$/m);
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', '.git', '.run']) assert.ok(ignored.includes(p), `.dockerignore lists ${p}`);
  });

  test('nginx.conf passes nginx -t (with the compose hostnames swapped for loopback addresses) and names every gateway', () => {
    assert.ok(existsSync(NGINX), `${NGINX} (Debian's nginx-light, installed by npm test) is here`);
    const conf = join(tmp, 'nginx-t.conf');
    writeFileSync(conf, localNginxConf(Object.fromEntries(gatewayNames.map((n) => [n, `127.0.0.1:${envOf(n).PORT}`]))));
    const r = nginxTest(conf);
    assert.ok(r.ok, r.out);
    const broken = join(tmp, 'broken.conf');
    writeFileSync(broken, read('deploy/nginx.conf').replace('least_conn;', 'least_conn'));
    assert.equal(nginxTest(broken).ok, false, 'nginx -t does reject a broken config');
    const text = read('deploy/nginx.conf');
    assert.match(text, /proxy_set_header Upgrade \$http_upgrade;/);
    assert.match(text, /proxy_next_upstream error timeout http_502 http_503;/);
  });

  test('nginx in front of a real cluster: the page, WebSockets through it, failover when a gateway is down or draining', async () => {
    const port = await freePort();
    const conf = join(tmp, 'nginx-run.conf');
    const upstreams = Object.fromEntries(gatewayNames.map((n, i) => [n, `127.0.0.1:${cl.gateways[i].port}`]));
    writeFileSync(conf, localNginxConf(upstreams, port));
    const nginx: ChildProcess = spawn(NGINX, ['-c', conf, '-g', `daemon off; pid ${conf}.pid;`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    nginx.stderr!.on('data', (d) => { err += d; });
    const exited = new Promise<void>((res) => nginx.once('exit', () => res()));
    const lb = `http://127.0.0.1:${port}`;
    const lbWs = `ws://127.0.0.1:${port}/ws`;
    try {
      await until('nginx answering /lb/healthz', async () => {
        assert.equal(nginx.exitCode, null, `nginx runs: ${err}`);
        return fetch(`${lb}/lb/healthz`).then((r) => r.ok, () => false);
      });
      assert.equal((await fetch(`${lb}/`)).status, 200, `the page through nginx (${err})`);
      assert.equal((await fetch(`${lb}/readyz`)).status, 200);
      assert.equal((await fetch(`${lb}/metrics`)).status, 404, 'metrics are not public');
      const clients = [];
      for (let i = 0; i < 3; i++) clients.push(await player(lbWs, `lb${i}`));
      const on = clients.map((c) => c.gateway);
      assert.ok(new Set(on).size >= 2, `least_conn spreads sockets: ${on}`);

      // SIGTERM the first client's gateway: it sees 1012, comes back through nginx, lands elsewhere
      const victim = cl.gateways.find((g) => g.id === on[0])!;
      victim.proc.kill('SIGTERM');
      assert.equal((await clients[0].waitClose(5000)).code, 1012);
      const back = await player(lbWs, 'lb0-back', { token: clients[0].token });
      assert.equal(back.msgs[0].resumed, true);
      assert.ok(cl.gateways.some((g) => g.id === back.gateway), `welcomed by a gateway of the cluster: ${back.gateway}`);
      assert.notEqual(back.gateway, victim.id);
      await new Promise<void>((res) => { if (!cl.alive(victim)) res(); else victim.proc.once('exit', () => res()); });

      // SIGKILL a second gateway: new sockets through nginx still get through, to the one left
      const second = cl.gateways.find((g) => g.id !== victim.id && g.id !== back.gateway) ?? cl.gateways.find((g) => g.id !== victim.id && cl.alive(g))!;
      cl.kill(second);
      const left = cl.gateways.filter((g) => cl.alive(g) && g !== second).map((g) => g.id);
      for (let i = 0; i < 4; i++) {
        const c = await player(lbWs, `after${i}`);
        assert.ok(left.includes(c.gateway), `${c.gateway} is one of ${left}`);
        c.close();
      }
      for (const c of [...clients, back]) c.close();
    } finally {
      if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGTERM');
      const t = setTimeout(() => nginx.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  });

  test('prometheus.yml parses and scrapes every gateway at its PORT; alert rules query exported metrics', () => {
    const prom = yaml('deploy/prometheus.yml');
    const job = prom.scrape_configs.find((j: any) => j.job_name === 'trine-gateways');
    assert.ok(job, 'a scrape job for the gateways');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    const targets = job.static_configs.flatMap((s: any) => s.targets).sort();
    assert.deepEqual(targets, gatewayNames.map((n) => `${n}:${envOf(n).PORT}`).sort());
    for (const file of prom.rule_files) {
      const mount = services.prometheus.volumes.find((v: string) => v.split(':')[1] === file);
      assert.ok(mount, `${file} is mounted into the prometheus service`);
    }
    const exported = exportedNames(metricsText);
    const rules = yaml('deploy/alerts.yml').groups.flatMap((g: any) => g.rules);
    assert.ok(rules.length >= 5);
    for (const r of rules) {
      assert.ok(r.alert && r.expr && r.annotations?.summary, `rule ${JSON.stringify(r)}`);
      for (const m of metricsIn(r.expr)) assert.ok(exported.has(m), `alert ${r.alert}: ${m} is exported by a gateway`);
    }
  });

  test('Grafana: provisioned datasource and dashboard; every panel queries metrics a running gateway exports', () => {
    const ds = yaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
    assert.equal(ds.type, 'prometheus');
    assert.match(ds.uid ?? '', /./, 'the datasource has a uid (panels are compared with it below)');
    assert.equal(new URL(ds.url).hostname, 'prometheus');
    assert.equal(new URL(ds.url).port, services.prometheus.ports[0].split(':').at(-1));
    const provider = yaml('deploy/grafana/provisioning/dashboards/trine.yml').providers[0];
    const mount = services.grafana.volumes.find((v: string) => v.split(':')[1] === provider.options.path);
    assert.ok(mount, 'the dashboards folder is mounted where the provider looks');
    const folder = join(ROOT, mount.split(':')[0]);
    const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 1);
    const exported = exportedNames(metricsText);
    for (const f of files) {
      const dash = JSON.parse(readFileSync(join(folder, f), 'utf8'));
      assert.ok(dash.uid && dash.title);
      const panels = dash.panels.filter((p: any) => p.type !== 'row');
      assert.equal(new Set(dash.panels.map((p: any) => p.id)).size, dash.panels.length, 'panel ids are unique');
      const exprs: string[] = panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
      for (const p of panels) {
        assert.equal(p.datasource.uid, ds.uid, `${p.title}: the provisioned datasource`);
        assert.ok(p.targets.length, `${p.title} has a query`);
      }
      for (const e of exprs) {
        const used = metricsIn(e);
        assert.ok(used.length, `${e} names a metric`);
        for (const m of used) assert.ok(exported.has(m), `${f}: ${m} (in ${e}) is exported by a gateway`);
      }
      const all = exprs.join('\n');
      for (const must of ['trine_connections', 'trine_moves_total', 'trine_command_duration_seconds_bucket', 'trine_errors_total', 'trine_games_finished_total', 'trine_games_created_total']) {
        assert.ok(all.includes(must), `the dashboard shows ${must}`);
      }
      assert.match(all, /histogram_quantile\(0\.99/, 'command p99');
    }
  });
});
