import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PodRoute } from 'minilb-server';
import { openwrtRouter } from './openwrt-router.js';
import type { StepResult } from './remote-script.js';
import { computeRoutePlan, isChange } from './route-plan.js';

function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`golden/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const driver = openwrtRouter({ proto: 250, uciInterface: 'lan' });

const uciShow = [
  'network.loopback=interface',
  "network.loopback.device='lo'",
  'network.lan=interface',
  "network.lan.device='br-lan'",
  "network.lan.ipaddr='192.0.2.1'",
  'network.minilb_worker_1_v4=route',
  "network.minilb_worker_1_v4.interface='lan'",
  "network.minilb_worker_1_v4.target='10.244.1.0/24'",
  "network.minilb_worker_1_v4.gateway='192.0.2.11'",
  "network.minilb_worker_1_v4.proto='250'",
  'network.minilb_gone_v4=route',
  "network.minilb_gone_v4.interface='lan'",
  "network.minilb_gone_v4.target='10.244.9.0/24'",
  "network.minilb_gone_v4.gateway='192.0.2.19'",
  "network.minilb_gone_v4.proto='250'",
  'network.minilb_worker_2_v4=route',
  "network.minilb_worker_2_v4.interface='lan'",
  "network.minilb_worker_2_v4.target='10.244.2.0/24'",
  "network.minilb_worker_2_v4.gateway='192.0.2.99'",
  "network.minilb_worker_2_v4.proto='250'",
  'network.@route[0]=route',
  "network.@route[0].interface='lan'",
  "network.@route[0].target='10.244.3.0'",
  "network.@route[0].netmask='255.255.255.0'",
  "network.@route[0].gateway='192.0.2.98'",
].join('\n');

// BusyBox `ip route`: no protocol column.
const routes4 = [
  '10.244.1.0/24 via 192.0.2.11 dev br-lan ',
  '10.244.2.0/24 via 192.0.2.99 dev br-lan ',
  '10.244.3.0/24 via 192.0.2.98 dev br-lan ',
  '10.244.4.0/24 via 192.0.2.97 dev br-lan ',
  '10.244.9.0/24 via 192.0.2.19 dev br-lan ',
  '192.0.2.0/24 dev br-lan scope link  src 192.0.2.1 ',
].join('\n');

const hops = ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '2001:db8:1::11'];

function outputs(changes = ''): (name: string) => StepResult | undefined {
  const steps: Record<string, StepResult> = {
    'uci-changes': { status: 0, output: changes },
    'uci-show': { status: 0, output: uciShow },
    routes4: { status: 0, output: routes4 },
    routes6: { status: 0, output: '2001:db8:1::/64 dev br-lan  metric 256 ' },
  };
  hops.forEach((hop, i) => (steps[`hop${i}`] = { status: 0, output: `${hop} dev br-lan  src 192.0.2.1 ` }));
  return (name) => steps[name];
}

const desiredRoutes: PodRoute[] = [
  { node: 'worker-1', family: 4, cidr: '10.244.1.0/24', via: '192.0.2.11' },
  { node: 'worker-2', family: 4, cidr: '10.244.2.0/24', via: '192.0.2.12' },
  { node: 'worker-3', family: 4, cidr: '10.244.3.0/24', via: '192.0.2.13' },
  { node: 'worker-4', family: 4, cidr: '10.244.4.0/24', via: '192.0.2.14' },
  { node: 'worker-1', family: 6, cidr: '2001:db8:244:1::/64', via: '2001:db8:1::11' },
];

describe('OpenWrt router', () => {
  it('owns only minilb_ sections; other UCI routes and unclaimed kernel routes are foreign', () => {
    const state = driver.parseState(outputs(), hops);
    expect(state.refusal).toBeUndefined();
    expect(state.owned.map((o) => [o.key, o.cidr, o.via, o.issues])).toEqual([
      ['minilb_worker_1_v4', '10.244.1.0/24', '192.0.2.11', []],
      ['minilb_gone_v4', '10.244.9.0/24', '192.0.2.19', []],
      ['minilb_worker_2_v4', '10.244.2.0/24', '192.0.2.99', []],
    ]);
    expect(state.foreign.map((f) => f.text)).toEqual([
      'UCI route network.@route[0] (10.244.3.0/24 via 192.0.2.98)',
      '10.244.3.0/24 via 192.0.2.98 dev br-lan',
      '10.244.4.0/24 via 192.0.2.97 dev br-lan',
      '192.0.2.0/24 dev br-lan',
      '2001:db8:1::/64 dev br-lan metric 256',
    ]);
    expect([...state.hops.values()].every((h) => h.onLink)).toBe(true);
  });

  it('refuses to start over pending UCI edits that are not its own', () => {
    const state = driver.parseState(outputs("network.lan.ipaddr='192.0.2.2'"), hops);
    expect(state.refusal).toContain("network.lan.ipaddr='192.0.2.2'");
  });

  it('plans and writes the uci and ip commands in a fixed order (golden)', () => {
    const state = driver.parseState(outputs(), hops);
    const { desired } = driver.desired(desiredRoutes);
    const plan = computeRoutePlan({ desired, owned: state.owned, foreign: state.foreign, prune: true });
    expect(plan.map((a) => [a.op, a.key])).toEqual([
      ['keep', 'minilb_worker_1_v4'],
      ['change', 'minilb_worker_2_v4'],
      ['conflict', 'minilb_worker_3_v4'],
      ['conflict', 'minilb_worker_4_v4'],
      ['remove', 'minilb_gone_v4'],
      ['add', 'minilb_worker_1_v6'],
    ]);
    const steps = driver.applySteps(plan.filter(isChange));
    golden(
      'openwrt-apply.golden',
      steps.map(({ step, label }) => `${step.name} [${step.when ?? 'always'}${step.gate ? ', gate' : ''}] ${label}\n`).join(''),
    );
  });

  it('flags a section whose kernel route is missing or that points elsewhere', () => {
    const steps = outputs();
    const noKernel = (name: string): StepResult | undefined =>
      name === 'routes4' ? { status: 0, output: '10.244.2.0/24 via 192.0.2.50 dev br-lan ' } : steps(name);
    const state = driver.parseState(noKernel, hops);
    const issues = Object.fromEntries(state.owned.map((o) => [o.key, o.issues]));
    expect(issues.minilb_worker_1_v4).toEqual(['not in the kernel table (never applied, or dropped by a link flap)']);
    expect(issues.minilb_worker_2_v4).toEqual(['the kernel route is 10.244.2.0/24 via 192.0.2.50 dev br-lan']);
  });

  it('says what failed when uci is missing', () => {
    const steps = outputs();
    const noUci = (name: string): StepResult | undefined =>
      name === 'uci-changes' ? { status: 127, output: 'sh: uci: not found' } : steps(name);
    expect(() => driver.parseState(noUci, hops)).toThrow('`uci changes network` failed: sh: uci: not found (is this OpenWrt?)');
  });
});
