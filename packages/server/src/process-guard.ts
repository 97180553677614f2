// Keeps one bug from taking DNS down: once minilb serves, an uncaught exception or unhandled
// rejection is logged and counted and the process keeps answering; before that (start-up) it
// still exits, since nothing is being served yet and a restart is the honest answer.

import type { Logger } from './log.js';
import { uncaughtErrors } from './metrics.js';

export function containUncaughtErrors(log: Logger): void {
  const contain = (kind: 'exception' | 'rejection') => (err: unknown) => {
    uncaughtErrors.labels(kind).inc();
    log.error({ err }, `uncaught ${kind} contained; minilb keeps serving (this is a bug, please report it)`);
  };
  process.on('uncaughtException', contain('exception'));
  process.on('unhandledRejection', contain('rejection'));
}
