import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedManifest } from '../../testing/generated-manifest.js';
import { ManifestParseClient } from './manifest-parse-client.js';

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('the parse worker hands a large file over without stalling answers', () => {
  it('delivers at most one batch of objects per turn of the event loop, even after the DNS thread was busy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minilb-parse-client-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'big.yaml');
    await writeFile(file, generatedManifest(4000, 0)); // 8,000 objects: dozens of batches
    const client = new ManifestParseClient(512);
    cleanups.push(() => client.close());

    let received = 0;
    const outcome = client.parse(file, false, (entries) => (received += entries.length));
    const worker = (client as unknown as { worker: Worker }).worker;
    let turn = 0;
    let running = true;
    const turns = () => {
      turn++;
      if (running) setImmediate(turns);
    };
    setImmediate(turns);
    const batchesPerTurn = new Map<number, number>();
    let busy = false;
    worker.on('message', (reply: { type: string }) => {
      if (reply.type !== 'entries') return;
      batchesPerTurn.set(turn, (batchesPerTurn.get(turn) ?? 0) + 1);
      if (busy) return;
      // A long answer burst or a GC pause on the DNS thread: the worker keeps going meanwhile.
      busy = true;
      const until = Date.now() + 300;
      while (Date.now() < until);
    });
    const result = await outcome;
    running = false;
    expect(result.kind).toBe('parsed');
    expect(received).toBe(8000);
    expect(batchesPerTurn.size).toBeGreaterThan(10);
    expect(Math.max(...batchesPerTurn.values())).toBe(1);
  });
});
