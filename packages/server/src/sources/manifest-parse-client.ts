// The DNS thread's side of the manifest parse worker: one file parsed at a time, the worker
// restarted when it dies (a file too large for its heap), and every outcome a value, never a throw.

import { Worker } from 'node:worker_threads';
import type { Rejection } from '../index/rejections.js';
import type { ParsedEntry, ParseReply, ParseRequest } from './manifest-parse-protocol.js';

export type ParseOutcome =
  | { kind: 'parsed'; signature: string; rejections: Rejection[] }
  | { kind: 'unsettled' }
  | { kind: 'failed'; error: string };

// Beside this module once built (dist/ and the bundle, where chunks are .mjs); under vitest,
// which runs the TypeScript source, the built copy (npm test builds first).
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/sources/manifest-parse-worker.js', here);
  return new URL(here.endsWith('.mjs') ? './manifest-parse-worker.mjs' : './manifest-parse-worker.js', here);
}

interface Pending {
  id: number;
  file: string;
  onEntries: (entries: ParsedEntry[]) => void;
  resolve: (outcome: ParseOutcome) => void;
}

export class ManifestParseClient {
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly heapMb: number) {}

  // One call at a time (the manifest source awaits each before the next). The file's objects go
  // to `onEntries` a batch at a time as they arrive, so none waits in a long list on this thread.
  parse(file: string, background: boolean, onEntries: (entries: ParsedEntry[]) => void): Promise<ParseOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'failed', error: 'the manifest source is stopping' });
    const worker = this.start();
    return new Promise((resolve) => {
      this.pending = { id: this.nextId++, file, onEntries, resolve };
      worker.postMessage({ type: 'parse', id: this.pending.id, file, background } satisfies ParseRequest);
    });
  }

  forget(file: string): void {
    this.worker?.postMessage({ type: 'forget', file } satisfies ParseRequest);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.settle({ kind: 'failed', error: 'the manifest source is stopping' });
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: this.heapMb } });
    worker.unref(); // the DNS and HTTP sockets keep the process alive, not the parser
    worker.on('message', (reply: ParseReply) => this.receive(reply));
    worker.on('error', (err: Error & { code?: string }) => {
      const file = this.pending?.file ?? 'a manifest';
      const error =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `${file}: too large to parse within the parser's ${this.heapMb} MiB heap; split it into several files`
          : `${file}: the manifest parser failed: ${err.message}`;
      if (this.worker === worker) this.worker = undefined;
      this.settle({ kind: 'failed', error });
    });
    worker.on('exit', () => {
      // A new worker knows no fingerprints, so it sends every object again; the source compares.
      if (this.worker === worker) this.worker = undefined;
      this.settle({ kind: 'failed', error: `${this.pending?.file ?? 'a manifest'}: the manifest parser stopped` });
    });
    this.worker = worker;
    return worker;
  }

  private receive(reply: ParseReply): void {
    const pending = this.pending;
    if (!pending || pending.id !== reply.id) return;
    if (reply.type === 'entries') {
      pending.onEntries(JSON.parse(reply.entries) as ParsedEntry[]);
      // The next batch only after answers have had their turn (see manifest-parse-protocol.ts).
      const worker = this.worker;
      setImmediate(() => {
        if (this.pending === pending && this.worker === worker) worker?.postMessage({ type: 'more', id: pending.id } satisfies ParseRequest);
      });
      return;
    }
    if (reply.type === 'parsed') this.settle({ kind: 'parsed', signature: reply.signature, rejections: reply.rejections });
    else if (reply.type === 'unsettled') this.settle({ kind: 'unsettled' });
    else this.settle({ kind: 'failed', error: reply.error });
  }

  private settle(outcome: ParseOutcome): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(outcome);
  }
}
