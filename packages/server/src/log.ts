// Structured JSON logs (pino: fast, stable, the usual choice for JSON lines on Node).

import { pino, type Logger } from 'pino';

export type { Logger };

export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { app: 'minilb' }, timestamp: pino.stdTimeFunctions.isoTime });
}
