// The manifest parse worker: reads, parses, trims and fingerprints one file per request, off
// the thread that answers DNS (a 50 MB manifest takes seconds to parse). It remembers each
// file's fingerprints, so an unchanged object crosses back as its key alone.

import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { objectKey } from '../index/cluster-objects.js';
import { entriesPerMessage, fileSignature, type ParsedEntry, type ParseReply, type ParseRequest } from './manifest-parse-protocol.js';
import { manifestWinners, parseManifestFile } from './manifest-files.js';

const sentBefore = new Map<string, Map<string, string>>(); // file -> object key -> fingerprint

// Everything one parse answers, in order: batches of entries, then "parsed" (or one "unsettled").
async function parse(id: number, file: string): Promise<ParseReply[]> {
  let text: string;
  let signature: string;
  const handle = await open(file, 'r');
  try {
    const before = await handle.stat();
    text = await handle.readFile('utf8');
    signature = fileSignature(await handle.stat());
    if (signature !== fileSignature(before)) return [{ type: 'unsettled', id }];
  } finally {
    await handle.close();
  }
  const parsed = parseManifestFile(text, file);
  const winners = manifestWinners(parsed.objects);
  const previous = sentBefore.get(file);
  const fingerprints = new Map<string, string>();
  const replies: ParseReply[] = [];
  let batch: ParsedEntry[] = [];
  for (const { object, document } of winners.objects.values()) {
    const key = objectKey(object);
    const fingerprint = createHash('sha1').update(JSON.stringify(object)).digest('base64');
    fingerprints.set(key, fingerprint);
    batch.push([key, document, fingerprint, previous?.get(key) === fingerprint ? null : object]);
    if (batch.length >= entriesPerMessage) {
      replies.push({ type: 'entries', id, entries: JSON.stringify(batch) });
      batch = [];
    }
  }
  if (batch.length > 0) replies.push({ type: 'entries', id, entries: JSON.stringify(batch) });
  sentBefore.set(file, fingerprints);
  replies.push({ type: 'parsed', id, signature, rejections: [...parsed.rejections, ...winners.rejections] });
  return replies;
}

// The replies of the parse being handed over: one now, each next one when the DNS thread asks.
interface Outbox {
  id: number;
  replies: ParseReply[];
  done: () => void;
}
let outbox: Outbox | undefined;

function sendNext(port: MessagePort): void {
  const box = outbox;
  if (!box) return;
  port.postMessage(box.replies.shift());
  if (box.replies.length > 0) return;
  outbox = undefined;
  box.done();
}

// On Linux a thread has its own nice value. Once DNS is serving, the parser runs at nice 10, so
// on a core it shares with the DNS thread (a pinned or CPU-limited container) it gets about a
// tenth of the time the DNS thread wants and all the time it does not; the start-up parse, with
// no answers to protect yet, keeps full priority.
let niced = false;
function yieldCpuToAnswers(): void {
  if (niced) return;
  niced = true;
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 10);
  } catch {
    // Not Linux, or not allowed: the parser then runs at the DNS thread's priority.
  }
}

const port = parentPort;
if (port) {
  // Requests are handled in order: the source sends the next one only after "parsed".
  let queue = Promise.resolve();
  port.on('message', (request: ParseRequest) => {
    if (request.type === 'forget') {
      sentBefore.delete(request.file);
      return;
    }
    if (request.type === 'more') {
      if (outbox?.id === request.id) sendNext(port);
      return;
    }
    // A new request means the source gave up on the previous one (it restarted its view).
    outbox?.done();
    outbox = undefined;
    if (request.background) yieldCpuToAnswers();
    queue = queue.then(async () => {
      // On failure the fingerprints of the last good parse stay: the source keeps its objects too.
      const replies = await parse(request.id, request.file).catch((err: NodeJS.ErrnoException): ParseReply[] => [
        { type: 'failed', id: request.id, error: err.code ? `${request.file}: ${err.code}` : err.message },
      ]);
      await new Promise<void>((done) => {
        outbox = { id: request.id, replies, done };
        sendNext(port);
      });
    });
  });
}
