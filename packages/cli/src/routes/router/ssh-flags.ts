// The router's ssh target and options, named the same way in every command that reaches a
// router (`routes --apply`, `doctor`): --ssh [user@]host[:port], --ssh-option Key=Value,
// --ssh-timeout seconds.

import type { Argv } from 'yargs';
import { numberFlag, several, single, usage } from '../../flags/flag-values.js';
import { parseSshTarget, SshTargetError, type SshTarget } from './ssh-target.js';

export interface SshArgs {
  ssh?: string | undefined;
  sshOption?: string[] | undefined;
  sshTimeout?: number | string | undefined;
}

export interface SshSettings {
  target: SshTarget;
  text: string; // as the user wrote it, for messages
  options: string[];
  timeoutMs: number;
}

const group = 'Router:';

export function sshFlags<T>(y: Argv<T>, sshDescription: string): Argv<T & SshArgs> {
  return y
    .option('ssh', { type: 'string', describe: sshDescription, group })
    .option('ssh-option', { type: 'array', string: true, describe: 'ssh -o option, repeatable (--ssh-option IdentityFile=...)', group })
    .option('ssh-timeout', { type: 'string', describe: 'seconds one ssh session may take (default: 60)', group }) as unknown as Argv<T & SshArgs>;
}

export function sshTarget(text: string): SshTarget {
  try {
    // doctor's old --router took ssh://host; the scheme means nothing more to ssh.
    return parseSshTarget(text.replace(/^ssh:\/\//, ''));
  } catch (err) {
    if (err instanceof SshTargetError) usage(err.message);
    throw err;
  }
}

export function sshOptionValues(values: string[] | undefined): string[] {
  const options = several('--ssh-option', values, 'an ssh option as Key=Value') ?? [];
  for (const option of options) {
    if (/[\n\r]/.test(option) || option.startsWith('-') || !/^[A-Za-z]+[= ]/.test(option)) {
      usage(`--ssh-option ${JSON.stringify(option)}: give ssh options as Key=Value`);
    }
  }
  return options;
}

export function sshTimeoutMs(args: SshArgs): number {
  return (numberFlag('--ssh-timeout', args.sshTimeout, { min: 5, expect: 'a number of seconds, at least 5' }) ?? 60) * 1000;
}

export function sshSettings(args: SshArgs, text: string): SshSettings {
  return { target: sshTarget(text), text, options: sshOptionValues(args.sshOption), timeoutMs: sshTimeoutMs(args) };
}

export function requireSsh(args: SshArgs, why: string): string {
  const text = single('--ssh', args.ssh);
  if (!text) usage(why);
  return text;
}
