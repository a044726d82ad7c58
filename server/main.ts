// Entry point of one gateway process: configuration from the environment, then serve until SIGTERM.
import { ConfigError, loadConfig, settingsHelp } from './config.js';
import { loadAssets } from './assets.js';
import { Gateway } from './gateway/gateway.js';
import { createLogger } from './log.js';
import type { Conn } from './gateway/conn.js';
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

const log = createLogger(cfg.GATEWAY_ID, cfg.LOG_LEVEL);
type TOpts = TransportOptions<Conn> & { sendBufferLimit: number; idleTimeoutS: number };
const transport = cfg.TRANSPORT === 'uws'
  ? (await import('./transport/uws.js')).UwsTransport
  : (await import('./transport/ws.js')).WsTransport;

const gateway = new Gateway({
  cfg, log, assets: await loadAssets(),
  transport: (o: TOpts): Transport => new transport<Conn>(o),
});

try {
  await gateway.start();
} catch (e) {
  log.fatal({ err: e instanceof Error ? e.message : String(e) }, 'cannot start');
  console.error(`trine gateway: cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  const hard = setTimeout(() => { log.error('drain took too long; exiting'); process.exit(1); }, cfg.DRAIN_MS + 4000);
  hard.unref();
  gateway.drain().then(() => { log.info('drained'); process.exit(0); }, () => process.exit(1));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('unhandledRejection', (e) => { log.error({ err: e instanceof Error ? e.message : String(e) }, 'unhandled rejection'); });
process.on('uncaughtException', (e) => { log.fatal({ err: e.stack }, 'uncaught exception'); process.exit(1); });
