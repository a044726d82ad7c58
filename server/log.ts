// Structured JSON logs (pino). Every line carries the gateway id (`gw`). Tokens are never passed to
// a logger and Redis errors are logged as scrubbed text; two guards stand behind that: redaction of
// fields that could hold secrets, and a last pass over every written line that masks the known
// secrets (the Redis password) wherever they would appear.
import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  /** Secrets to mask in every line (e.g. the password of REDIS_URL); short ones are ignored. */
  secrets?: string[];
  destination?: NodeJS.WritableStream;
}

export function createLogger(gateway: string, level: string, o: LoggerOptions = {}): Logger {
  const secrets = (o.secrets ?? []).filter((s) => s.length >= 4);
  return pino({
    level,
    base: { gw: gateway },
    redact: { paths: ['token', '*.token', 'password', '*.password', 'url', '*.url', 'redisUrl', 'REDIS_URL'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(secrets.length ? { hooks: { streamWrite: (line: string) => maskSecrets(line, secrets) } } : {}),
  }, o.destination as pino.DestinationStream | undefined);
}

export function maskSecrets(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

/** The secrets a Redis URL holds (its password, raw and decoded), to mask in logs. */
export function secretsOfUrl(url: string): string[] {
  try {
    const p = new URL(url).password;
    return p ? [...new Set([p, decodeURIComponent(p), JSON.stringify(decodeURIComponent(p)).slice(1, -1)])] : [];
  } catch {
    return [];
  }
}

/** Removes credentials from a URL, or from a message that may quote one (`scheme://user:pass@`). */
export function scrub(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@\s/]*@/gi, '$1***@');
}

/** An error as one line of text for a log: name and message, credentials removed, bounded. */
export function errText(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return scrub(s).slice(0, 300);
}

/** Milliseconds since `started` (a performance.now() reading), to two decimals, for a log line's `ms`. */
export const msSince = (started: number): number => Math.round((performance.now() - started) * 100) / 100;
