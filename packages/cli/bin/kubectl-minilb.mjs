#!/usr/bin/env node
// `kubectl minilb`: see run-bundle.mjs.
import { runBundle } from './run-bundle.mjs';

await runBundle('kubectl minilb');
