// Keeps status.loadBalancer.ingress of every minilb Service at exactly
// [{hostname: <service>.<namespace>.<domain>}] (merge patch on the status subresource, only when
// it differs), takes the hostname back when a Service stops being eligible, and raises Events a
// user can act on. Runs on the leader only.

import type { StatusTarget, TrimmedService } from '../index/cluster-objects.js';
import { serviceHostname } from '../index/hostnames.js';
import type { RecordIndex } from '../index/record-index.js';
import type { Logger } from '../log.js';
import { statusWrites } from '../metrics.js';
import type { KubeClient } from '../sources/kubernetes/kube-client.js';
import { EventRecorder } from './event-recorder.js';

export interface ServiceStatusOptions {
  client: KubeClient;
  index: RecordIndex;
  domain: string;
  log: Logger;
  debounceMs?: number;
  maxBackoffMs?: number;
  // -resync: a pass over every Service from the local cache (client-go's resync), with no API
  // call; it retries what an index change did not bring back (a dropped Event, a lost write).
  resyncMs?: number;
}

// Compared field by field: this runs for every Service on every index change.
function sameTargets(a: StatusTarget[], b: StatusTarget[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as { ip?: string; hostname?: string };
    const y = b[i] as { ip?: string; hostname?: string };
    if (x.ip !== y.ip || x.hostname !== y.hostname) return false;
  }
  return true;
}

// Services checked between two turns of the event loop. A pass over 10,000 Services took about
// 50 ms at once, and DNS answers and watch events waited for it.
const SERVICES_PER_TURN = 256;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ServiceStatusController {
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;
  private rerun = false;
  // What we last wrote per Service, so a write is not repeated before the watch shows it.
  private readonly written = new Map<string, { desired: string; at: number }>();
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();
  readonly events: EventRecorder;

  constructor(private readonly options: ServiceStatusOptions) {
    this.events = new EventRecorder(options.client, options.log);
    options.index.onChange(() => this.schedule());
  }

  start(): void {
    this.active = true;
    this.schedule();
    const resync = this.options.resyncMs ?? 0;
    if (resync > 0 && !this.resyncTimer) this.resyncTimer = setInterval(() => this.schedule(), resync);
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  private schedule(delayMs = this.options.debounceMs ?? 100): void {
    if (!this.active) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reconcile(), delayMs);
  }

  hostnameOf(service: TrimmedService): string {
    return serviceHostname(service.meta.namespace, service.meta.name, this.options.domain);
  }

  private desiredStatus(service: TrimmedService): StatusTarget[] | undefined {
    const own = this.hostnameOf(service);
    if (this.options.index.isEligible(service)) return [{ hostname: own }];
    // No longer ours: take back only the entry minilb wrote, leave other controllers' entries.
    const mine = service.statusIngress.some((t) => 'hostname' in t && t.hostname === own);
    return mine ? service.statusIngress.filter((t) => !('hostname' in t && t.hostname === own)) : undefined;
  }

  private async reconcile(): Promise<void> {
    if (!this.active) return;
    this.running = true;
    let nextRetry = Infinity;
    try {
      const now = Date.now();
      const writes: Promise<void>[] = [];
      let checked = 0;
      for (const service of this.options.index.list('Service')) {
        if (++checked % SERVICES_PER_TURN === 0) {
          await nextTurn();
          if (!this.active) break;
        }
        const key = `${service.meta.namespace}/${service.meta.name}`;
        const desired = this.desiredStatus(service);
        if (this.options.index.isEligible(service)) this.events.checkService(service, this.options.index);
        if (!desired || sameTargets(desired, service.statusIngress)) {
          this.written.delete(key);
          this.failures.delete(key);
          continue;
        }
        const desiredText = JSON.stringify(desired);
        const last = this.written.get(key);
        if (last && last.desired === desiredText && now - last.at < 10_000) continue;
        const failure = this.failures.get(key);
        if (failure && failure.retryAt > now) {
          nextRetry = Math.min(nextRetry, failure.retryAt);
          continue;
        }
        writes.push(this.write(service, key, desired, desiredText));
        if (writes.length >= 8) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      // A Service deleted while the pass yielded (or while its write failed) needs no retry.
      for (const key of this.failures.keys()) {
        const [namespace = '', name = ''] = key.split('/');
        if (!this.options.index.get('Service', namespace, name)) this.failures.delete(key);
      }
      for (const failure of this.failures.values()) nextRetry = Math.min(nextRetry, failure.retryAt);
    } finally {
      this.running = false;
    }
    if (this.rerun) {
      this.rerun = false;
      this.schedule();
    } else if (nextRetry !== Infinity) {
      this.schedule(Math.max(0, nextRetry - Date.now()));
    }
  }

  private async write(service: TrimmedService, key: string, desired: StatusTarget[], desiredText: string): Promise<void> {
    const { client, log } = this.options;
    const path = `/api/v1/namespaces/${service.meta.namespace}/services/${service.meta.name}/status`;
    try {
      await client.json(path, {
        method: 'PATCH',
        query: { fieldManager: 'minilb' },
        contentType: 'application/merge-patch+json',
        body: { status: { loadBalancer: { ingress: desired } } },
      });
      this.written.set(key, { desired: desiredText, at: Date.now() });
      this.failures.delete(key);
      statusWrites.inc({ result: 'ok' });
      log.info({ service: key, ingress: desired }, 'wrote Service status');
    } catch (err) {
      const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
      const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 250 * 2 ** attempts);
      this.failures.set(key, { attempts, retryAt: Date.now() + delay });
      statusWrites.inc({ result: 'error' });
      log.warn({ service: key, err: (err as Error).message, retryInMs: delay }, 'Service status write failed');
    }
  }
}
