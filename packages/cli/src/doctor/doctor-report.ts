// `minilb doctor`'s output: one line per finding with the objects involved and what to do,
// or JSON; and its exit status: 0 nothing wrong, 1 findings, 2 could not check.

import type { Finding } from './cluster-findings.js';

export const doctorExit = { ok: 0, findings: 1, couldNotCheck: 2 } as const;

export interface DoctorReport {
  findings: Finding[];
  notes: string[];
  unchecked: string[]; // what could not be checked, and why
}

export function doctorExitCode(report: DoctorReport): number {
  if (report.unchecked.length > 0) return doctorExit.couldNotCheck;
  return report.findings.length > 0 ? doctorExit.findings : doctorExit.ok;
}

export function formatDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`✗ [${f.check}] ${f.message}`, `    objects: ${f.objects.join(', ')}`, `    fix: ${f.fix}`);
  }
  for (const u of report.unchecked) lines.push(`? could not check: ${u}`);
  for (const n of report.notes) lines.push(`· ${n}`);
  if (report.findings.length === 0 && report.unchecked.length === 0) lines.push('✓ no problems found');
  else lines.push(`${report.findings.length} problem${report.findings.length === 1 ? '' : 's'} found${report.unchecked.length ? `, ${report.unchecked.length} check(s) could not run` : ''}`);
  return `${lines.join('\n')}\n`;
}
