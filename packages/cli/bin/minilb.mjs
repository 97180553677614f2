#!/usr/bin/env node
// `minilb`: see run-bundle.mjs.
import { runBundle } from './run-bundle.mjs';

await runBundle('minilb');
