// What a kind of router (Linux with iproute2, OpenWrt with UCI and BusyBox) must provide: the
// steps that read its state, that state in the planner's terms, and the steps that change it.

import type { PodRoute, RouteProblem } from 'minilb-server';
import type { NextHopCheck } from './next-hop-check.js';
import type { StepResult, ScriptStep } from './remote-script.js';
import type { ChangeAction, DesiredRoute, ForeignRoute, OwnedRoute } from './route-plan.js';

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
