// Structured JSON logs (pino: fast, stable, the usual choice for JSON lines on Node).

import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/log-levels.js';

export type { Logger, LogLevel };

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { app: 'minilb' }, timestamp: pino.stdTimeFunctions.isoTime });
}
