// Entry point of one gateway process: configuration from the environment, then serve until SIGTERM.
import { ConfigError, loadConfig, settingsHelp } from './config.js';
import { loadAssets } from './assets.js';
import { Gateway } from './gateway/gateway.js';
import { randomIds } from './gateway/ids.js';
import { createLogger, errText, secretsOfUrl } from './log.js';
import { createMetrics } from './metrics.js';
import { connectRedis, corkedPerTurn, isPrimary } from './redis.js';
import { checkFsync, openDurability } from './store/durability.js';
import { Keys } from './store/keys.js';
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
// the gateway's two Redis connections (watched by the gateway from its construction on): commands (the Store's) and pub/sub
// each writes what it is sent in one event-loop turn at once (corkedPerTurn: a script call per move
// on one, a SUBSCRIBE and an UNSUBSCRIBE per game on the other), rather than auto-pipelined
const redis = (role: string) => corkedPerTurn(connectRedis(cfg, `trine-${cfg.GATEWAY_ID}-${role}`));
const cmd = redis('cmd');
const sub = redis('sub');
const metrics = createMetrics(cfg.GATEWAY_ID);
const ids = randomIds();
// REDIS_MODE=sentinel: a WAIT blocks its connection, so the barrier has one of its own
const durability = openDurability({
  mode: cfg.REDIS_MODE, timeoutMs: cfg.DURABILITY_TIMEOUT_MS,
  fenceKey: new Keys(cfg.REDIS_PREFIX).fence(`${cfg.GATEWAY_ID}-${ids.newInstanceSuffix()}`),
  connect: () => connectRedis(cfg, `trine-${cfg.GATEWAY_ID}-fence`,
    { commandTimeout: cfg.REDIS_COMMAND_TIMEOUT_MS + cfg.DURABILITY_TIMEOUT_MS }),
});
const barrier = durability.barrier;
// single mode relies on Redis fsyncing every write before it answers: say so when it does not
if (durability.delivery === 'publish') void checkFsync(cmd, log);
const store = new Store(cmd, {
  maxGamesPerPlayer: cfg.MAX_GAMES_PER_PLAYER, turnMs: cfg.TURN_MS, abandonMs: cfg.ABANDON_MS, inviteTtlMs: cfg.INVITE_TTL_MS,
  finishedTtlS: cfg.FINISHED_TTL_S, sessionTtlS: cfg.SESSION_TTL_S, gameIdleTtlS: cfg.GAME_IDLE_TTL_S,
}, cfg.REDIS_PREFIX, {
  delivery: durability.delivery,
  barrier: { mode: barrier.mode, sync: () => barrier.sync().catch((e: unknown) => { metrics.durabilityFailures.inc(); throw e; }) },
});

const gateway = new Gateway({
  cfg, log, metrics, store, durability, cmd, sub, ids, now: Date.now, assets,
  transport: (o: TransportOptions): Transport => new transport(o),
  isPrimary: cfg.REDIS_MODE === 'sentinel' ? () => isPrimary(cmd) : undefined,
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
