// A Redis server process of our own, on a free loopback port, for the local cluster and the tests:
// a lone server, or a primary or replica of a Sentinel-managed group (server/launcher/sentinel.ts).
import { mkdirSync } from 'node:fs';
import { redisTls } from '../redis.js';
import { freePort } from './ports.js';
import { RedisProcess, ServerOnPort } from './redis-process.js';

export interface RedisServerOptions {
  port?: number;
  /** Folder for the AOF file; persistence is off without it. */
  dataDir?: string;
  /**
   * fsync policy of the AOF (with dataDir). `always` (the default) is the durability rule of single
   * mode: Redis 7 fsyncs the AOF in beforeSleep, before it writes any reply or publishes, so an
   * answer only ever reports a change on disk (and concurrent writes share one fsync). `everysec`
   * only for the benchmark's price-of-durability comparison.
   */
  appendfsync?: 'always' | 'everysec';
  /**
   * A node of a Redis Cluster (needs dataDir: its nodes.conf lives there): cluster-enabled, this
   * node timeout (ms: how long a primary may be unreachable before its replica takes over), and
   * the other shards keep serving while one is down (cluster-require-full-coverage no).
   */
  cluster?: { nodeTimeoutMs: number };
  /** Refuse writes unless this many replicas acknowledged within `maxLagS` (min-replicas-to-write). */
  minReplicas?: { toWrite: number; maxLagS: number };
  password?: string;
  /** Serve TLS only (rediss://) with this certificate and key; clients verify it against `caFile`. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  bin?: string;
  /** In a process group of its own: a Ctrl-C meant for the launcher does not stop Redis before the gateways drained. */
  detached?: boolean;
  /** Appends the server's log to this file. */
  logFile?: string;
  /** Called when the process exits without stop() having been called (a crash, a SIGKILL). */
  onDeath?: (s: RedisServer, code: number | null, signal: string | null) => void;
}

export class RedisServer extends ServerOnPort {
  constructor(private readonly o: RedisServerOptions = {}) { super(); }

  get url(): string {
    return `${this.o.tls ? 'rediss' : 'redis'}://${this.o.password ? `:${encodeURIComponent(this.o.password)}@` : ''}127.0.0.1:${this.port}`;
  }

  /**
   * Starts the server (again, on the same port and data folder) and resolves once it answers PING;
   * rejects with one sentence from its log if it cannot start. With `replicaOf` it starts as a
   * replica of that node and can never take a write before the Sentinels promote it.
   */
  async start(replicaOf?: { host: string; port: number }): Promise<void> {
    this.port ||= this.o.port ?? await freePort();
    const args = ['--port', this.o.tls ? '0' : String(this.port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
      '--maxclients', '60000', '--protected-mode', 'no'];
    if (this.o.dataDir) {
      mkdirSync(this.o.dataDir, { recursive: true });
      args.push('--dir', this.o.dataDir, '--appendonly', 'yes', '--appendfsync', this.o.appendfsync ?? 'always');
    } else {
      args.push('--appendonly', 'no');
    }
    if (this.o.minReplicas) {
      args.push('--min-replicas-to-write', String(this.o.minReplicas.toWrite), '--min-replicas-max-lag', String(this.o.minReplicas.maxLagS));
    }
    if (this.o.cluster) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(this.o.cluster.nodeTimeoutMs),
        '--cluster-require-full-coverage', 'no',
        // a replica that (re)joins syncs at once: a promoted replica refuses writes (min-replicas-to-write) until it has one
        '--repl-diskless-sync-delay', '0');
    }
    if (replicaOf) args.push('--replicaof', replicaOf.host, String(replicaOf.port));
    if (this.o.password) args.push('--requirepass', this.o.password, '--masterauth', this.o.password);
    if (this.o.tls) {
      const t = this.o.tls;
      args.push('--tls-port', String(this.port), '--tls-cert-file', t.certFile, '--tls-key-file', t.keyFile,
        '--tls-ca-cert-file', t.caFile, '--tls-auth-clients', 'no', '--tls-replication', 'yes');
    }
    const p = new RedisProcess({
      bin: this.o.bin ?? 'redis-server', args, label: `redis-server on port ${this.port}`, logFile: this.o.logFile, detached: this.o.detached,
      connect: { url: this.url, ...redisTls(this.url, this.o.tls?.caFile) },
    }, (proc, code, signal) => { if (!proc.stopping) this.o.onDeath?.(this, code, signal); });
    this.current = p;
    await p.ready();
  }
}
