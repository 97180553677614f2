// `minilb doctor --router ssh://...`: reads the router and plans as `minilb routes --apply
// --dry-run` would, changing nothing; every route missing, wrong, stale or held by someone
// else in that plan becomes a finding.

import { desiredRoutes, type ClusterObject, type TrimmedNode } from 'minilb-server';
import { CliError } from '../exit-codes.js';
import { sshRunner } from '../routes/router/ssh-session.js';
import { formatSshTarget } from '../routes/router/ssh-target.js';
import type { SshSettings } from '../routes/router/ssh-flags.js';
import type { RouterKind } from '../routes/router/router-driver.js';
import { planLine } from '../routes/router/plan-report.js';
import type { PlanAction } from '../routes/router/route-plan.js';
import { OffLinkRefusal, syncRouter } from '../routes/router/sync-router.js';
import type { Finding } from './cluster-findings.js';

const planFixes: Partial<Record<PlanAction['op'], string>> = {
  add: 'the route is missing: run minilb routes --apply --ssh <router>',
  change: 'the route points elsewhere: run minilb routes --apply --ssh <router>',
  remove: 'a stale minilb route for a node that is gone: run minilb routes --apply --ssh <router>',
  conflict: 'a route minilb does not own holds this podCIDR: remove it by hand, then run minilb routes --apply',
};

export async function checkRouter(
  ssh: SshSettings,
  objects: ClusterObject[],
  options: { kind: RouterKind | 'auto'; proto: number },
): Promise<Finding[]> {
  const router = ssh.text;
  const nodes = objects.filter((o): o is TrimmedNode => o.kind === 'Node');
  let plan: readonly PlanAction[];
  try {
    ({ plan } = await syncRouter(desiredRoutes(nodes).routes, {
      runner: sshRunner({ target: ssh.target, options: ssh.options, timeoutMs: ssh.timeoutMs }),
      target: formatSshTarget(ssh.target),
      router: options.kind,
      config: { proto: options.proto, uciInterface: 'lan' },
      prune: true,
      allowEmpty: true,
      dryRun: true,
      verbose: false,
      confirm: undefined,
      out: () => {},
      err: () => {},
    }));
  } catch (err) {
    // An off-link next hop is a finding about the router, not a failure to check it: one per
    // next hop, as `routes --apply` lists them all.
    if (err instanceof OffLinkRefusal) {
      return err.hops.map((hop) => ({
        check: 'router' as const,
        objects: [`Router ${router}`, `Node ${hop.node}`],
        message: `router ${router}: ${hop.line}`,
        fix: "check the nodes' InternalIPs, or give the router an address on their network",
      }));
    }
    throw err instanceof CliError ? new Error(err.message.split('\n')[0]) : err;
  }
  return plan.flatMap((action) => {
    const fix = planFixes[action.op];
    if (!fix) return [];
    const node = 'route' in action ? [`Node ${action.route.node}`] : [];
    return [{ check: 'router' as const, objects: [`Router ${router}`, ...node], message: `router ${router}: ${planLine(action)}`, fix }];
  });
}
