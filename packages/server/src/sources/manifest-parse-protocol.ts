// Messages between the manifest source and its parse worker. One request at a time; the
// answer comes as batches of entries, then one "parsed". The DNS thread pulls each batch after
// the previous one ("more", sent a turn of the event loop later): Node delivers every message
// already queued on a port in one go, so batches pushed all at once would be deserialised
// back to back (100+ ms for a 20 MB file) with no answer in between.

import type { ClusterObject } from '../index/cluster-objects.js';
import type { Rejection } from '../index/rejections.js';

export type ParseRequest =
  // background: DNS is serving, so the parse must not compete with answers for CPU.
  | { type: 'parse'; id: number; file: string; background: boolean }
  // The source no longer tracks this file (it was deleted, or its result was thrown away).
  | { type: 'forget'; file: string }
  // The DNS thread has taken in the last batch of request `id`: send the next one.
  | { type: 'more'; id: number };

// [object key, document number in the file, fingerprint, object]; the object is null when its
// fingerprint is the one the worker sent last time for this file.
export type ParsedEntry = [key: string, document: number, fingerprint: string, object: ClusterObject | null];

export type ParseReply =
  // A batch as JSON text: a structured clone gives the DNS thread objects of twice the size
  // (950-1030 bytes per trimmed object against 480-615 from JSON.parse, Node 20 and 22), and
  // what the DNS thread keeps from a reload is what its garbage collector copies while answers
  // wait. A trimmed object holds nothing JSON cannot carry; an undefined field is left out.
  | { type: 'entries'; id: number; entries: string }
  | { type: 'parsed'; id: number; signature: string; rejections: Rejection[] }
  // The file changed while it was read: try again once it has settled.
  | { type: 'unsettled'; id: number }
  | { type: 'failed'; id: number; error: string };

// Small enough that taking in one batch (JSON.parse, shared strings) costs the DNS thread a
// quarter of a millisecond: an answer that arrives meanwhile waits no longer than that.
export const entriesPerMessage = 50;

// What identifies one version of a file on disk: a rename, a write or a truncation changes it.
export function fileSignature(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}
