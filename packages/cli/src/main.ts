#!/usr/bin/env node
// The `minilb` (and `minilb-cli`) command, unbundled; the published bins run the same program
// from the one-file bundle (bin/, dist/minilb.mjs).

import { hideBin } from 'yargs/helpers';
import { runAsProcess } from './program.js';

await runAsProcess('minilb', hideBin(process.argv));
