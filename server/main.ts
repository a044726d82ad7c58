// Entry point of one gateway process: configuration from the environment, then serve until SIGTERM.
import { ConfigError, loadConfig, settingsHelp } from './config.js';
import { loadAssets } from './assets.js';
import { Gateway } from './gateway/gateway.js';
import { randomIds } from './gateway/ids.js';
import { createLogger, errText, secretsOfUrl } from './log.js';
import { createMetrics } from './metrics.js';
import { openConnections } from './connections.js';
import { Store } from './store/store.js';
import type { Transport, TransportOptions } from './transport/types.js';

if (process.argv.includes('--help')) {
  console.log(`Trine gateway. Configured by environment variables:\n\n${settingsHelp()}`);
  process.exit(0);
}

let cfg;
try {
  cfg = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) { console.error(`trine gateway: ${e.message}`); process.exit(2); }
  throw e;
}

const log = createLogger(cfg.GATEWAY_ID, cfg.LOG_LEVEL, { secrets: secretsOfUrl(cfg.REDIS_URL) });
const transport = cfg.TRANSPORT === 'uws'
  ? (await import('./transport/uws.js')).UwsTransport
  : (await import('./transport/ws.js')).WsTransport;

const assets = await loadAssets();
const metrics = createMetrics(cfg.GATEWAY_ID);
const ids = randomIds();
// commands, pub/sub, the durability barrier and publishing, for REDIS_MODE (see connections.ts)
const { cmd, sub, durability, publisher, writable } = openConnections(cfg, log, ids.newInstanceSuffix());
const barrier = durability.barrier;
const store = new Store(cmd, {
  maxGamesPerPlayer: cfg.MAX_GAMES_PER_PLAYER, turnMs: cfg.TURN_MS, abandonMs: cfg.ABANDON_MS, inviteTtlMs: cfg.INVITE_TTL_MS,
  finishedTtlS: cfg.FINISHED_TTL_S, sessionTtlS: cfg.SESSION_TTL_S, gameIdleTtlS: cfg.GAME_IDLE_TTL_S,
}, cfg.REDIS_PREFIX, {
  delivery: durability.delivery,
  publisher,
  barrier: { mode: barrier.mode, sync: (key?: string) => barrier.sync(key).catch((e: unknown) => { metrics.durabilityFailures.inc(); throw e; }) },
});

const gateway = new Gateway({
  cfg, log, metrics, store, durability, cmd, sub, ids, now: Date.now, assets,
  transport: (o: TransportOptions): Transport => new transport(o),
  isPrimary: writable,
});

try {
  await gateway.start();
} catch (e) {
  log.fatal({ err: errText(e) }, 'cannot start');
  console.error(`trine gateway: cannot start: ${errText(e)}`);
  process.exit(1);
}

// SIGTERM (an orchestrator, the launcher) or SIGINT (Ctrl-C): drain, then exit 0. The drain waits
// at most DRAIN_MS for in-flight work; the hard stop below is a last resort if anything hangs.
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal, drainMs: cfg.DRAIN_MS }, 'stopping');
  const hard = setTimeout(() => { log.error('drain took too long; exiting'); process.exit(1); }, cfg.DRAIN_MS + 4000);
  hard.unref();
  gateway.drain().then(() => { log.info({ signal }, 'stopped'); process.exit(0); }, (e) => {
    log.error({ err: errText(e) }, 'drain failed');
    process.exit(1);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('unhandledRejection', (e) => { log.error({ err: errText(e) }, 'unhandled rejection'); });
process.on('uncaughtException', (e) => { log.fatal({ err: errText(e), stack: e.stack?.split('\n').slice(1, 6).join(' | ') }, 'uncaught exception'); process.exit(1); });
