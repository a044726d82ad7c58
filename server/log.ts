// Structured JSON logs (pino). Every line carries the gateway id; tokens are never passed to a
// logger, and the redaction below is a second guard for fields that could hold secrets.
import { pino, type Logger } from 'pino';

export function createLogger(gateway: string, level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({
    level,
    base: { gw: gateway },
    redact: { paths: ['token', '*.token', 'password', '*.password', 'url', '*.url', 'redisUrl'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination as pino.DestinationStream | undefined);
}

/** Removes credentials from a Redis URL or an error message that may quote one. */
export function scrub(text: string): string {
  return text.replace(/(rediss?:\/\/)[^@\s/]*@/gi, '$1***@');
}
