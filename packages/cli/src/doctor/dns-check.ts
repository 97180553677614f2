// Checks that a minilb server answers for its zone over UDP and TCP, and what its SOA serial
// (the Unix time of its last record change) says about how fresh its records are.

import { queryLive } from '../inspect/live-dns-query.js';
import type { Finding } from './cluster-findings.js';

export interface DnsCheckResult {
  findings: Finding[];
  notes: string[];
}

export async function checkDnsServer(server: string, domain: string, now = Date.now()): Promise<DnsCheckResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const transport of ['auto', 'tcp'] as const) {
    const label = transport === 'auto' ? 'UDP' : 'TCP';
    try {
      const answer = await queryLive(server, domain, 'SOA', { transport });
      const soa = answer.records.find((r) => r.type === 'SOA');
      if (answer.rcode !== 'NOERROR' || !soa || !answer.authoritative) {
        findings.push({
          check: 'dns',
          objects: [`DNS ${server}`],
          message: `${server} over ${label} answers ${answer.rcode}${answer.authoritative ? '' : ' (not authoritative)'} for ${domain} SOA: it is not serving the ${domain} zone`,
          fix: `run minilb-server with -domain=${domain}, and point this check at its -listen address`,
        });
        continue;
      }
      const serial = (JSON.parse(soa.data) as { serial?: number }).serial ?? 0;
      if (transport === 'auto') {
        const ageSeconds = Math.round(now / 1000 - serial);
        notes.push(
          ageSeconds >= 0 && ageSeconds < 10 * 365 * 86400
            ? `${server}: SOA serial ${serial}: records last changed ${ageSeconds} s ago`
            : `${server}: SOA serial ${serial}`,
        );
      }
    } catch (err) {
      findings.push({
        check: 'dns',
        objects: [`DNS ${server}`],
        message: `${server} does not answer over ${label}: ${(err as Error).message}`,
        fix: `check that minilb listens there (its -listen flag), and that port 53 ${label} is open between here and it`,
      });
    }
  }
  return { findings, notes };
}
