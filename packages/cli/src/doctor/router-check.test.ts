// `doctor --ssh` on a router where no next hop is on-link: every next hop is a finding, as
// `routes --apply` lists them all (it kept only the first). The router is a real shell reached
// through an `ssh` on PATH that runs the script locally, with an `ip` that knows no route to them.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterObject } from 'minilb-server';
import { sshTarget } from '../routes/router/ssh-flags.js';
import { checkRouter } from './router-check.js';

const dir = mkdtempSync(join(tmpdir(), 'minilb-doctor-router-'));
const savedPath = process.env.PATH;
const fakeBin = join(dir, 'bin');
beforeAll(() => {
  writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nPATH=${fakeBin}:$PATH exec sh -s\n`, { mode: 0o755 });
  mkdirSync(fakeBin);
});
afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

function node(name: string, cidr: string, ip: string): ClusterObject {
  return {
    kind: 'Node',
    meta: { namespace: '', name, creationTimestamp: '', annotations: {}, labels: {} },
    podCIDRs: [cidr],
    addresses: [{ type: 'InternalIP', address: ip }],
  } as ClusterObject;
}

describe('doctor --ssh with off-link next hops', () => {
  it('reports every off-link next hop, one finding each', async () => {
    writeFileSync(
      join(fakeBin, 'ip'),
      '#!/bin/sh\ncase "$*" in\n  *"route get"*) echo "RTNETLINK answers: Network is unreachable" >&2; exit 2;;\n  *) echo "[]";;\nesac\n',
      { mode: 0o755 },
    );
    process.env.PATH = `${dir}:${savedPath}`;
    const findings = await checkRouter(
      { target: sshTarget('root@198.51.100.1'), text: 'root@198.51.100.1', options: [], timeoutMs: 10_000 },
      [node('n1', '10.244.1.0/24', '192.0.2.11'), node('n2', '10.244.2.0/24', '192.0.2.12'), node('n3', '10.244.3.0/24', '192.0.2.13')],
      { kind: 'linux', proto: 250 },
    );
    expect(findings.map((f) => f.objects)).toEqual([
      ['Router root@198.51.100.1', 'Node n1'],
      ['Router root@198.51.100.1', 'Node n2'],
      ['Router root@198.51.100.1', 'Node n3'],
    ]);
    expect(findings[2]!.message).toContain('next hop 192.0.2.13 of 10.244.3.0/24 (node n3)');
  });
});
