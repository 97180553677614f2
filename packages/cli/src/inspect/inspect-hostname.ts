// `minilb inspect <hostname>`: what the name resolves to and why, computed from the cluster
// (or read from a server's /v1/explain), optionally compared with what a live server answers.

import { RecordIndex, type ClusterObject, type Explanation, type TrimmedNode } from 'minilb-server';
import { request } from 'undici';
import { CliError, exitCodes } from '../exit-codes.js';
import { queryLive } from './live-dns-query.js';
import { podAddressProblem } from './pod-address-check.js';

export interface InspectOptions {
  name: string;
  domain: string;
  lbClass: string;
  objects?: ClusterObject[]; // computed locally when given
  api?: string; // else read from this server's /v1/explain
  dns?: string; // also ask this server and compare
}

export interface LiveComparison {
  server: string;
  rcode: string;
  addresses: string[];
  cname: string | undefined;
  matches: boolean;
  detail: string;
}

export interface InspectReport {
  explanation: Explanation;
  warnings: string[];
  live: LiveComparison | undefined;
  ok: boolean;
}

async function explainFromApi(api: string, name: string): Promise<Explanation> {
  const url = `${api.replace(/\/$/, '')}/v1/explain?name=${encodeURIComponent(name)}`;
  try {
    const res = await request(url, { signal: AbortSignal.timeout(5000) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Explanation;
  } catch (err) {
    throw new CliError(`cannot read ${url}: ${(err as Error).message}`, exitCodes.cluster);
  }
}

function nodeWarnings(explanation: Explanation, nodes: Map<string, TrimmedNode>): string[] {
  const warnings: string[] = [];
  for (const { service, endpoints } of explanation.services) {
    for (const ep of endpoints.filter((e) => e.answered)) {
      const problem = podAddressProblem(ep, nodes);
      const where = `Service ${service.namespace}/${service.name} endpoint ${ep.address}${ep.pod ? ` (pod ${ep.pod})` : ''}`;
      if (problem) warnings.push(`${where}: ${problem.message}`);
    }
  }
  return warnings;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

async function compareLive(server: string, explanation: Explanation): Promise<LiveComparison> {
  const [a, aaaa] = await Promise.all([queryLive(server, explanation.name, 'A'), queryLive(server, explanation.name, 'AAAA')]).catch(
    (err: Error) => {
      throw new CliError(`cannot query ${server}: ${err.message}`, exitCodes.cluster);
    },
  );
  const addresses = [...a.records, ...aaaa.records].filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.data);
  const cname = a.records.find((r) => r.type === 'CNAME')?.data;
  const expected = [...explanation.answers.a, ...explanation.answers.aaaa];
  const expectedRcode = explanation.result === 'nxdomain' ? 'NXDOMAIN' : explanation.result === 'unknown' ? undefined : 'NOERROR';
  const rcodeOk = expectedRcode === undefined || a.rcode === expectedRcode;
  // After a CNAME come the target's addresses (minilb resolves out-of-zone targets for queries
  // with RD): the name's own data is the CNAME alone.
  const matches = rcodeOk && sameSet(cname ? [] : addresses, expected) && (cname ?? '') === (explanation.answers.cname ?? '');
  const detail = matches
    ? 'the live answer matches'
    : `the live answer differs: expected ${expectedRcode ?? 'any'} ${[...expected, explanation.answers.cname].filter(Boolean).join(', ') || '(no addresses)'}, got ${a.rcode} ${[...addresses, cname].filter(Boolean).join(', ') || '(no addresses)'}`;
  return { server, rcode: a.rcode, addresses, cname, matches, detail };
}

export async function inspectHostname(options: InspectOptions): Promise<InspectReport> {
  let explanation: Explanation;
  const warnings: string[] = [];
  if (options.api) {
    explanation = await explainFromApi(options.api, options.name);
  } else {
    const index = new RecordIndex({ zone: options.domain, lbClass: options.lbClass });
    index.replaceAll(options.objects ?? []);
    explanation = index.explain(options.name);
    warnings.push(...nodeWarnings(explanation, new Map(index.list('Node').map((n) => [n.meta.name, n]))));
  }
  warnings.unshift(...explanation.warnings);
  const live = options.dns ? await compareLive(options.dns, explanation) : undefined;
  const resolves = explanation.result === 'answer' || explanation.result === 'cname';
  return { explanation, warnings, live, ok: resolves && (live?.matches ?? true) };
}
