// Runs one script on the router with the system ssh: the script goes on stdin (dropbear has no
// sftp, and nothing is left on the router), and a hard deadline ends a session that hangs.

import { spawn } from 'node:child_process';
import { CliError, exitCodes } from '../../exit-codes.js';
import { sshArguments, type SshTarget } from './ssh-target.js';

export interface SshResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// What the router part needs from a transport; tests give a fake that plays the router.
export type ScriptRunner = (script: string) => Promise<SshResult>;

// ssh could not run or did not finish: exit status 4, as the README promises, and a --watch
// round that backs off rather than an unexpected error.
export class SshError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.ssh);
  }
}

export interface SshOptions {
  target: SshTarget;
  options: readonly string[]; // `-o` values
  timeoutMs: number;
  sshCommand?: string; // 'ssh'
}

// `sh -s` reads the script from stdin whatever the login shell is (bash, ash, fish).
const remoteCommand = 'sh -s';

export function sshRunner(opts: SshOptions): ScriptRunner {
  return (script) =>
    new Promise((resolve, reject) => {
      const command = opts.sshCommand ?? 'ssh';
      const child = spawn(command, sshArguments(opts.target, opts.options, remoteCommand), {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        // An ssh that ignores SIGTERM (stuck in a ProxyCommand) still ends.
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }, opts.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      // ssh may exit before reading all of stdin (refused connection): that is reported by its exit code.
      child.stdin.on('error', () => {});
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new SshError(
            e.code === 'ENOENT' ? `cannot run ${command}: the OpenSSH client is not installed or not on PATH` : `cannot run ${command}: ${e.message}`,
          ),
        );
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new SshError(`the ssh session did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was ended`));
          return;
        }
        resolve({ exitCode, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(script);
    });
}
