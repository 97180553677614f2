// Reads Kubernetes manifests from files and directories: multi-document YAML, JSON and
// `kind: List`. A problem names the file and the document so the user can fix it; kinds
// minilb does not read and duplicate objects are reported, never dropped silently.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Composer, Parser } from 'yaml';
import { objectKey, type ClusterObject } from '../index/cluster-objects.js';
import type { Rejection } from '../index/rejections.js';
import { trimObject } from './trim-object.js';

export class ManifestError extends Error {}

const manifestExtensions = /\.(ya?ml|json)$/i;

// A directory entry minilb reads: .yaml, .yml or .json, not hidden.
export function isManifestName(name: string): boolean {
  return manifestExtensions.test(name) && !name.startsWith('.');
}

// Expands directories (one level deep, sorted) into the manifest files they hold.
export async function manifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new ManifestError(`-manifests ${path}: ${fileErrorText(err)}`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter(isManifestName).sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}

export interface LocatedObject {
  object: ClusterObject;
  where: string; // "c.yaml document 3"
  document: number; // 3: with the file, says the same as `where` in one number
}

export interface ParsedManifest {
  objects: LocatedObject[]; // in file order; a duplicate is left to manifestWinners
  rejections: Rejection[]; // kinds minilb does not read
}

function itemsOf(doc: unknown): unknown[] {
  if (doc === null || doc === undefined) return [];
  const obj = doc as { kind?: unknown; items?: unknown };
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) return obj.items;
  return [doc];
}

// Kinds a cluster serves that have nothing minilb answers from. Anything else that minilb does
// not read is more likely a typo or a CRD: a warning, with a suggestion when one is close.
const unusedKinds = new Set([
  'Namespace', 'Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job',
  'CronJob', 'ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
  'PersistentVolume', 'PersistentVolumeClaim', 'StorageClass', 'NetworkPolicy', 'IngressClass', 'GatewayClass',
  'Endpoints', 'Lease', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'LimitRange', 'ResourceQuota',
  'PriorityClass', 'CustomResourceDefinition', 'ReferenceGrant', 'UDPRoute', 'TCPRoute', 'Event',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
]);
const readKinds = ['Service', 'EndpointSlice', 'Node', 'Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute'];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function ignoredKind(item: unknown, where: string): Rejection {
  const raw = item as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = String(raw.kind);
  const name = typeof raw.metadata?.name === 'string' ? raw.metadata.name : undefined;
  const namespace = typeof raw.metadata?.namespace === 'string' ? `${raw.metadata.namespace}/` : '';
  const object = name ? `${kind} ${namespace}${name}` : `${where}`;
  if (unusedKinds.has(kind)) {
    return { reason: 'unused-kind', object, message: `${object} (${where}): ignored, minilb reads no ${kind} objects` };
  }
  const close = readKinds.find((k) => editDistance(k.toLowerCase(), kind.toLowerCase()) <= 2);
  const hint = close ? `; did you mean ${close}?` : '; minilb reads only Service, EndpointSlice, Node, Ingress, Gateway, HTTPRoute, GRPCRoute and TLSRoute';
  return { reason: 'unknown-kind', object, message: `${object} (${where}): ignored, unknown kind "${kind}"${hint}` };
}

// Parses one file's text; `file` only names it in places. Documents are composed one at a
// time, so a large file never holds every document's syntax tree at once.
export function parseManifestFile(text: string, file: string): ParsedManifest {
  const objects: LocatedObject[] = [];
  const rejections: Rejection[] = [];
  const composer = new Composer();
  let number = 0;
  for (const doc of composer.compose(new Parser().parse(text), true, text.length)) {
    number++;
    const where = `${file} document ${number}`;
    if (doc.errors.length > 0) throw new ManifestError(`${where}: ${yamlErrorText(doc.errors[0]!, text)}`);
    for (const item of itemsOf(doc.toJS())) {
      let trimmed;
      try {
        trimmed = trimObject(item);
      } catch (err) {
        throw new ManifestError(`${where}: ${(err as Error).message}`);
      }
      if (trimmed) objects.push({ object: trimmed, where, document: number });
      else rejections.push(ignoredKind(item, where));
    }
  }
  return { objects, rejections };
}

// The objects a set of manifests amounts to: a later copy of the same kind/namespace/name (later
// in the file, or in a later file) replaces the earlier one, as `kubectl apply -f` in that order
// would leave the cluster. Every replaced copy is reported.
export function manifestWinners(located: Iterable<LocatedObject>): { objects: Map<string, LocatedObject>; rejections: Rejection[] } {
  const objects = new Map<string, LocatedObject>();
  const rejections: Rejection[] = [];
  for (const entry of located) {
    const key = objectKey(entry.object);
    const earlier = objects.get(key);
    if (earlier) {
      objects.delete(key); // re-inserted below, so the map keeps the order of the winners
      rejections.push(duplicateRejection(entry.object, earlier.where, entry.where));
    }
    objects.set(key, entry);
  }
  return { objects, rejections };
}

export function duplicateRejection(obj: ClusterObject, loser: string, winner: string): Rejection {
  const object = `${obj.kind} ${obj.meta.namespace ? `${obj.meta.namespace}/` : ''}${obj.meta.name}`;
  return {
    reason: 'duplicate',
    object,
    message: `${object} is defined twice: ${winner} replaces ${loser} (the later one wins, as kubectl apply would leave it); remove one`,
  };
}

// Parses one file's text into its objects (in order, duplicates included); `file` only names it in errors.
export function parseManifest(text: string, file: string): ClusterObject[] {
  return parseManifestFile(text, file).objects.map((o) => o.object);
}

// Every object the manifests amount to, with what was ignored or replaced on the way.
export async function readManifestsReport(paths: readonly string[]): Promise<{ objects: ClusterObject[]; rejections: Rejection[] }> {
  const located: LocatedObject[] = [];
  const rejections: Rejection[] = [];
  for (const file of await manifestFiles(paths)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ManifestError(`${file}: ${fileErrorText(err)}`);
    }
    const parsed = parseManifestFile(text, file);
    located.push(...parsed.objects);
    rejections.push(...parsed.rejections);
  }
  const winners = manifestWinners(located);
  return { objects: [...winners.objects.values()].map((o) => o.object), rejections: [...rejections, ...winners.rejections] };
}

export async function readManifests(paths: readonly string[]): Promise<ClusterObject[]> {
  return (await readManifestsReport(paths)).objects;
}

// "ENOENT (no such file or directory)": the code for scripts, the words for people.
function fileErrorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (!e.code) return String(err);
  const words = /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1];
  return words ? `${e.code} (${words})` : e.code;
}

// One line: yaml's message without the code frame after its colon, and where it is.
function yamlErrorText(error: { message: string; pos?: [number, number] }, text: string): string {
  const message = error.message.split('\n')[0]!.replace(/:\s*$/, '');
  if (/ at line \d+/.test(message) || !error.pos) return message;
  const before = text.slice(0, error.pos[0]);
  const line = before.split('\n').length;
  const column = error.pos[0] - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${column}`;
}
