// Entry point of the attacker's own process: the attack runs on another event loop (and core)
// than the legitimate client's probes, as it would from another host. Reads one AttackSpec as
// JSON from argv, prints the result as JSON, exits.

import { runAttack, type AttackSpec } from './attackers.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as AttackSpec;
const result = await runAttack(spec, () => process.stdout.write('ready\n'));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
