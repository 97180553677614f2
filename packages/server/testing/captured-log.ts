// A pino logger whose lines the tests can read, to check that nothing was logged as an error.

import { pino } from 'pino';
import type { Logger } from '../src/log.js';

export interface CapturedLog {
  log: Logger;
  lines: Array<{ level: number; msg: string; [key: string]: unknown }>;
  errors(): Array<{ level: number; msg: string }>;
}

export function captureLog(level: 'debug' | 'info' | 'warn' = 'warn'): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as CapturedLog['lines'][number]) });
  return { log, lines, errors: () => lines.filter((line) => line.level >= 50) };
}
