// Leader election on a coordination.k8s.io/v1 Lease with client-go's algorithm: a replica
// takes the lease when its holder has not renewed it within leaseDuration (measured on our
// own clock from when we last saw it change), renews every retryPeriod, and steps down when
// it cannot renew within renewDeadline.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { KubeApiError, type KubeClient } from '../sources/kubernetes/kube-client.js';
import { microTime } from './micro-time.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

export class LeaderElector {
  readonly identity: string;
  private leading = false;
  private observedRecord = '';
  private observedAt = 0;
  // The Lease as our last write returned it: a leader renews from it without reading first.
  private ownLease: Lease | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get leaseMs(): number {
    return this.options.leaseDurationMs ?? 15_000;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`;
  }

  start(): void {
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    const retry = this.options.retryPeriodMs ?? 2_000;
    const deadline = this.options.renewDeadlineMs ?? 10_000;
    let lastRenew = 0;
    while (!this.abort.signal.aborted) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.options.log.warn({ lease: `${this.options.namespace}/${this.options.name}`, err: (err as Error).message }, 'lease update failed');
      }
      if (ok) {
        lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.options.log.info({ identity: this.identity }, 'became leader');
          this.options.onStartedLeading();
        }
      } else if (this.leading && Date.now() - lastRenew >= deadline) {
        this.stepDown('could not renew the lease within the renew deadline');
      }
      await sleep(retry * (this.leading ? 1 : 1 + Math.random() * 0.2), undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private stepDown(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.options.log.warn({ identity: this.identity, reason }, 'stopped leading');
    this.options.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    if (this.leading && this.ownLease) {
      // client-go's fast path: the leader writes over the version it last wrote (one request per
      // renewal instead of a GET and a PUT); a 409 means someone else wrote, so read it next.
      const renewed = await this.renewOwnLease(this.ownLease);
      if (renewed) return true;
    }
    const { client, name, namespace } = this.options;
    const now = new Date();
    let lease: Lease | undefined;
    try {
      lease = await client.json<Lease>(`${this.path}/${name}`, { timeoutMs: 5_000 });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      this.ownLease = await client.json<Lease>(this.path, {
        method: 'POST',
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec },
        timeoutMs: 5_000,
      });
      this.observe(spec);
      return true;
    }
    const current = lease.spec ?? {};
    const record = JSON.stringify(current);
    if (record !== this.observedRecord) this.observe(current);
    const holder = current.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== this.identity;
    const durationMs = (current.leaseDurationSeconds ?? Math.ceil(this.leaseMs / 1000)) * 1000;
    if (heldByOther && this.observedAt + durationMs > Date.now()) return false;
    if (holder === this.identity) {
      spec.acquireTime = current.acquireTime ?? spec.acquireTime;
      spec.leaseTransitions = current.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (current.leaseTransitions ?? 0) + (holder === '' ? 0 : 1);
    }
    return this.writeLease(lease, spec);
  }

  private async renewOwnLease(lease: Lease): Promise<boolean> {
    return this.writeLease(lease, { ...lease.spec, holderIdentity: this.identity, renewTime: microTime() });
  }

  // A PUT with the resourceVersion we read: if another replica wrote first, we get 409 (false).
  private async writeLease(lease: Lease, spec: LeaseSpec): Promise<boolean> {
    try {
      this.ownLease = await this.options.client.json<Lease>(`${this.path}/${this.options.name}`, {
        method: 'PUT',
        body: { ...lease, spec },
        timeoutMs: 5_000,
      });
    } catch (err) {
      this.ownLease = undefined;
      if (err instanceof KubeApiError && err.status === 409) return false;
      throw err;
    }
    this.observe(spec);
    return true;
  }

  private observe(spec: LeaseSpec): void {
    this.observedRecord = JSON.stringify(spec);
    this.observedAt = Date.now();
  }

  // Stops competing; a leader hands the lease back so another replica takes over at once.
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    if (!this.leading) return;
    this.stepDown('shutting down');
    try {
      const lease = await this.options.client.json<Lease>(`${this.path}/${this.options.name}`, { timeoutMs: 2_000 });
      if (lease.spec?.holderIdentity === this.identity) {
        const released = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() } };
        await this.options.client.json(`${this.path}/${this.options.name}`, { method: 'PUT', body: released, timeoutMs: 2_000 });
      }
    } catch (err) {
      this.options.log.warn({ err: (err as Error).message }, 'could not release the lease; another replica takes over after it expires');
    }
  }
}
