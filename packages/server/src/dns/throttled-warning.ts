// A warning that repeats per packet (a dead upstream, a full send queue) is logged at most once
// per interval with the count since, so the log shows the trouble without drowning in it.

import type { Logger } from '../log.js';

export type ThrottledWarning = (details: Record<string, unknown>) => void;

export function throttledWarning(log: Logger, message: string, intervalMs = 30_000): ThrottledWarning {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (details) => {
    const now = Date.now();
    if (now - lastAt < intervalMs) {
      suppressed++;
      return;
    }
    log.warn({ ...details, suppressedSinceLast: suppressed }, message);
    lastAt = now;
    suppressed = 0;
  };
}
