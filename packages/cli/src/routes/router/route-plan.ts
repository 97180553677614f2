// What to change on a router so it holds exactly the desired routes minilb owns: pure, so every
// case (add, change, stale, a foreign route on the same prefix, nothing to do) is unit-tested.

import { comparePrefixes, parsePrefix, type PodRoute } from 'minilb-server';
import type { RouterRoute } from './router-route.js';

// One route minilb already owns on the router (a proto-N route on Linux, a minilb_ UCI section
// on OpenWrt). `key` says which desired route it stands for; `issues` are what is wrong with it
// besides its prefix and next hop (a missing kernel route, another interface), as the driver sees it.
export interface OwnedRoute {
  key: string;
  recordedIn: 'kernel' | 'uci'; // where the ownership is written: the route's proto, or a UCI section
  cidr: string;
  via: string | undefined;
  issues: string[];
  text: string; // how to name it in the plan
  kernel: RouterRoute | undefined; // the kernel route that carries it, when there is one
}

// A route on the router that minilb does not own.
export interface ForeignRoute {
  cidr: string;
  text: string;
}

export interface DesiredRoute {
  key: string;
  route: PodRoute;
}

export type PlanAction =
  | { op: 'add'; key: string; route: PodRoute }
  | { op: 'change'; key: string; route: PodRoute; current: OwnedRoute; reasons: string[] }
  | { op: 'remove'; key: string; current: OwnedRoute }
  | { op: 'conflict'; key: string; route: PodRoute; foreign: ForeignRoute[] }
  | { op: 'keep'; key: string; route: PodRoute; current: OwnedRoute }
  | { op: 'stale'; key: string; current: OwnedRoute }; // would be removed, but --no-prune

export type ChangeAction = Extract<PlanAction, { op: 'add' | 'change' | 'remove' }>;

export interface PlanInput {
  desired: readonly DesiredRoute[];
  owned: readonly OwnedRoute[];
  foreign: readonly ForeignRoute[];
  prune: boolean;
}

export function isChange(action: PlanAction): action is ChangeAction {
  return action.op === 'add' || action.op === 'change' || action.op === 'remove';
}

const opOrder: Record<PlanAction['op'], number> = { remove: 0, stale: 1, change: 2, add: 3, conflict: 4, keep: 5 };

function cidrOf(action: PlanAction): string {
  return 'route' in action ? action.route.cidr : action.current.cidr;
}

function compareActions(a: PlanAction, b: PlanAction): number {
  const pa = parsePrefix(cidrOf(a))?.prefix;
  const pb = parsePrefix(cidrOf(b))?.prefix;
  const byPrefix = pa && pb ? comparePrefixes(pa, pb) : cidrOf(a) < cidrOf(b) ? -1 : cidrOf(a) > cidrOf(b) ? 1 : 0;
  return byPrefix || opOrder[a.op] - opOrder[b.op] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function computeRoutePlan(input: PlanInput): PlanAction[] {
  const owned = new Map<string, OwnedRoute>();
  const extra: OwnedRoute[] = []; // a second record under one key is never the desired one
  for (const o of input.owned) {
    if (owned.has(o.key)) extra.push(o);
    else owned.set(o.key, o);
  }
  const actions: PlanAction[] = [];
  const desiredKeys = new Set<string>();
  for (const { key, route } of input.desired) {
    desiredKeys.add(key);
    const foreign = input.foreign.filter((f) => f.cidr === route.cidr);
    const current = owned.get(key);
    if (foreign.length > 0) {
      // Replacing would overwrite someone else's route (iproute2's replace ignores proto), and
      // adding beside it would silently win or lose on metric: leave the prefix alone and say so.
      actions.push({ op: 'conflict', key, route, foreign });
    } else if (!current) {
      actions.push({ op: 'add', key, route });
    } else {
      const reasons: string[] = [];
      if (current.cidr !== route.cidr) reasons.push(`was ${current.cidr}`);
      if (current.via !== route.via) reasons.push(current.via ? `was via ${current.via}` : 'had no single next hop');
      reasons.push(...current.issues);
      actions.push(reasons.length > 0 ? { op: 'change', key, route, current, reasons } : { op: 'keep', key, route, current });
    }
  }
  for (const current of [...owned.values(), ...extra]) {
    if (desiredKeys.has(current.key) && owned.get(current.key) === current) continue;
    actions.push({ op: input.prune ? 'remove' : 'stale', key: current.key, current });
  }
  return actions.sort(compareActions);
}
