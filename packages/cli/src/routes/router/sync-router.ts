// One pass of `minilb routes --apply`: read the router, plan, check next hops, ask, apply,
// re-read and verify. Everything the router says comes back through one ssh session per stage.

import type { PodRoute } from 'minilb-server';
import { CliError, exitCodes, type ExitCode } from '../../exit-codes.js';
import type { Confirm } from './confirm.js';
import { linuxRouter } from './linux-router.js';
import { openwrtRouter } from './openwrt-router.js';
import { planLine, planReport } from './plan-report.js';
import { buildScript, parseScriptOutput, type ScriptOutput, type ScriptStep } from './remote-script.js';
import { RouterReadError, routerKinds, type DriverConfig, type RouterDriver, type RouterKind, type RouterState } from './router-driver.js';
import { computeRoutePlan, isChange, type PlanAction } from './route-plan.js';
import type { ScriptRunner } from './ssh-session.js';

export interface SyncOptions {
  runner: ScriptRunner;
  target: string; // as the user wrote it, for messages
  router: RouterKind | 'auto';
  config: DriverConfig;
  prune: boolean;
  allowEmpty: boolean; // let an empty cluster remove every route minilb owns
  dryRun: boolean;
  verbose: boolean;
  confirm: Confirm | undefined; // undefined when --yes
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface SyncResult {
  exitCode: ExitCode;
  kind: RouterKind;
  applied: number; // changes made and verified
  plan: readonly PlanAction[]; // what the router looked like against the cluster, before applying
}

const openwrtTest = '[ -f /etc/openwrt_release ]';
const detectStep: ScriptStep = { name: 'detect', command: `if ${openwrtTest}; then echo openwrt; else echo linux; fi` };

function drivers(config: DriverConfig): Record<RouterKind, RouterDriver> {
  return { linux: linuxRouter(config), openwrt: openwrtRouter(config) };
}

// The read steps of each candidate driver, prefixed by stage and kind; with `auto` both are
// sent and the router's own /etc/openwrt_release picks which one runs, saving a round trip.
function readSteps(stage: string, kinds: readonly RouterKind[], all: Record<RouterKind, RouterDriver>, hops: string[]): ScriptStep[] {
  return kinds.flatMap((kind) =>
    all[kind].readSteps(hops).map((step) => ({
      ...step,
      name: `${stage}.${kind}.${step.name}`,
      ...(kinds.length > 1 ? { test: kind === 'openwrt' ? openwrtTest : `! ${openwrtTest}` } : {}),
    })),
  );
}

async function run(opts: SyncOptions, script: string, stage: string): Promise<ScriptOutput> {
  const result = await opts.runner(script);
  const stderr = result.stderr.trim();
  if (result.exitCode === 255) {
    throw new CliError(`ssh ${opts.target} failed${stderr ? `: ${stderr}` : ''}${stage === 'apply' ? mayBePartial : ''}`, exitCodes.ssh);
  }
  const parsed = parseScriptOutput(result.stdout);
  if (!parsed.complete) {
    const how = result.signal ? `was ended by ${result.signal}` : `exited ${result.exitCode}`;
    throw new CliError(
      `the script on ${opts.target} stopped early (ssh ${how})${stderr ? `: ${stderr}` : ''}${stage === 'apply' ? mayBePartial : ''}`,
      exitCodes.ssh,
    );
  }
  return parsed;
}

// The plan is refused because some next hops are not on-link; `hops` lists every one of them.
export class OffLinkRefusal extends CliError {
  constructor(readonly hops: { node: string; line: string }[]) {
    super(
      `refused: every next hop must be on-link on the router, and these are not:\n${hops.map((h) => `  ${h.line}`).join('\n')}\n` +
        "Nothing was changed. Check the nodes' InternalIPs, or that the router has an address on their network.",
      exitCodes.refused,
    );
  }
}

const mayBePartial = '\nThe router may be partly changed: run again to see what is left.';

function parseState(opts: SyncOptions, driver: RouterDriver, output: ScriptOutput, stage: string, hops: string[]): RouterState {
  try {
    return driver.parseState((name) => output.steps.get(`${stage}.${driver.kind}.${name}`), hops);
  } catch (err) {
    if (err instanceof RouterReadError) {
      throw new CliError(`cannot read the routes on ${opts.target} (${driver.kind}): ${err.message}`, exitCodes.refused);
    }
    throw err;
  }
}

function header(opts: SyncOptions, kind: RouterKind): string {
  const owner =
    kind === 'linux'
      ? `routes with proto ${opts.config.proto}`
      : `UCI sections minilb_*, interface ${opts.config.uciInterface}, proto ${opts.config.proto}`;
  return `Router ${opts.target} (${kind}; minilb owns ${owner}):`;
}

export async function syncRouter(routes: readonly PodRoute[], opts: SyncOptions): Promise<SyncResult> {
  const all = drivers(opts.config);
  const hops = [...new Set(routes.map((r) => r.via))];
  const candidates = opts.router === 'auto' ? routerKinds : [opts.router];

  const read = await run(opts, buildScript([detectStep, ...readSteps('read', candidates, all, hops)]), 'read');
  const detected: RouterKind = read.steps.get('detect')?.output.trim() === 'openwrt' ? 'openwrt' : 'linux';
  const kind = opts.router === 'auto' ? detected : opts.router;
  if (kind !== detected) {
    opts.err(`warning: --router ${kind}, but ${opts.target} looks like ${detected === 'openwrt' ? 'OpenWrt (/etc/openwrt_release)' : 'not OpenWrt'}`);
  }
  const driver = all[kind];
  const state = parseState(opts, driver, read, 'read', hops);

  const { desired, problems } = driver.desired(routes);
  for (const p of problems) opts.err(`warning: ${p.message}`);
  const plan = computeRoutePlan({ desired, owned: state.owned, foreign: state.foreign, prune: opts.prune });
  opts.out(header(opts, kind));
  for (const line of planReport(plan, opts.verbose)) opts.out(line);
  const conflicts = plan.some((a) => a.op === 'conflict');
  const settled: ExitCode = conflicts ? exitCodes.conflicts : exitCodes.ok;

  if (state.refusal) throw new CliError(`refused: ${state.refusal}\nNothing was changed.`, exitCodes.refused);
  const changes = plan.filter(isChange);
  const removals = changes.filter((a) => a.op === 'remove').length;
  if (desired.length === 0 && removals > 0 && !opts.allowEmpty) {
    // A wrong --manifests path or kubeconfig context looks exactly like this.
    throw new CliError(
      `refused: the cluster gives no routes at all, and applying would remove all ${removals} of minilb's routes from ${opts.target}.\n` +
        'Check --manifests / --kubeconfig / --context; pass --allow-empty if that is really what you want. Nothing was changed.',
      exitCodes.refused,
    );
  }
  const offLink = changes.flatMap((a) => {
    if (a.op === 'remove') return [];
    const check = state.hops.get(a.route.via);
    return check && !check.onLink ? [{ node: a.route.node, line: `next hop ${a.route.via} of ${a.route.cidr} (node ${a.route.node}): ${check.why}` }] : [];
  });
  if (offLink.length > 0) throw new OffLinkRefusal(offLink);
  if (changes.length === 0) {
    opts.out(conflicts ? 'Nothing minilb may change: the conflicts above need a person.' : 'Nothing to change.');
    return { exitCode: settled, kind, applied: 0, plan };
  }
  if (opts.dryRun) {
    opts.out('Dry run: nothing was changed.');
    return { exitCode: settled, kind, applied: 0, plan };
  }
  if (opts.confirm && !(await opts.confirm(`Apply ${changes.length} change(s) to ${opts.target}?`))) {
    throw new CliError('Not confirmed: nothing was changed.', exitCodes.notConfirmed);
  }

  const applied = driver.applySteps(changes);
  const script = buildScript([...applied.map((a) => a.step), ...readSteps('verify', [kind], all, hops)]);
  const output = await run(opts, script, 'apply');
  for (const { step, label } of applied) {
    const result = output.steps.get(step.name);
    if (!result) opts.err(`not reported: ${label}`);
    else if (result.status === 'skipped') {
      if (step.when !== 'if-failed') opts.err(`not run: ${label} (an earlier step failed)`);
    } else if (result.status !== 0) opts.err(`failed: ${label}: ${result.output.trim() || `exit ${result.status}`}`);
    else if (step.when === 'if-failed') opts.err(`reverted the uncommitted UCI edits: ${label}`);
  }

  // Verify against what the router now says, not against what the commands returned.
  const after = parseState(opts, driver, output, 'verify', hops);
  // On OpenWrt, `uci show` includes uncommitted edits: the routes only survive a reload once
  // `uci changes` is empty again, so pending changes after our commit mean it did not take.
  if (after.refusal) {
    opts.out(`Not applied: the UCI edits are not committed on ${opts.target} (\`uci changes network\` still lists them after \`uci commit network\`).`);
    opts.out('Check the router (a full overlay, a read-only /etc/config), then run again.');
    return { exitCode: exitCodes.applyFailed, kind, applied: 0, plan };
  }
  const left = computeRoutePlan({ desired, owned: after.owned, foreign: after.foreign, prune: opts.prune }).filter(isChange);
  if (left.length > 0) {
    opts.out(`Not applied (${left.length} of ${changes.length}); the rest of the router is as it was:`);
    for (const action of left) opts.out(planLine(action));
    return { exitCode: exitCodes.applyFailed, kind, applied: changes.length - left.length, plan };
  }
  opts.out(`Applied ${changes.length} change(s); ${opts.target} now matches the cluster${conflicts ? ', conflicts aside' : ''}.`);
  return { exitCode: settled, kind, applied: changes.length, plan };
}

