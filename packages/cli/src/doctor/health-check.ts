// What a running minilb's health checks see (its /v1/endpoint-health): endpoints found down,
// endpoints demoted because their node is drained or suspect, and the suspect nodes.

import type { HealthReport } from 'minilb-server';
import { request } from 'undici';
import type { Finding } from './cluster-findings.js';

export async function checkEndpointHealth(api: string): Promise<{ findings: Finding[]; notes: string[] }> {
  const url = `${api.replace(/\/$/, '')}/v1/endpoint-health`;
  const res = await request(url, { signal: AbortSignal.timeout(5000) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  const report = JSON.parse(text) as HealthReport;
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const [node, since] of Object.entries(report.suspectNodes)) {
    notes.push(`Node ${node} is suspect since ${since}: every probed endpoint on it fails without a reply; its endpoints are answered only as a last resort`);
  }
  const down = new Map<string, typeof report.endpoints>();
  for (const ep of report.endpoints) {
    if (ep.health === 'down') down.set(ep.service, [...(down.get(ep.service) ?? []), ep]);
    else if (ep.demoted) notes.push(`Service ${ep.service} endpoint ${ep.address}${ep.node ? ` on ${ep.node}` : ''}: demoted: ${ep.demoted}`);
  }
  for (const [service, eps] of down) {
    const [namespace, name] = service.split('/');
    findings.push({
      check: 'endpoints-down',
      objects: [`Service ${service}`, ...eps.flatMap((e) => (e.pod ? [`Pod ${namespace}/${e.pod}`] : []))],
      message:
        `Service ${service}: ${eps.length} endpoint(s) fail their health check` +
        `${eps[0]!.failOpen ? ' (all of them: answered anyway, fail open)' : ' and are left out of answers'}: ` +
        eps.map((e) => `${e.address} down since ${e.healthSince} (${e.healthDetail})`).join(', '),
      fix: `check that the pods accept TCP connections on the checked port (kubectl -n ${namespace} get pods -o wide -l ...), or set minilb/health-check: none on Service ${name}`,
    });
  }
  if (report.omitted > 0) notes.push(`${report.omitted} more endpoints not shown`);
  return { findings, notes };
}
