// Network namespaces for the router scenarios: a router, LAN clients, nodes and pods joined by
// veth pairs, with documentation-range addresses only. Everything is named mlbr-<pid>-<role>,
// so a later run removes what a killed one left behind, and only that.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const labPrefix = 'mlbr-';

export interface Exec {
  status: number;
  stdout: string;
  stderr: string;
}

// Runs a command to completion with a hard deadline; never throws on a non-zero exit.
export function run(command: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Exec {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// Like run, but a failure is an error naming the command and its output.
export function must(command: string, args: string[]): string {
  const r = run(command, args);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

function killNamespace(name: string): void {
  // Every process whose network namespace this is (sshd, dropbear, a CLI under --watch).
  const pids = run('ip', ['netns', 'pids', name]).stdout.split('\n').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  run('ip', ['netns', 'del', name]);
}

// Removes namespaces and folders of earlier runs whose test process is gone.
export function cleanStaleLabs(): void {
  for (const line of run('ip', ['netns', 'list']).stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const owner = new RegExp(`^${labPrefix}(\\d+)-`).exec(name);
    if (owner && !alive(Number(owner[1]))) killNamespace(name);
  }
  for (const entry of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${labPrefix}(\\d+)-`).exec(entry);
    if (owner && !alive(Number(owner[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

export class Lab {
  readonly dir: string;
  private readonly namespaces: string[] = [];
  private readonly exitHook = (): void => this.destroy();

  constructor(readonly label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${labPrefix}${process.pid}-${label}-`));
    process.once('exit', this.exitHook);
  }

  // Creates a namespace with loopback up; `role` is short ('r', 'lan', 'n1').
  netns(role: string, sysctls: string[] = []): string {
    const name = `${labPrefix}${process.pid}-${this.label}-${role}`;
    must('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    this.ip(name, ['link', 'set', 'lo', 'up']);
    for (const s of sysctls) must('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', s]);
    return name;
  }

  ip(ns: string, args: string[]): string {
    return must('ip', ['-n', ns, ...args]);
  }

  exec(ns: string, args: string[], options: { input?: string; timeoutMs?: number } = {}): Exec {
    return run('ip', ['netns', 'exec', ns, ...args], options);
  }

  // A veth pair between two namespaces, each end up and given its addresses. IPv6 addresses
  // skip duplicate address detection so they are usable at once (a tentative one cannot be bound).
  link(a: { ns: string; dev: string; addrs: string[] }, b: { ns: string; dev: string; addrs: string[] }): void {
    // Both ends are created inside their namespaces: nothing appears in the machine's own.
    must('ip', ['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
    for (const end of [a, b]) {
      for (const addr of end.addrs) this.ip(end.ns, ['addr', 'add', addr, 'dev', end.dev, ...(addr.includes(':') ? ['nodad'] : [])]);
      this.ip(end.ns, ['link', 'set', end.dev, 'up']);
    }
  }

  // The main table as iproute2 JSON (with protocol numbers), for before/after comparisons.
  routes(ns: string): unknown[] {
    return [4, 6].flatMap((f) => JSON.parse(this.ip(ns, ['-N', '-j', `-${f}`, 'route', 'show', 'table', 'main'])) as unknown[]);
  }

  destroy(): void {
    process.off('exit', this.exitHook);
    for (const ns of this.namespaces.splice(0).reverse()) killNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// Polls until check() returns true or the deadline passes; every wait in these tests is bounded.
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function assertRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('the router scenarios need root (network namespaces)');
  execFileSync('ip', ['netns', 'list']);
}
