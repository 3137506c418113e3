import { pino } from 'pino';

/** The server's structured logger (pino, JSON lines on stdout). */
export type Logger = pino.Logger;

/** Creates the logger at the configured level. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined });
}
