// The per-test-process run folder under .cache/e2e/runs/: pidfiles, data folders and logs of
// every peer this process starts, so an exit hook, a watchdog and the next run can clean up.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, harnessDir } from './paths.js';

export const runsRoot = join(cacheRoot, 'runs');

/** Set MINILB_E2E_KEEP=1 to keep data folders and logs after a run (for post-mortems). */
export const keepRunFiles = process.env.MINILB_E2E_KEEP === '1';

interface PidFile {
  pid: number;
  /** /proc/<pid>/stat start time, so a recycled pid is never killed by mistake. */
  startTime: string;
  name: string;
  command: string;
}

/** Process start time in clock ticks since boot, or undefined if the process is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command (field 2) may hold spaces, so count from the closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

/** Kills a process group whose leader still is the process the pidfile recorded. */
function killRecordedGroup(p: PidFile): void {
  if (!isSameProcess(p.pid, p.startTime)) return;
  try {
    process.kill(-p.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Removes what runs whose owner died left behind: their process groups and folders. */
export function cleanStaleRuns(): void {
  if (!existsSync(runsRoot)) return;
  for (const entry of readdirSync(runsRoot)) {
    const dir = join(runsRoot, entry);
    let owner: PidFile | undefined;
    try {
      owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as PidFile;
    } catch {
      owner = undefined;
    }
    if (owner && isSameProcess(owner.pid, owner.startTime)) continue; // a live run (another worker)
    killRunProcesses(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

export function killRunProcesses(dir: string): void {
  const procs = join(dir, 'procs');
  if (!existsSync(procs)) return;
  for (const f of readdirSync(procs)) {
    try {
      killRecordedGroup(JSON.parse(readFileSync(join(procs, f), 'utf8')) as PidFile);
    } catch {
      // A half-written pidfile: its process had not started yet.
    }
  }
}

let current: string | undefined;

/** This process's run folder, created on first use together with its watchdog. */
export function runDir(): string {
  if (current) return current;
  cleanStaleRuns();
  const dir = join(runsRoot, `${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(join(dir, 'procs'), { recursive: true });
  const owner: PidFile = {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? '',
    name: 'owner',
    command: process.argv.join(' '),
  };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
  current = dir;

  // The watchdog outlives a SIGKILLed test worker and kills the peers it left running.
  const watchdog = spawn(process.execPath, [join(harnessDir, 'watchdog.mjs'), String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();

  process.on('exit', () => {
    killRunProcesses(dir);
    if (!keepRunFiles) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A fresh folder inside the run folder, for one peer or one cluster. */
export function makeDir(prefix: string): string {
  const dir = join(runDir(), `${prefix}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writePidFile(id: string, pid: number, name: string, command: string): string {
  const path = join(runDir(), 'procs', `${id}.json`);
  const record: PidFile = { pid, startTime: processStartTime(pid) ?? '', name, command };
  writeFileSync(path, JSON.stringify(record));
  return path;
}
