// The Corefile adapter changes ports, listen and upstream addresses, nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adaptCorefile } from './corefile.js';
import { repoRoot } from './paths.js';

describe('adaptCorefile', () => {
  const example = readFileSync(join(repoRoot, 'examples/corefile'), 'utf8');
  const adapted = adaptCorefile(example, {
    dnsPort: 10053,
    addresses: { '127.0.0.1:5353': '127.0.0.1:20053' },
    upstream: '127.0.0.1:30053',
    healthPort: 18080,
    readyPort: 18181,
    metricsPort: 19153,
    kubeconfig: '/tmp/admin.kubeconfig',
  });

  it('moves every listener to loopback and the given ports', () => {
    const code = adapted.replace(/#.*$/gm, '');
    expect(code).not.toMatch(/:53\b|:5353\b|:8080\b|:8181\b|:9153\b|\/etc\/resolv\.conf/);
    expect(adapted).toMatch(/^minilb:10053 sko\.ai:10053 example\.com:10053 \{\n {4}bind 127\.0\.0\.1$/m);
    expect(adapted).toMatch(/^\.:10053 \{\n {4}bind 127\.0\.0\.1$/m);
    expect(adapted).toMatch(/^\s+forward \. 127\.0\.0\.1:20053 \{$/m);
    expect(adapted).toMatch(/^\s+forward \. 127\.0\.0\.1:30053$/m);
    expect(adapted).toMatch(/^\s+health 127\.0\.0\.1:18080 \{$/m);
    expect(adapted).toMatch(/^\s+ready 127\.0\.0\.1:18181$/m);
    expect(adapted).toMatch(/^\s+prometheus 127\.0\.0\.1:19153$/m);
    expect(adapted).toMatch(/kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{\n\s+kubeconfig \/tmp\/admin\.kubeconfig\n/);
  });

  it('keeps every other line of the example as it is', () => {
    const added = /^\s+(bind 127\.0\.0\.1|kubeconfig \/tmp\/admin\.kubeconfig)$/;
    const kept = adapted.split('\n').filter((l) => !added.test(l));
    const normalise = (l: string) =>
      l.replace(/(127\.0\.0\.1)?:(10053|20053|30053|18080|18181|19153|53|5353|8080|8181|9153)\b/g, ':P').replace('/etc/resolv.conf', ':P').replace(/^(\s*(health|ready)) :P/, '$1');
    expect(kept.map(normalise)).toEqual(example.split('\n').map(normalise));
  });
});
