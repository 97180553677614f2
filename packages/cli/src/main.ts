#!/usr/bin/env node
// The `minilb` (and `minilb-cli`) command: one yargs command per concern. Errors reach the user
// as one message and an exit status from exit-codes.ts.

import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CliError, exitCodes } from './exit-codes.js';
import { corefileCommand } from './corefile/corefile-command.js';
import { doctorCommand } from './doctor/doctor-command.js';
import { inspectCommand } from './inspect/inspect-command.js';
import { routesCommand } from './routes/routes-command.js';


function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const parser = yargs(argv)
    .scriptName('minilb')
    .command(routesCommand)
    .command(inspectCommand)
    .command(corefileCommand)
    .command(doctorCommand)
    .demandCommand(1, 'give a command: routes, inspect, corefile or doctor')
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((message, err) => {
      if (err) throw err;
      process.stderr.write(`minilb: ${message}\nRun "minilb --help" for usage.\n`);
      exitCode = exitCodes.usage;
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
    return exitCode !== exitCodes.ok ? exitCode : Number(process.exitCode ?? exitCodes.ok);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`minilb: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`minilb: unexpected error (please report it): ${(err as Error).stack ?? String(err)}\n`);
    return exitCodes.failure;
  }
}

// `minilb routes | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(hideBin(process.argv));
