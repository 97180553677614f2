// Messages between the manifest source and its parse worker. One request at a time; the
// answer comes as batches of entries, then one "done", so no single message costs the DNS
// thread more than a fraction of a millisecond to receive.

import type { ClusterObject } from '../index/cluster-objects.js';
import type { Rejection } from '../index/rejections.js';

export type ParseRequest =
  // background: DNS is serving, so the parse must not compete with answers for CPU.
  | { type: 'parse'; id: number; file: string; background: boolean }
  // The source no longer tracks this file (it was deleted, or its result was thrown away).
  | { type: 'forget'; file: string };

// [object key, where, fingerprint, object]; the object is left out when its fingerprint is the
// one the worker sent last time for this file.
export type ParsedEntry = [key: string, where: string, fingerprint: string, object: ClusterObject | undefined];

export type ParseReply =
  | { type: 'entries'; id: number; entries: ParsedEntry[] }
  | { type: 'parsed'; id: number; signature: string; rejections: Rejection[] }
  // The file changed while it was read: try again once it has settled.
  | { type: 'unsettled'; id: number }
  | { type: 'failed'; id: number; error: string };

export const entriesPerMessage = 500;

// What identifies one version of a file on disk: a rename, a write or a truncation changes it.
export function fileSignature(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}
