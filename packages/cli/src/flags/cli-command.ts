// What a command is to the program: its yargs flags, and `prepare`, which checks every flag
// and returns the work to do. Nothing runs until prepare has accepted all of them.

import type { Argv } from 'yargs';

export interface PreparedRun {
  notes: string[]; // deprecation notes, printed once the flags are accepted
  run: () => Promise<number>; // the exit status
}

export interface CliCommand<A> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  prepare: (args: A) => PreparedRun;
}
