// Reads Kubernetes manifests from files and directories: multi-document YAML, JSON and
// `kind: List`. A problem names the file and the document so the user can fix it.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ClusterObject } from '../index/cluster-objects.js';
import { trimObject } from './trim-object.js';

export class ManifestError extends Error {}

const manifestExtensions = /\.(ya?ml|json)$/i;

// Expands directories (one level deep, sorted) into the manifest files they hold.
export async function manifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new ManifestError(`-manifests ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => manifestExtensions.test(n) && !n.startsWith('.')).sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}

function itemsOf(doc: unknown): unknown[] {
  if (doc === null || doc === undefined) return [];
  const obj = doc as { kind?: unknown; items?: unknown };
  if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) return obj.items;
  return [doc];
}

// Parses one file's text; `file` only names it in errors.
export function parseManifest(text: string, file: string): ClusterObject[] {
  const objects: ClusterObject[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = `${file} document ${i + 1}`;
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      throw new ManifestError(`${where}: ${first.message.split('\n')[0]}`);
    }
    for (const item of itemsOf(doc.toJS())) {
      try {
        const trimmed = trimObject(item);
        if (trimmed) objects.push(trimmed);
      } catch (err) {
        throw new ManifestError(`${where}: ${(err as Error).message}`);
      }
    }
  });
  return objects;
}

export async function readManifests(paths: readonly string[]): Promise<ClusterObject[]> {
  const objects: ClusterObject[] = [];
  for (const file of await manifestFiles(paths)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ManifestError(`${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    objects.push(...parseManifest(text, file));
  }
  return objects;
}
