// /metrics as Prometheus itself reads it: `promtool check metrics` (built from Prometheus's Go
// module) on a live scrape of the built server after it answered every rcode it sends, and the
// Grafana dashboard's queries checked against the metric names that scrape exports. Every
// family is registered whatever the source, so the demo manifests stand in for a cluster.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_RCODE, queryEveryRcode } from '../../../packages/server/testing/every-rcode.js';
import { ensurePeers, repoRoot, scrape, startMinilb, type Minilb } from '../harness/index.js';

function promtool(args: string[], input: string): Promise<{ code: number | null; output: string }> {
  return ensurePeers().then(
    (peers) =>
      new Promise((resolve, reject) => {
        const child = spawn(peers.promtool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => (output += d));
        child.stderr.on('data', (d: Buffer) => (output += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output }));
        child.stdin.end(input);
      }),
  );
}

// The metric names an exposition declares (# TYPE) or has samples of, histogram series included.
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = line.match(/^# TYPE (\S+) (\S+)/);
    if (declared) {
      names.add(declared[1]!);
      if (declared[2] === 'histogram' || declared[2] === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${declared[1]}${suffix}`);
      continue;
    }
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

// Every PromQL expression in the dashboard: panel targets and templating queries.
function dashboardQueries(dashboard: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'expr' || key === 'definition') && typeof v === 'string') found.push(v);
      else walk(v);
    }
  };
  walk(dashboard);
  return found;
}

describe('/metrics, linted by promtool and read by the Grafana dashboard', () => {
  let minilb: Minilb;
  let silent: dgram.Socket;
  let text: string;

  beforeAll(async () => {
    silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    minilb = await startMinilb([
      '-manifests',
      join(repoRoot, 'examples/demo-cluster.yaml'),
      '-upstream',
      `127.0.0.1:${silent.address().port}`,
      '-upstream-timeout',
      '300ms',
    ]);
    expect(await queryEveryRcode(minilb.dnsPort, 'paperless.sko.ai', 'minilb')).toEqual(['NOERROR', 'NOERROR', 'NXDOMAIN', 'REFUSED', 'FORMERR', 'NOTIMP', 'BADVERS', 'SERVFAIL']);
    text = await scrape(`${minilb.httpUrl}/metrics`);
  });
  afterAll(async () => {
    await minilb?.stop();
    silent?.close();
  });

  it('has answered every rcode, each counted', () => {
    for (const rcode of EVERY_RCODE) expect(text, rcode).toMatch(new RegExp(`^minilb_dns_responses_total\\{rcode="${rcode}"\\} [1-9]`, 'm'));
  });

  it('passes promtool check metrics with no findings', async () => {
    const result = await promtool(['check', 'metrics'], text);
    expect(result.output.trim(), 'promtool check metrics findings').toBe('');
    expect(result.code).toBe(0);
  });

  it('promtool does find problems in a broken exposition (the check is live)', async () => {
    const broken = `${text}# HELP minilb_bad_total x\n# TYPE minilb_bad_total gauge\nminilb_bad_total 1\n`;
    const result = await promtool(['check', 'metrics'], broken);
    expect(result.output).toMatch(/minilb_bad_total/);
    expect(result.code).not.toBe(0);
  });

  it('names only metrics the server exports in examples/grafana/minilb.json', () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'examples/grafana/minilb.json'), 'utf8')) as { panels: unknown[]; title: string };
    expect(dashboard.title).toBe('minilb');
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    const used = new Set(queries.flatMap((q) => q.match(/\bminilb_[a-z0-9_]+/g) ?? []));
    const exported = exportedNames(text);
    expect([...used].filter((name) => !exported.has(name)), 'dashboard metrics the server does not export').toEqual([]);
    // What a homelab user looks at when a name stops resolving is all there.
    for (const name of ['minilb_dns_responses_total', 'minilb_dns_request_duration_seconds_bucket', 'minilb_records', 'minilb_source_objects', 'minilb_watch_last_event_age_seconds', 'minilb_leader']) {
      expect(used, name).toContain(name);
    }
  });
});
