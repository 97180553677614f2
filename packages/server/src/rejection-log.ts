// Every rejection the sources and the index currently hold, each logged once when it first
// appears (never per query or per reload), and counted by reason in minilb_rejected_objects.

import type { Rejection } from './index/rejections.js';
import type { Logger } from './log.js';
import { rejectedObjects } from './metrics.js';

export class RejectionLog {
  private readonly byScope = new Map<string, readonly Rejection[]>();

  constructor(private readonly log: Logger) {}

  // Replaces what one scope (a manifest file, an object, a duplicated key) reports now.
  replace(scope: string, rejections: readonly Rejection[]): void {
    const before = this.byScope.get(scope) ?? [];
    if (before.length === 0 && rejections.length === 0) return;
    const known = new Set(before.map((r) => r.message));
    for (const rejection of rejections) {
      if (known.has(rejection.message)) continue;
      const fields = { reason: rejection.reason, object: rejection.object };
      // A Deployment next to the Services is normal; a typo'd kind or a bad address is not.
      if (rejection.reason === 'unused-kind') this.log.info(fields, rejection.message);
      else this.log.warn(fields, rejection.message);
    }
    for (const rejection of before) rejectedObjects.dec({ reason: rejection.reason });
    for (const rejection of rejections) rejectedObjects.inc({ reason: rejection.reason });
    if (rejections.length > 0) this.byScope.set(scope, rejections);
    else this.byScope.delete(scope);
  }

  all(): Rejection[] {
    return [...this.byScope.values()].flat();
  }
}
