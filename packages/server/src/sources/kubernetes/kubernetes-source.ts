// Feeds the record index from a live cluster: Services, EndpointSlices, Nodes, Ingresses and
// whichever Gateway API kinds and versions the cluster serves (checked again periodically,
// so a CRD installed later is picked up without a restart).

import type { ClusterObject, ObjectKind } from '../../index/cluster-objects.js';
import type { RecordIndex } from '../../index/record-index.js';
import { trimObject } from '../trim-object.js';
import type { Logger } from '../../log.js';
import { reportLastEventTimes, watchRestarts } from '../../metrics.js';
import type { KubeClient } from './kube-client.js';
import { discoverGatewayApiPaths, gatewayResources } from './gateway-api-discovery.js';
import { Reflector } from './reflector.js';

type Raw = Record<string, unknown>;

export const coreResources: { kind: ObjectKind; path: string }[] = [
  { kind: 'Service', path: '/api/v1/services' },
  { kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  { kind: 'Node', path: '/api/v1/nodes' },
  { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
];

export interface KubernetesSourceOptions {
  client: KubeClient;
  index: RecordIndex;
  log: Logger;
  idleTimeoutMs?: number;
  discoveryIntervalMs?: number;
  backoffMaxMs?: number;
}

export class KubernetesSource {
  readonly name = 'kubernetes';
  private readonly reflectors = new Map<ObjectKind, { reflector: Reflector<ClusterObject>; path: string }>();
  private discoveryTimer: NodeJS.Timeout | undefined;
  private discovered = false;
  private stopped = false;

  constructor(private readonly options: KubernetesSourceOptions) {
    reportLastEventTimes(
      () => new Map([...this.reflectors].filter(([, r]) => r.reflector.lastEventAt > 0).map(([kind, r]) => [kind, r.reflector.lastEventAt])),
    );
  }

  // True once every started watch has listed once and Gateway API discovery has run once.
  get synced(): boolean {
    return this.discovered && [...this.reflectors.values()].every(({ reflector }) => reflector.synced);
  }

  async start(): Promise<void> {
    for (const { kind, path } of coreResources) this.startReflector(kind, path);
    await this.discoverGatewayApi();
    this.scheduleDiscovery();
  }

  async waitForSync(): Promise<void> {
    while (!this.synced && !this.stopped) {
      await Promise.all([...this.reflectors.values()].map(({ reflector }) => reflector.waitForSync()));
      if (!this.discovered) await new Promise((r) => setTimeout(r, 100));
    }
  }

  private startReflector(kind: ObjectKind, path: string): void {
    const { index, log } = this.options;
    const trim = (raw: Raw) => {
      try {
        return trimObject(raw);
      } catch (err) {
        log.warn({ kind, err: (err as Error).message }, 'skipped a malformed object');
        return undefined;
      }
    };
    const identity = (raw: Raw) => {
      const md = (raw.metadata ?? {}) as { namespace?: string; name?: string };
      return { namespace: kind === 'Node' ? '' : (md.namespace ?? ''), name: md.name ?? '' };
    };
    const reflector = new Reflector({
      client: this.options.client,
      kind,
      path,
      log,
      idleTimeoutMs: this.options.idleTimeoutMs,
      backoffMaxMs: this.options.backoffMaxMs,
      onRestart: (reason) => watchRestarts.inc({ kind, reason }),
      convert: trim,
      handlers: {
        replace: (objects) => index.replaceKind(kind, objects),
        upsert: (obj) => index.upsert(obj),
        remove: (item) => {
          const { namespace, name } = identity(item);
          index.remove(kind, namespace, name);
        },
      },
    });
    this.reflectors.set(kind, { reflector, path });
    reflector.start();
  }

  private async stopReflector(kind: ObjectKind): Promise<void> {
    const entry = this.reflectors.get(kind);
    if (!entry) return;
    this.reflectors.delete(kind);
    await entry.reflector.stop();
  }

  // Starts, moves or stops the Gateway API watches to match what the cluster serves now.
  private async discoverGatewayApi(): Promise<void> {
    const { log, index } = this.options;
    try {
      const paths = await discoverGatewayApiPaths(this.options.client);
      for (const { kind } of gatewayResources) {
        const path = paths.get(kind);
        const current = this.reflectors.get(kind);
        if (current?.path === path) continue;
        if (current) await this.stopReflector(kind);
        if (path && !this.stopped) {
          log.info({ kind, path }, 'watching Gateway API kind');
          this.startReflector(kind, path);
        } else if (current) {
          log.info({ kind }, 'Gateway API kind no longer served');
          index.replaceKind(kind, []);
        }
      }
      this.discovered = true;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'Gateway API discovery failed; retrying');
    }
  }

  private scheduleDiscovery(): void {
    if (this.stopped) return;
    this.discoveryTimer = setTimeout(() => {
      void this.discoverGatewayApi().finally(() => this.scheduleDiscovery());
    }, this.options.discoveryIntervalMs ?? 30_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.discoveryTimer);
    await Promise.all([...this.reflectors.keys()].map((kind) => this.stopReflector(kind)));
  }
}
