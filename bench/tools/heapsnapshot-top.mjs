// Summarises a V8 .heapsnapshot (node --heapsnapshot-signal, or --heap-prof's sibling): self
// size and count by constructor or string kind, largest first.
// Usage: node --max-old-space-size=8192 bench/tools/heapsnapshot-top.mjs FILE [N]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/tools/heapsnapshot-top.mjs FILE.heapsnapshot [N]');
  process.exit(2);
}
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const fields = meta.node_fields;
const types = meta.node_types[0];
const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
const width = fields.length;
const nodes = snap.nodes;
const strings = snap.strings;
const groups = new Map();
let total = 0;
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + iType]];
  const size = nodes[i + iSize];
  total += size;
  const key = type === 'object' || type === 'closure' || type === 'native' ? `${type}:${strings[nodes[i + iName]]}` : type;
  const g = groups.get(key) ?? { size: 0, count: 0 };
  g.size += size;
  g.count++;
  groups.set(key, g);
}
const mib = (b) => (b / 2 ** 20).toFixed(2).padStart(8);
console.log(`total self size ${mib(total)} MiB in ${nodes.length / width} nodes`);
for (const [k, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, Number(topArg ?? 40))) {
  console.log(`${mib(g.size)} MiB ${String(g.count).padStart(9)}  ${k}`);
}
