// The command line, shared by `minilb`/`minilb-cli` and the kubectl plugin `kubectl-minilb`:
// yargs parses, each command's `prepare` checks every flag, and only then does anything run.
// Errors reach the user as one line and an exit status from exit-codes.ts.

import yargs, { type Argv } from 'yargs';
import { corefileCommand } from './corefile/corefile-command.js';
import { doctorCommand } from './doctor/doctor-command.js';
import { CliError, exitCodes } from './exit-codes.js';
import type { CliCommand, PreparedRun } from './flags/cli-command.js';
import { yargsFailureLine } from './flags/yargs-failure.js';
import { inspectCommand } from './inspect/inspect-command.js';
import { programVersion } from './program-version.js';
import { routesCommand } from './routes/routes-command.js';
import { secondaryCommand } from './secondary/secondary-command.js';

export type ProgramName = 'minilb' | 'kubectl minilb';

const commands: CliCommand<never>[] = [routesCommand, inspectCommand, corefileCommand, doctorCommand, secondaryCommand] as unknown as CliCommand<never>[];
const commandNames = commands.map((c) => c.command.split(' ')[0]!);

function parser(program: ProgramName, argv: string[], chosen: (run: PreparedRun) => void): Argv {
  let y = yargs(argv)
    .scriptName(program)
    // Go-style single-dash flags (`-manifests f.yaml`), as the server takes them.
    .parserConfiguration({ 'short-option-groups': false })
    .strict()
    .help()
    .alias('h', 'help')
    .version(programVersion())
    .wrap(Math.min(110, process.stdout.columns || 110))
    .demandCommand(1, `give a command: ${commandNames.join(', ')}`)
    .exitProcess(false)
    // Throwing here stops yargs before any command handler runs.
    .fail((message, err) => {
      throw err ?? new CliError(yargsFailureLine(message ?? '', argv, commandNames), exitCodes.usage);
    });
  for (const command of commands) {
    y = y.command(command.command, command.describe, command.builder as (y: Argv) => Argv, (args) => {
      chosen(command.prepare(args as never));
    });
  }
  return y;
}

function usageHint(program: ProgramName, argv: readonly string[]): string {
  const command = argv.find((a) => commandNames.includes(a));
  return `run "${program}${command ? ` ${command}` : ''} --help" for the flags`;
}

export async function runProgram(program: ProgramName, argv: string[]): Promise<number> {
  let prepared: PreparedRun | undefined;
  try {
    await parser(program, argv, (p) => (prepared = p)).parseAsync();
  } catch (err) {
    if (err instanceof CliError && err.exitCode === exitCodes.usage) {
      process.stderr.write(`${program}: ${err.message} (${usageHint(program, argv)})\n`);
      return err.exitCode;
    }
    return report(program, err);
  }
  // --help and --version printed and ran nothing.
  if (!prepared) return exitCodes.ok;
  const { notes, run } = prepared as PreparedRun;
  for (const note of notes) process.stderr.write(`${program}: note: ${note}\n`);
  try {
    return await run();
  } catch (err) {
    return report(program, err);
  }
}

function report(program: ProgramName, err: unknown): number {
  if (err instanceof CliError) {
    process.stderr.write(`${program}: ${err.message}\n`);
    return err.exitCode;
  }
  process.stderr.write(`${program}: unexpected error (please report it): ${(err as Error).stack ?? String(err)}\n`);
  return exitCodes.failure;
}

// What a bin does: run, and set the exit status. `minilb routes | head` closes stdout early;
// that is the reader's choice, not an error.
export async function runAsProcess(program: ProgramName, argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  process.exitCode = await runProgram(program, argv);
}
