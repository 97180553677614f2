// Kubernetes Events on minilb Services for what a user can fix: a hostname conflict it lost,
// port different from targetPort (minilb clients bypass that mapping), no ready endpoints.
// Each condition is reported once while it lasts, and again if it comes back.

import type { TrimmedService } from '../index/cluster-objects.js';
import { claimOwner } from '../index/claims.js';
import type { RecordIndex } from '../index/record-index.js';
import { serviceProblems } from '../index/service-problems.js';
import type { Logger } from '../log.js';
import type { KubeClient } from '../sources/kubernetes/kube-client.js';
import { microTime } from './micro-time.js';

interface Finding {
  reason: string;
  message: string;
}

export function serviceFindings(service: TrimmedService, index: RecordIndex): Finding[] {
  // A terminating fallback is a passing state of every rollout: explain shows it, no Event.
  const findings: Finding[] = serviceProblems(service, index.endpointsOf(service.meta.namespace, service.meta.name)).filter(
    (p) => p.reason !== 'TerminatingFallback',
  );
  for (const claim of index.claimsFor(service.meta.namespace, service.meta.name)) {
    const rivals = index.rivalsOf(claim);
    if (rivals.indexOf(claim) > 0) {
      const winner = claimOwner(rivals[0]!);
      findings.push({
        reason: 'HostnameConflict',
        message: `hostname ${claim.name} is answered for ${winner.kind} ${winner.namespace}/${winner.name}, which takes precedence`,
      });
    }
  }
  return findings;
}

// Events are written a few at a time from a bounded queue: 10,000 Services with a finding must
// not become 10,000 concurrent requests (and 100 MiB of heap) at start-up.
const eventsInFlight = 4;
const maxQueuedEvents = 1000;

export class EventRecorder {
  private readonly reported = new Map<string, Set<string>>();
  private readonly queue: { service: TrimmedService; finding: Finding }[] = [];
  private inFlight = 0;
  private dropped = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
  ) {}

  checkService(service: TrimmedService, index: RecordIndex): void {
    const key = `${service.meta.namespace}/${service.meta.name}`;
    const findings = serviceFindings(service, index);
    // The usual case, on every index change for every Service: nothing to report, nothing was.
    if (findings.length === 0 && !this.reported.has(key)) return;
    const current = new Set(findings.map((f) => `${f.reason}:${f.message}`));
    const before = this.reported.get(key) ?? new Set<string>();
    for (const finding of findings) {
      if (!before.has(`${finding.reason}:${finding.message}`)) this.enqueue(service, finding);
    }
    if (current.size > 0) this.reported.set(key, current);
    else this.reported.delete(key);
  }

  private enqueue(service: TrimmedService, finding: Finding): void {
    if (this.queue.length >= maxQueuedEvents) {
      // Events are hints: past the cap they are counted and said once per burst, not kept.
      if (this.dropped++ === 0) this.log.warn({ queued: this.queue.length }, 'too many Events queued; dropping the rest of this burst');
      return;
    }
    this.queue.push({ service, finding });
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < eventsInFlight && this.queue.length > 0) {
      const { service, finding } = this.queue.shift()!;
      this.inFlight++;
      void this.emit(service, finding).finally(() => {
        this.inFlight--;
        if (this.queue.length === 0) this.dropped = 0;
        this.pump();
      });
    }
  }

  private async emit(service: TrimmedService, finding: Finding): Promise<void> {
    const { namespace, name } = service.meta;
    const now = microTime();
    try {
      await this.client.json(`/api/v1/namespaces/${namespace}/events`, {
        method: 'POST',
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: 'v1', kind: 'Service', namespace, name, uid: service.uid || undefined },
          reason: finding.reason,
          message: finding.message,
          type: 'Warning',
          source: { component: 'minilb' },
          reportingComponent: 'minilb',
          firstTimestamp: now.replace(/\.\d+Z$/, 'Z'),
          lastTimestamp: now.replace(/\.\d+Z$/, 'Z'),
          count: 1,
        },
      });
    } catch (err) {
      this.log.warn({ service: `${namespace}/${name}`, reason: finding.reason, err: (err as Error).message }, 'could not record Event');
    }
  }
}
