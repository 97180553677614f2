import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseServerFlags } from './server-flags.js';

// The deploy examples must give ns.<zone> an address in every mode: resolvers that prime the NS
// set (Unbound stub-prime, BIND stub zones) fail every lookup when it has none.
const deploy = fileURLToPath(new URL('../../../../examples/deploy/', import.meta.url));

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}

function minilbContainer(file: string): Container {
  const docs = parseAllDocuments(readFileSync(`${deploy}${file}`, 'utf8')).map((d) => d.toJS() as Record<string, any>);
  const containers = docs.flatMap((d) => (d?.spec?.template?.spec?.containers ?? []) as Container[]);
  const container = containers.find((c) => c.name === 'minilb');
  if (!container) throw new Error(`${file}: no minilb container`);
  return container;
}

describe('deploy manifests', () => {
  it.each([
    ['20-deployment.yaml', 'status.hostIPs', '192.0.2.31,2001:db8::31'],
    ['30-daemonset-hostport.yaml', 'status.hostIPs', '192.0.2.31,2001:db8::31'],
    ['coredns-sidecar/deployment-patch.yaml', 'status.podIPs', '10.244.1.7,fd00:10:244:1::7'],
  ])('%s answers ns.minilb from the downward API (%s)', async (file, fieldPath, downwardValue) => {
    const container = minilbContainer(file);
    const variable = container.env?.find((e) => e.name === 'MINILB_NS_ADDRESS');
    expect(variable?.valueFrom?.fieldRef?.fieldPath).toBe(fieldPath);
    // What the kubelet hands the process: the args as written, the variable filled in.
    const config = await parseServerFlags(container.args ?? [], { MINILB_NS_ADDRESS: downwardValue });
    expect(config.nsAddresses).toEqual(downwardValue.split(','));
  });
});
