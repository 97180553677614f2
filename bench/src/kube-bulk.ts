// Writes many objects into the harness API server quickly: raw JSON over one keep-alive pool
// (minilb's own KubeClient on undici), a fixed number of requests in flight, status written
// through the status subresource as a controller would.
import { clusterAccess, type KubeClient } from 'minilb-server';
import type { Cluster } from '#e2e-harness';

const kube = await clusterAccess();

type Obj = Record<string, unknown> & { kind?: string; metadata?: { name?: string; namespace?: string } };

const COLLECTIONS: Record<string, string> = {
  Namespace: '/api/v1/namespaces',
  Service: '/api/v1/namespaces/{ns}/services',
  EndpointSlice: '/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices',
  Ingress: '/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses',
  Gateway: '/apis/gateway.networking.k8s.io/v1/namespaces/{ns}/gateways',
  HTTPRoute: '/apis/gateway.networking.k8s.io/v1/namespaces/{ns}/httproutes',
};

export function collectionPath(obj: Obj): string {
  const c = COLLECTIONS[obj.kind ?? ''];
  if (!c) throw new Error(`no collection path for kind ${obj.kind}`);
  return c.replace('{ns}', obj.metadata?.namespace ?? 'default');
}

export function objectPath(obj: Obj): string {
  return `${collectionPath(obj)}/${obj.metadata?.name}`;
}

export class BulkWriter {
  private constructor(private readonly client: KubeClient) {}

  static async create(cluster: Cluster): Promise<BulkWriter> {
    return new BulkWriter(await kube.KubeClient.create(cluster.kc));
  }

  get kube(): KubeClient {
    return this.client;
  }

  /** Creates one object (an existing one is left as is), then writes its status if it has one. */
  async createOne(obj: Obj): Promise<void> {
    const { status, ...body } = obj;
    try {
      await this.client.json(collectionPath(obj), { method: 'POST', body });
    } catch (e) {
      if (!(e instanceof kube.KubeApiError && e.status === 409)) throw e;
    }
    if (status !== undefined) {
      await this.client.json(`${objectPath(obj)}/status`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status } });
    }
  }

  /** Creates every object with `parallel` requests in flight; returns objects per second. */
  async createAll(objects: Iterable<Obj>, parallel = 24): Promise<{ count: number; seconds: number }> {
    const it = objects[Symbol.iterator]();
    let count = 0;
    const t0 = performance.now();
    const worker = async () => {
      for (;;) {
        const next = it.next();
        if (next.done) return;
        count++;
        await this.createOne(next.value);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { count, seconds: (performance.now() - t0) / 1000 };
  }

  async namespaces(names: string[]): Promise<void> {
    await this.createAll(
      names.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      8,
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
