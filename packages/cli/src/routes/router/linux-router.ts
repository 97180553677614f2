// Linux routers with iproute2: ownership is the route protocol number (proto 250 unless
// --proto), read with `ip -j`, changed with `ip route add|replace|del ... proto N`, never flushed.

import type { PodRoute } from 'minilb-server';
import { parseIpJsonRoutes, RouteOutputError } from './ip-json-routes.js';
import { parseRouteGetJson } from './next-hop-check.js';
import {
  RouterReadError,
  hopSteps,
  readHopChecks,
  requireStep,
  splitByProto,
  type AppliedStep,
  type DriverConfig,
  type RouterDriver,
  type RouterState,
  type StepOutputs,
} from './router-driver.js';
import { defaultMetric, familyFlag, type RouterRoute } from './router-route.js';
import { shellCommand } from './shell-quote.js';

// An owned route at a non-default metric is not the one `ip route replace` would update, so it
// gets its own key and is removed as stale rather than mistaken for the desired route.
function ownedKey(route: RouterRoute): string {
  return route.metric === undefined || route.metric === defaultMetric(route.family)
    ? route.cidr
    : `${route.cidr} metric ${route.metric}`;
}

function readRoutes(outputs: StepOutputs, name: string, family: 4 | 6): RouterRoute[] {
  const result = requireStep(outputs, name, `its IPv${family} routes`);
  if (result.status !== 0) {
    const hint = /unknown|invalid|usage/i.test(result.output)
      ? ': this `ip` has no JSON output (iproute2 older than 4.13, or BusyBox); for OpenWrt use --router openwrt'
      : '';
    throw new RouterReadError(`reading IPv${family} routes failed: ${result.output.trim()}${hint}`);
  }
  try {
    return parseIpJsonRoutes(result.output, family);
  } catch (err) {
    if (err instanceof RouteOutputError) throw new RouterReadError(err.message);
    throw err;
  }
}

export function linuxRouter(config: DriverConfig): RouterDriver {
  const proto = String(config.proto);
  return {
    kind: 'linux',

    desired(routes: readonly PodRoute[]) {
      return { desired: routes.map((route) => ({ key: route.cidr, route })), problems: [] };
    },

    readSteps(hops) {
      // -N prints protocol numbers even where /etc/iproute2/rt_protos names 250; older ip lacks -N.
      const list = (f: string): string =>
        `ip -N -j ${f} route show table main 2>/dev/null || ip -j ${f} route show table main`;
      return [
        { name: 'routes4', command: list('-4') },
        { name: 'routes6', command: list('-6') },
        ...hopSteps(hops, ['ip', '-j', 'route', 'get']),
      ];
    },

    parseState(outputs, hops): RouterState {
      const routes = [...readRoutes(outputs, 'routes4', 4), ...readRoutes(outputs, 'routes6', 6)];
      const { owned, foreign } = splitByProto(routes, proto, (route) => ({
        key: ownedKey(route),
        issues: route.type === 'unicast' ? [] : [`is a ${route.type} route`],
      }));
      return { owned, foreign, hops: readHopChecks(outputs, hops, parseRouteGetJson), refusal: undefined };
    },

    applySteps(actions): AppliedStep[] {
      return actions.map((action, i) => {
        let argv: string[];
        if (action.op === 'remove') {
          const k = action.current.kernel;
          argv = ['ip', familyFlag(action.current.cidr), 'route', 'del'];
          if (k && k.type !== 'unicast') argv.push(k.type);
          argv.push(action.current.cidr);
          if (action.current.via) argv.push('via', action.current.via);
          argv.push('proto', proto);
          if (k?.metric !== undefined) argv.push('metric', String(k.metric));
        } else {
          // `add` for a new route fails if someone else's appeared meanwhile; `replace` (which
          // ignores proto) is only ever pointed at a route that is already ours.
          const verb = action.op === 'add' ? 'add' : 'replace';
          argv = ['ip', familyFlag(action.route.cidr), 'route', verb, action.route.cidr, 'via', action.route.via, 'proto', proto];
        }
        const command = shellCommand(argv);
        return { step: { name: `apply${i}`, command }, label: command };
      });
    },
  };
}
