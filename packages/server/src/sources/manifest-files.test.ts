import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, readManifests } from './manifest-files.js';

describe('manifest files', () => {
  it('reads multi-document YAML, kind: List and JSON, and ignores kinds minilb does not use', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minilb-read-'));
    await writeFile(join(dir, 'a.yaml'), 'kind: ConfigMap\nmetadata: {name: c}\n---\nkind: List\nitems:\n  - {kind: Node, metadata: {name: n1}, spec: {podCIDRs: [10.244.0.0/24]}}\n  - {kind: Service, metadata: {name: s, namespace: x}}\n');
    await writeFile(join(dir, 'b.json'), JSON.stringify({ kind: 'Ingress', metadata: { name: 'i', namespace: 'x' }, spec: { rules: [{ host: 'a.sko.ai' }] } }));
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    const objects = await readManifests([dir]);
    await rm(dir, { recursive: true, force: true });
    expect(objects.map((o) => `${o.kind}/${o.meta.namespace}/${o.meta.name}`)).toEqual(['Node//n1', 'Service/x/s', 'Ingress/x/i']);
  });

  it('names the file and document of a YAML syntax error or a malformed object', () => {
    expect(() => parseManifest('kind: Node\nmetadata: {name: a}\n---\nkind: [oops\n', 'c.yaml')).toThrow(/^c\.yaml document 2: /);
    expect(() => parseManifest('kind: Service\nmetadata: {}\n', 'd.yaml')).toThrow('d.yaml document 1: Service has no metadata.name');
  });

  it('names a missing path', async () => {
    await expect(readManifests(['/nonexistent/minilb.yaml'])).rejects.toThrow('-manifests /nonexistent/minilb.yaml: ENOENT');
  });
});
