// Prints a plan the way an operator reads it: `+` add, `~` change, `-` remove stale,
// `!` conflict with a route minilb does not own, `=` already in place (with --verbose).

import type { PlanAction } from './route-plan.js';

const node = (action: { route: { node: string } }): string => `(node ${action.route.node})`;

export function planLine(action: PlanAction): string {
  switch (action.op) {
    case 'add':
      return `+ ${action.route.cidr} via ${action.route.via} ${node(action)}`;
    case 'change':
      return `~ ${action.route.cidr} via ${action.route.via} ${node(action)}: ${action.reasons.join('; ')}`;
    case 'remove':
      return `- ${action.current.text}: no node has this podCIDR any more`;
    case 'stale':
      return `  ${action.current.text}: no node has this podCIDR any more; kept (--no-prune)`;
    case 'conflict':
      return (
        `! ${action.route.cidr} via ${action.route.via} ${node(action)}: the router has ` +
        `${action.foreign.map((f) => f.text).join(' and ')}, which minilb does not own; left untouched`
      );
    case 'keep':
      return `= ${action.route.cidr} via ${action.route.via} ${node(action)}`;
  }
}

export interface PlanSummary {
  add: number;
  change: number;
  remove: number;
  conflict: number;
  keep: number;
  stale: number;
}

export function summarizePlan(actions: readonly PlanAction[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, remove: 0, conflict: 0, keep: 0, stale: 0 };
  for (const a of actions) s[a.op]++;
  return s;
}

export function planReport(actions: readonly PlanAction[], verbose: boolean): string[] {
  const lines = actions.filter((a) => verbose || a.op !== 'keep').map(planLine);
  const s = summarizePlan(actions);
  const parts = [
    `${s.add} to add`,
    `${s.change} to change`,
    `${s.remove} to remove`,
    `${s.keep} in place`,
    ...(s.conflict > 0 ? [`${s.conflict} in conflict`] : []),
    ...(s.stale > 0 ? [`${s.stale} stale kept`] : []),
  ];
  lines.push(`Plan: ${parts.join(', ')}.`);
  return lines;
}
