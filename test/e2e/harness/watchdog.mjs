// Watches one e2e test process: when it dies without cleaning up (SIGKILL, a crashed worker),
// kills the process groups its run folder lists and removes the folder. Exits when the folder
// is gone (a normal cleanup) or after cleaning up.
// Usage: node watchdog.mjs <owner pid> <run dir>
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [ownerPid, dir] = [Number(process.argv[2]), process.argv[3]];

function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const ownerStart = startTime(ownerPid);

function cleanup() {
  const procs = join(dir, 'procs');
  if (existsSync(procs)) {
    for (const f of readdirSync(procs)) {
      try {
        const p = JSON.parse(readFileSync(join(procs, f), 'utf8'));
        if (startTime(p.pid) === p.startTime) process.kill(-p.pid, 'SIGKILL');
      } catch {
        // Gone already, or a half-written pidfile.
      }
    }
  }
  if (process.env.MINILB_E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

const timer = setInterval(() => {
  if (!existsSync(dir)) {
    clearInterval(timer);
    return;
  }
  if (ownerStart === undefined || startTime(ownerPid) !== ownerStart) {
    clearInterval(timer);
    cleanup();
  }
}, 1000);
