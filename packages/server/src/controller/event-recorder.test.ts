import { describe, expect, it } from 'vitest';
import { RecordIndex } from '../index/record-index.js';
import { service } from '../../testing/objects.fixture.js';
import { createLogger } from '../log.js';
import type { KubeClient } from '../sources/kubernetes/kube-client.js';
import { EventRecorder } from './event-recorder.js';

// Records what would be POSTed, answering after a tick, and how many requests were open at once.
function recordingClient() {
  const posted: { reason: string; name: string }[] = [];
  let open = 0;
  let maxOpen = 0;
  const client = {
    async json(_path: string, args: { body: { reason: string; involvedObject: { name: string } } }) {
      open++;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((r) => setTimeout(r, 1));
      posted.push({ reason: args.body.reason, name: args.body.involvedObject.name });
      open--;
      return {};
    },
  } as unknown as KubeClient;
  return { client, posted, maxOpen: () => maxOpen };
}

describe('Events about Services', () => {
  it('reports each finding once while it lasts, a few requests at a time', async () => {
    const index = new RecordIndex({ zone: 'minilb', lbClass: 'minilb' });
    const { client, posted, maxOpen } = recordingClient();
    const recorder = new EventRecorder(client, createLogger('silent'));
    const services = Array.from({ length: 50 }, (_, i) => service('shop', `web-${i}`, { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    for (const s of services) index.upsert(s);
    for (const s of services) recorder.checkService(s, index);
    for (const s of services) recorder.checkService(s, index); // a second pass adds nothing
    await new Promise((r) => setTimeout(r, 200));
    expect(posted.filter((p) => p.reason === 'PortMappingBypassed')).toHaveLength(50);
    expect(posted.filter((p) => p.reason === 'NoReadyEndpoints')).toHaveLength(50);
    expect(maxOpen()).toBeLessThanOrEqual(4);
  });
});
