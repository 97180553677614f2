// What a kind of router (Linux with iproute2, OpenWrt with UCI and BusyBox) must provide: the
// steps that read its state, that state in the planner's terms, and the steps that change it.

import type { PodRoute, RouteProblem } from 'minilb-server';
import type { NextHopCheck } from './next-hop-check.js';
import type { StepResult, ScriptStep } from './remote-script.js';
import type { ChangeAction, DesiredRoute, ForeignRoute, OwnedRoute } from './route-plan.js';
import type { RouterRoute } from './router-route.js';
import { shellCommand } from './shell-quote.js';

export const routerKinds = ['linux', 'openwrt'] as const;
export type RouterKind = (typeof routerKinds)[number];

export interface DriverConfig {
  proto: number; // the route protocol number that marks minilb's routes
  uciInterface: string; // OpenWrt: the logical interface the next hops are on
}

export interface RouterState {
  owned: OwnedRoute[];
  foreign: ForeignRoute[];
  hops: Map<string, NextHopCheck>;
  // A reason to change nothing at all (someone else's pending UCI edits), or undefined.
  refusal: string | undefined;
}

// Step output by the step's base name; undefined when the step did not run.
export type StepOutputs = (name: string) => StepResult | undefined;

// The state could not be read: a missing tool, output that makes no sense.
export class RouterReadError extends Error {}

export interface AppliedStep {
  step: ScriptStep;
  label: string; // the command as the operator would type it
}

export interface RouterDriver {
  kind: RouterKind;
  desired(routes: readonly PodRoute[]): { desired: DesiredRoute[]; problems: RouteProblem[] };
  readSteps(hops: readonly string[]): ScriptStep[];
  parseState(outputs: StepOutputs, hops: readonly string[]): RouterState;
  applySteps(actions: readonly ChangeAction[]): AppliedStep[];
}

export function hopStepName(index: number): string {
  return `hop${index}`;
}

export function requireStep(outputs: StepOutputs, name: string, what: string): StepResult {
  const result = outputs(name);
  if (!result || result.status === 'skipped') throw new RouterReadError(`the router did not report ${what}`);
  return result;
}

// One `ip route get <hop>` step per next hop (`routeGet` is the command without the hop), and
// their verdicts: every next hop is checked before anything changes.
export function hopSteps(hops: readonly string[], routeGet: readonly string[]): ScriptStep[] {
  return hops.map((hop, i) => ({ name: hopStepName(i), command: shellCommand([...routeGet, hop]) }));
}

export function readHopChecks(
  outputs: StepOutputs,
  hops: readonly string[],
  parse: (hop: string, output: string, status: number) => NextHopCheck,
): Map<string, NextHopCheck> {
  const checks = new Map<string, NextHopCheck>();
  hops.forEach((hop, i) => {
    const result = requireStep(outputs, hopStepName(i), `whether ${hop} is on-link`);
    checks.set(hop, parse(hop, result.output, result.status as number));
  });
  return checks;
}

// Kernel routes with minilb's proto are its own (recorded in the kernel); the rest are foreign.
export function splitByProto(
  routes: readonly RouterRoute[],
  proto: string,
  ownedAs: (route: RouterRoute) => { key: string; issues: string[] },
): { owned: OwnedRoute[]; foreign: ForeignRoute[] } {
  const owned: OwnedRoute[] = [];
  const foreign: ForeignRoute[] = [];
  for (const route of routes) {
    if (route.proto === proto) {
      owned.push({ ...ownedAs(route), recordedIn: 'kernel', cidr: route.cidr, via: route.via, text: route.text, kernel: route });
    } else {
      foreign.push({ cidr: route.cidr, text: route.text });
    }
  }
  return { owned, foreign };
}
