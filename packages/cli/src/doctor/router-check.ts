// `minilb doctor --router ssh://...`: reads the router and plans as `minilb routes --apply
// --dry-run` would, changing nothing; every route missing, wrong, stale or held by someone
// else becomes a finding.

import type { ClusterObject, TrimmedNode } from 'minilb-server/index/cluster-objects';
import { desiredRoutes } from 'minilb-server/routes/pod-cidr-routes';
import { CliError } from '../exit-codes.js';
import { sshRunner } from '../routes/router/ssh-session.js';
import { formatSshTarget, parseSshTarget } from '../routes/router/ssh-target.js';
import { syncRouter } from '../routes/router/sync-router.js';
import type { Finding } from './cluster-findings.js';

const planFixes: Record<string, string> = {
  '+': 'the route is missing: run minilb routes --apply --ssh <router>',
  '~': 'the route points elsewhere: run minilb routes --apply --ssh <router>',
  '-': 'a stale minilb route for a node that is gone: run minilb routes --apply --ssh <router>',
  '!': 'a route minilb does not own holds this podCIDR: remove it by hand, then run minilb routes --apply',
};

export async function checkRouter(
  router: string,
  objects: ClusterObject[],
  options: { sshOptions: string[]; proto: number; timeoutMs?: number },
): Promise<Finding[]> {
  const target = parseSshTarget(router.replace(/^ssh:\/\//, ''));
  const nodes = objects.filter((o): o is TrimmedNode => o.kind === 'Node');
  const lines: string[] = [];
  try {
    await syncRouter(desiredRoutes(nodes).routes, {
      runner: sshRunner({ target, options: options.sshOptions, timeoutMs: options.timeoutMs ?? 30_000 }),
      target: formatSshTarget(target),
      router: 'auto',
      config: { proto: options.proto, uciInterface: 'lan' },
      prune: true,
      allowEmpty: true,
      dryRun: true,
      verbose: false,
      confirm: undefined,
      out: (line) => lines.push(line),
      err: () => {},
    });
  } catch (err) {
    if (err instanceof CliError && !/^refused: every next hop/.test(err.message)) throw new Error(err.message.split('\n')[0]);
    // An off-link next hop is a finding about the router, not a failure to check it.
    if (err instanceof CliError) {
      return [{ check: 'router', objects: [`Router ${router}`], message: err.message.split('\n').slice(0, 2).join(' '), fix: "check the nodes' InternalIPs, or give the router an address on their network" }];
    }
    throw err;
  }
  return lines
    .filter((line) => /^[+~!-] /.test(line))
    .map((line) => ({
      check: 'router' as const,
      objects: [`Router ${router}`, ...(/\(node ([^)]+)\)/.exec(line) ? [`Node ${/\(node ([^)]+)\)/.exec(line)![1]}`] : [])],
      message: `router ${router}: ${line}`,
      fix: planFixes[line[0]!]!,
    }));
}
