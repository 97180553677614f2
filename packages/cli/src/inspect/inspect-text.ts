// The human-readable form of an inspect report: answer first, then the chain, the endpoints,
// the candidates that lost, and what to fix.

import type { InspectReport } from './inspect-hostname.js';

const resultWords: Record<string, string> = {
  answer: 'resolves',
  cname: 'is a CNAME',
  nodata: 'exists but has no addresses (NODATA)',
  nxdomain: 'does not exist in the zone (NXDOMAIN)',
  unknown: 'is not served by minilb (forwarded upstream or REFUSED)',
};

export function formatInspectReport(report: InspectReport): string {
  const { explanation: e } = report;
  const lines: string[] = [];
  const addresses = [...e.answers.a, ...e.answers.aaaa];
  const target = e.answers.cname ? `CNAME ${e.answers.cname}` : addresses.join(', ');
  lines.push(`${e.name} ${resultWords[e.result] ?? e.result}${target ? `: ${target}` : ''}`);
  if (e.answers.srv.length > 0) {
    for (const s of e.answers.srv) lines.push(`  SRV ${s.priority} ${s.weight} ${s.port} ${s.target}`);
  }
  if (e.chain.length > 0) {
    lines.push('', 'why:');
    for (const step of e.chain) {
      lines.push(`  ${step.hostname}: ${step.description}`);
      for (const f of step.follows) lines.push(`    -> ${f.hostname} (${f.how})`);
      for (const l of step.losers) lines.push(`    lost: ${l.description} (${l.reason})`);
    }
  }
  for (const s of e.services) {
    const notes = [
      s.fallbackToTerminating && 'no ready endpoint: answering terminating ones',
      s.failOpen && 'every endpoint failed its health check: answering all (fail open)',
      s.demotedOnly && 'only endpoints on drained or suspect nodes are usable',
    ].filter(Boolean);
    lines.push('', `endpoints of Service ${s.service.namespace}/${s.service.name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}:`);
    if (s.endpoints.length === 0) lines.push('  (none)');
    for (const ep of s.endpoints) {
      const state = ep.terminating ? (ep.serving ? 'terminating, serving' : 'terminating') : ep.ready ? 'ready' : 'not ready';
      const where = [ep.pod && `pod ${ep.pod}`, ep.node && `on ${ep.node}`].filter(Boolean).join(' ');
      const health = ep.health === 'down' ? `down since ${ep.healthSince} (${ep.healthDetail})` : ep.health === 'up' ? 'check up' : undefined;
      const extra = [health, ep.demoted && `demoted: ${ep.demoted}`].filter(Boolean).join('; ');
      lines.push(`  ${ep.address.padEnd(22)} ${state.padEnd(20)} ${where.padEnd(40)} ${ep.answered ? 'answered' : 'not answered'}${extra ? `  ${extra}` : ''}`.trimEnd());
    }
  }
  if (report.warnings.length > 0) {
    lines.push('', 'warnings:');
    for (const w of report.warnings) lines.push(`  ! ${w}`);
  }
  if (report.live) lines.push('', `live (${report.live.server}): ${report.live.detail}`);
  return `${lines.join('\n')}\n`;
}
