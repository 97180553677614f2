// The real `dig` (Debian bind9-dnsutils), run as a user would, with its output parsed.
import { execFile } from 'node:child_process';

export interface DigRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  data: string;
}

export interface DigResult {
  /** dig's exit code: 0 answered, 9 no reply, 10 and up bad input. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... ('' when there was no reply) */
  status: string;
  /** Header flags: qr, aa, tc, rd, ra, ad, cd. */
  flags: string[];
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
}

/** Defaults that keep a silent server from stalling a test; later arguments override them. */
const DEFAULTS = ['+time=2', '+tries=2'];

function parseRecord(line: string): DigRecord | undefined {
  const m = line.match(/^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/);
  if (!m) return undefined;
  return { name: m[1] ?? '', ttl: Number(m[2]), class: m[3] ?? '', type: m[4] ?? '', data: (m[5] ?? '').trim() };
}

export function parseDig(stdout: string): Omit<DigResult, 'exitCode' | 'stdout' | 'stderr'> {
  const status = stdout.match(/->>HEADER<<-.*status: (\w+)/)?.[1] ?? '';
  const flags = stdout.match(/;; flags:([^;]*);/)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
  const sections: Record<string, DigRecord[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: DigRecord[] | undefined;
  for (const line of stdout.split('\n')) {
    const header = line.match(/^;; (\w+) SECTION:/);
    if (header) {
      current = sections[header[1] ?? ''];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      if (line.trim() === '') current = undefined;
      continue;
    }
    const rec = current && parseRecord(line);
    if (rec) current?.push(rec);
  }
  return { status, flags, answer: sections.ANSWER ?? [], authority: sections.AUTHORITY ?? [], additional: sections.ADDITIONAL ?? [] };
}

/** Runs `dig <args>`; never throws for DNS-level failures, only when dig cannot run. */
export function dig(args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', [...DEFAULTS, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 0;
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('`dig` is not installed: apt-get install bind9-dnsutils'));
        return;
      }
      if (err && code === 0) {
        reject(new Error(`dig ${args.join(' ')} failed: ${err.message}`));
        return;
      }
      resolve({ exitCode: code, stdout, stderr, ...parseDig(stdout) });
    });
  });
}

/** `dig @127.0.0.1 -p <port> <name> <type> [extra...]` */
export function digAt(port: number, name: string, type = 'A', ...extra: string[]): Promise<DigResult> {
  return dig(['@127.0.0.1', '-p', String(port), name, type, ...extra]);
}

/** The sorted data of the answer records of one type (addresses for A/AAAA). */
export function answersOf(result: DigResult, type: string): string[] {
  return result.answer
    .filter((r) => r.type === type)
    .map((r) => r.data)
    .sort();
}
