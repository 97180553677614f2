// OpenWrt routers: minilb's routes are named UCI sections (network.minilb_<node>_v4), committed
// and then put into the kernel with `ip route replace ... proto N`, which netifd adopts.
// BusyBox `ip` prints no protocol and `flush proto` wipes the table, so UCI is the ownership record.

import { canonicalIp, canonicalPrefix, parseIpAddress, type PodRoute } from 'minilb-server';
import { parseIpTextRoutes } from './ip-text-routes.js';
import { parseRouteGetText } from './next-hop-check.js';
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
import { familyFlag, type RouterRoute } from './router-route.js';
import type { ChangeAction, ForeignRoute, OwnedRoute } from './route-plan.js';
import { shellCommand } from './shell-quote.js';
import { assignUciSections, uciCommandLine, uciDeleteArgs, uciSectionPrefix, uciSetArgs } from './uci-sections.js';
import { parseUciShow, type UciSection } from './uci-show.js';

function option(section: UciSection, name: string): string | undefined {
  return section.options.get(name)?.[0];
}

// A UCI route target: CIDR, or the older target + netmask pair.
function sectionCidr(section: UciSection): string | undefined {
  const target = option(section, 'target');
  if (!target) return undefined;
  const netmask = option(section, 'netmask');
  if (target.includes('/') || !netmask) return canonicalPrefix(target);
  const mask = parseIpAddress(netmask);
  if (!mask || mask.family !== 4) return undefined;
  const bits = Array.from(mask.bytes, (b) => b.toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return undefined;
  return canonicalPrefix(`${target}/${bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')}`);
}

function readKernelRoutes(outputs: StepOutputs, name: string, family: 4 | 6): RouterRoute[] {
  const result = requireStep(outputs, name, `its IPv${family} routes`);
  if (result.status !== 0) throw new RouterReadError(`reading IPv${family} routes failed: ${result.output.trim()}`);
  return parseIpTextRoutes(result.output, family);
}

export function openwrtRouter(config: DriverConfig): RouterDriver {
  const proto = String(config.proto);
  return {
    kind: 'openwrt',

    desired(routes: readonly PodRoute[]) {
      const { routes: entries, problems } = assignUciSections(routes);
      return { desired: entries.map((e) => ({ key: e.section, route: e.route })), problems };
    },

    readSteps(hops) {
      return [
        { name: 'uci-changes', command: 'uci changes network' },
        { name: 'uci-show', command: 'uci show network' },
        { name: 'routes4', command: 'ip -4 route' },
        { name: 'routes6', command: 'ip -6 route' },
        ...hopSteps(hops, ['ip', 'route', 'get']),
      ];
    },

    parseState(outputs, hops): RouterState {
      const changes = requireStep(outputs, 'uci-changes', 'its pending UCI changes');
      if (changes.status !== 0) {
        throw new RouterReadError(`\`uci changes network\` failed: ${changes.output.trim() || `exit ${changes.status}`} (is this OpenWrt?)`);
      }
      const show = requireStep(outputs, 'uci-show', 'its UCI network config');
      if (show.status !== 0) throw new RouterReadError(`\`uci show network\` failed: ${show.output.trim()}`);
      const kernel = [...readKernelRoutes(outputs, 'routes4', 4), ...readKernelRoutes(outputs, 'routes6', 6)];
      const sections = parseUciShow(show.output, 'network');

      const owned: OwnedRoute[] = [];
      const foreign: ForeignRoute[] = [];
      const claimed = new Set<string>(); // prefixes minilb's sections hold
      for (const section of sections.values()) {
        if (section.type !== 'route' && section.type !== 'route6') continue;
        const cidr = sectionCidr(section) ?? option(section, 'target') ?? '';
        const gateway = option(section, 'gateway');
        const via = gateway ? canonicalIp(gateway) : undefined;
        const text = `UCI ${section.type} network.${section.name} (${cidr}${gateway ? ` via ${gateway}` : ''})`;
        if (!section.name.startsWith(uciSectionPrefix)) {
          foreign.push({ cidr, text });
          continue;
        }
        claimed.add(cidr);
        const issues: string[] = [];
        const iface = option(section, 'interface');
        if (iface !== config.uciInterface) issues.push(`interface ${iface ?? '(none)'}, want ${config.uciInterface}`);
        const sectionProto = option(section, 'proto');
        if (sectionProto !== proto) issues.push(`proto ${sectionProto ?? '(none)'}, want ${proto}`);
        const onPrefix = kernel.filter((r) => r.cidr === cidr);
        const carrying = onPrefix.find((r) => r.via === via) ?? onPrefix[0];
        if (!carrying) issues.push('not in the kernel table (never applied, or dropped by a link flap)');
        else if (carrying.via !== via) issues.push(`the kernel route is ${carrying.text}`);
        owned.push({ key: section.name, recordedIn: 'uci', cidr, via, issues, text, kernel: carrying });
      }
      // Full iproute2 (ip-full) prints the protocol: a proto-N route without a section is ours,
      // left behind by an interrupted run, and goes as stale. BusyBox never shows it.
      const unclaimed = splitByProto(
        kernel.filter((route) => !claimed.has(route.cidr)),
        proto,
        (route) => ({ key: `kernel ${route.cidr}`, issues: [] }),
      );
      owned.push(...unclaimed.owned);
      foreign.push(...unclaimed.foreign);
      const checks = readHopChecks(outputs, hops, parseRouteGetText);

      const pending = changes.output.trim();
      const refusal = pending
        ? `UCI has pending changes in network that minilb did not make (\`uci changes network\`):\n${pending}\n` +
          'Commit or revert them first (uci commit network / uci revert network).'
        : undefined;
      return { owned, foreign, hops: checks, refusal };
    },

    applySteps(actions: readonly ChangeAction[]): AppliedStep[] {
      const uci: string[][] = [];
      const kernel: string[][] = [];
      const del = (k: RouterRoute): string[] => {
        const argv = ['ip', familyFlag(k.cidr), 'route', 'del', k.cidr];
        if (k.via) argv.push('via', k.via);
        return [...argv, 'proto', proto];
      };
      for (const action of actions) {
        if (action.op === 'remove') {
          if (action.current.recordedIn === 'uci') uci.push(uciDeleteArgs(action.current.key));
          if (action.current.kernel) kernel.push(del(action.current.kernel));
          continue;
        }
        // A changed section is written whole so that no stale option survives in it.
        if (action.op === 'change') uci.push(uciDeleteArgs(action.key));
        uci.push(...uciSetArgs({ section: action.key, route: action.route }, { interface: config.uciInterface, proto: config.proto }));
        const old = action.op === 'change' ? action.current.kernel : undefined;
        if (old && old.cidr !== action.route.cidr) kernel.push(del(old));
        kernel.push(['ip', familyFlag(action.route.cidr), 'route', 'replace', action.route.cidr, 'via', action.route.via, 'proto', proto]);
      }
      const steps: AppliedStep[] = [];
      // Each uci call is its own step (`uci batch` exits 0 even when a line fails); once one
      // fails, nothing more is set, the half-made edits are reverted and the kernel is left alone.
      uci.forEach((args, i) => {
        const command = uciCommandLine(args);
        steps.push({ step: { name: `uci${i}`, command, when: 'if-ok', gate: true }, label: command });
      });
      if (uci.length > 0) {
        steps.push({ step: { name: 'uci-commit', command: 'uci commit network', when: 'if-ok', gate: true }, label: 'uci commit network' });
        steps.push({ step: { name: 'uci-revert', command: 'uci revert network', when: 'if-failed' }, label: 'uci revert network' });
      }
      kernel.forEach((argv, i) => {
        const command = shellCommand(argv);
        steps.push({ step: { name: `ip${i}`, command, when: 'if-ok' }, label: command });
      });
      return steps;
    },
  };
}
