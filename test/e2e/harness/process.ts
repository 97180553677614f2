// Child processes in their own process groups, logged to files and recorded in pidfiles, so a
// peer and everything it forks can be stopped, paused, restarted, and never outlive the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { writePidFile } from './run-dir.js';

export interface SpawnOptions {
  /** A short name for messages and the log file name (`etcd`, `kube-apiserver`). */
  name: string;
  command: string;
  args: string[];
  /** Folder for the log file. */
  dir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running peer. `restart()` starts it again with the same command line. */
export class ManagedProcess {
  readonly name: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  private exitInfo: ExitInfo | undefined;
  private pidFile: string | undefined;
  private log: WriteStream | undefined;
  private listeners: Array<(chunk: string) => void> = [];
  private readonly id = randomBytes(4).toString('hex');

  constructor(private readonly opts: SpawnOptions) {
    this.name = opts.name;
    this.logPath = join(opts.dir, `${opts.name}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the process runs (also while it is paused). */
  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** Resolves when the current incarnation exits. */
  get exited(): Promise<ExitInfo> {
    return this.exitPromise;
  }

  get commandLine(): string {
    return [this.opts.command, ...this.opts.args].join(' ');
  }

  start(): this {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.log = createWriteStream(this.logPath, { flags: 'a' });
    this.log.write(`\n=== ${new Date().toISOString()} ${this.commandLine}\n`);
    this.exitInfo = undefined;
    // detached: the child leads its own process group, so killing -pid also reaches anything it forks.
    const child = spawn(this.opts.command, this.opts.args, {
      cwd: this.opts.cwd ?? repoRoot,
      env: this.opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    if (child.pid === undefined) {
      // spawn failed synchronously (ENOENT arrives as an 'error' event below).
      this.exitPromise = new Promise((resolve) => {
        child.once('error', (e) => {
          this.log?.write(`spawn failed: ${e.message}\n`);
          this.exitInfo = { code: -1, signal: null };
          resolve(this.exitInfo);
        });
      });
      return this;
    }
    child.on('error', (e) => this.log?.write(`=== process error: ${e.message}\n`));
    this.pidFile = writePidFile(`${this.name}-${this.id}`, child.pid, this.name, this.commandLine);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.log?.write(text);
      for (const l of this.listeners) l(text);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.log?.write(`=== exited: ${signal ?? `code ${code}`}\n`);
        if (this.pidFile) rmSync(this.pidFile, { force: true });
        resolve(this.exitInfo);
      });
    });
    return this;
  }

  /** Waits until the output matches `pattern`; fails early if the process exits. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    let seen = this.readLog();
    if (pattern.test(seen)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${this.name}: no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      const listener = (text: string) => {
        seen += text;
        if (pattern.test(seen)) done();
      };
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        if (err) reject(new Error(`${err.message}\n${this.logTail()}`));
        else resolve();
      };
      this.listeners.push(listener);
      void this.exitPromise.then((info) => {
        if (this.listeners.includes(listener)) done(new Error(`${this.name} exited (${describeExit(info)})`));
      });
    });
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    if (!this.running || this.pid === undefined) return;
    try {
      process.kill(-this.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (a hung peer). */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT'); // a paused process cannot act on SIGTERM
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
    // The leader exited; anything it left in its group goes too.
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // The group is empty.
      }
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }

  /** SIGKILL the group without waiting for a graceful shutdown (a crash). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    await this.exitPromise;
  }

  async restart(graceMs?: number): Promise<void> {
    await this.stop(graceMs);
    this.start();
  }

  readLog(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 40): string {
    const all = this.readLog().trimEnd().split('\n');
    return `--- last ${Math.min(lines, all.length)} lines of ${this.logPath} ---\n${all.slice(-lines).join('\n')}`;
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

export function startProcess(opts: SpawnOptions): ManagedProcess {
  return new ManagedProcess(opts).start();
}
