import { describe, expect, it } from 'vitest';
import { maskBytes, parseIpAddress, parsePrefix, type PodRoute } from 'minilb-server';
import { CliError, exitCodes } from '../../exit-codes.js';
import type { SshResult } from './ssh-session.js';
import { syncRouter, type SyncOptions } from './sync-router.js';

// A Linux router played in memory: it answers the marked steps of a script the way iproute2
// would (JSON route lists, route get, add/replace/del with their real error messages).
interface FakeRoute {
  cidr: string;
  via?: string;
  proto: string;
  metric?: number;
  dev?: string;
}

class FakeLinuxRouter {
  scripts: string[] = [];
  failNext: RegExp | undefined;
  constructor(
    public routes: FakeRoute[],
    private connected: { cidr: string; dev: string }[] = [
      { cidr: '192.0.2.0/24', dev: 'lan0' },
      { cidr: '2001:db8:1::/64', dev: 'lan0' },
    ],
  ) {}

  private onLink(hop: string): string | undefined {
    const addr = parseIpAddress(hop)!;
    for (const c of this.connected) {
      const p = parsePrefix(c.cidr)!.prefix;
      if (p.family === addr.family && maskBytes(addr.bytes, p.length).every((b, i) => b === p.bytes[i])) return c.dev;
    }
    return undefined;
  }

  protected exec(command: string): { status: number; output: string } {
    if (command.startsWith('if [ -f /etc/openwrt_release ]')) return { status: 0, output: 'linux' };
    if (this.failNext?.test(command)) {
      this.failNext = undefined;
      return { status: 2, output: 'RTNETLINK answers: Operation not permitted' };
    }
    let m = /^ip -N -j -([46]) route show table main/.exec(command);
    if (m) {
      const family = m[1];
      const list = this.routes
        .filter((r) => (family === '6') === r.cidr.includes(':'))
        .map((r) => ({
          dst: r.cidr,
          ...(r.via ? { gateway: r.via } : {}),
          dev: r.dev ?? 'lan0',
          protocol: r.proto,
          ...(r.metric !== undefined ? { metric: r.metric } : family === '6' ? { metric: 1024 } : {}),
          flags: [],
        }));
      return { status: 0, output: JSON.stringify(list) };
    }
    m = /^ip -j route get (\S+)$/.exec(command);
    if (m) {
      const dev = this.onLink(m[1]!);
      return dev
        ? { status: 0, output: JSON.stringify([{ dst: m[1], dev, flags: [] }]) }
        : { status: 2, output: 'RTNETLINK answers: Network is unreachable' };
    }
    m = /^ip -[46] route (add|replace|del) (\S+)(?: via (\S+))? proto (\d+)(?: metric (\d+))?$/.exec(command);
    if (m) {
      const [, verb, cidr, via, proto, metricText] = m;
      const metric = metricText === undefined ? undefined : Number(metricText);
      const def = cidr!.includes(':') ? 1024 : 0;
      const same = (r: FakeRoute): boolean => r.cidr === cidr && (r.metric ?? def) === (metric ?? def);
      if (verb === 'del') {
        const i = this.routes.findIndex((r) => same(r) && r.proto === proto && (!via || r.via === via));
        if (i < 0) return { status: 2, output: 'RTNETLINK answers: No such process' };
        this.routes.splice(i, 1);
        return { status: 0, output: '' };
      }
      if (!this.onLink(via!)) return { status: 2, output: 'Error: Nexthop has invalid gateway.' };
      const i = this.routes.findIndex(same);
      if (verb === 'add' && i >= 0) return { status: 2, output: 'RTNETLINK answers: File exists' };
      const next: FakeRoute = { cidr: cidr!, via: via!, proto: proto!, ...(metric !== undefined ? { metric } : {}) };
      if (i >= 0) this.routes[i] = next;
      else this.routes.push(next);
      return { status: 0, output: '' };
    }
    return { status: 127, output: `sh: unknown command in fake: ${command}` };
  }

  // Interprets buildScript's output: steps, their conditions and gates.
  run = async (script: string): Promise<SshResult> => {
    this.scripts.push(script);
    const lines = script.split('\n');
    let ok = true;
    let out = '';
    for (let i = 0; i < lines.length; i++) {
      const begin = /^echo '@@minilb begin (\S+)'$/.exec(lines[i]!);
      if (!begin) continue;
      const name = begin[1]!;
      const head = lines[i + 1]!;
      const command = head.slice(head.indexOf('{ ') + 2);
      const conditions = head.startsWith('if ') ? head.slice(3, head.indexOf('; then')).split(' && ') : [];
      const gate = lines[i + 3]?.startsWith('[ "$minilb_rc" = 0 ]') ?? false;
      const runs = conditions.every((c) =>
        c === '[ "$minilb_ok" = 1 ]' ? ok : c === '[ "$minilb_ok" != 1 ]' ? !ok : c === '! [ -f /etc/openwrt_release ]',
      );
      out += `@@minilb begin ${name}\n`;
      if (runs) {
        const r = this.exec(command);
        if (r.output) out += `${r.output}\n`;
        out += `@@minilb end ${name} ${r.status}\n`;
        if (gate && r.status !== 0) ok = false;
      } else {
        out += `@@minilb end ${name} skipped\n`;
      }
    }
    return { exitCode: 0, signal: null, stdout: `${out}@@minilb done\n`, stderr: '' };
  };
}

// An OpenWrt router whose `uci commit` exits 0 but commits nothing (a full overlay, a broken
// uci): `uci show` lists the uncommitted sections, only `uci changes` tells the truth.
class OpenwrtWithoutCommit extends FakeLinuxRouter {
  show: string[] = ['network.lan=interface', "network.lan.device='br-lan'"];
  pending: string[] = [];
  kernel: string[] = ['192.0.2.0/24 dev br-lan scope link  src 192.0.2.1 '];

  protected override exec(command: string): { status: number; output: string } {
    if (command.startsWith('if [ -f /etc/openwrt_release ]')) return { status: 0, output: 'openwrt' };
    if (command === 'uci changes network') return { status: 0, output: this.pending.join('\n') };
    if (command === 'uci show network') return { status: 0, output: this.show.join('\n') };
    if (command === 'uci commit network') return { status: 0, output: '' };
    if (command === 'uci revert network') return { status: 0, output: '' };
    let m = /^uci set (network\.\S+)$/.exec(command);
    if (m) {
      this.show.push(m[1]!);
      this.pending.push(m[1]!);
      return { status: 0, output: '' };
    }
    if (command === 'ip -4 route') return { status: 0, output: this.kernel.join('\n') };
    if (command === 'ip -6 route') return { status: 0, output: '' };
    m = /^ip route get (\S+)$/.exec(command);
    if (m) return { status: 0, output: `${m[1]} dev br-lan  src 192.0.2.1 ` };
    m = /^ip -4 route replace (\S+) via (\S+) proto \d+$/.exec(command);
    if (m) {
      this.kernel.push(`${m[1]} via ${m[2]} dev br-lan `);
      return { status: 0, output: '' };
    }
    return { status: 127, output: `sh: unknown command in fake: ${command}` };
  }
}

const n1: PodRoute = { node: 'n1', family: 4, cidr: '10.244.1.0/24', via: '192.0.2.11' };
const n2: PodRoute = { node: 'n2', family: 4, cidr: '10.244.2.0/24', via: '192.0.2.12' };
const n1v6: PodRoute = { node: 'n1', family: 6, cidr: '2001:db8:244:1::/64', via: '2001:db8:1::11' };

function options(router: FakeLinuxRouter, extra: Partial<SyncOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const opts: SyncOptions = {
    runner: router.run,
    target: 'root@192.0.2.1',
    router: 'auto',
    config: { proto: 250, uciInterface: 'lan' },
    prune: true,
    allowEmpty: false,
    dryRun: false,
    verbose: false,
    confirm: undefined,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...extra,
  };
  return { opts, out, err };
}

describe('syncing a Linux router', () => {
  it('adds the routes, verifies them, and changes nothing on the second run', async () => {
    const router = new FakeLinuxRouter([{ cidr: '0.0.0.0/0', via: '192.0.2.254', proto: 'static' }]);
    const first = options(router);
    const applied = await syncRouter([n1, n1v6], first.opts);
    expect(applied).toEqual({ exitCode: exitCodes.ok, kind: 'linux', applied: 2, plan: applied.plan });
    expect(applied.plan.map((a) => `${a.op} ${a.key}`)).toEqual(['add 10.244.1.0/24', 'add 2001:db8:244:1::/64']);
    expect(first.out).toEqual([
      'Router root@192.0.2.1 (linux; minilb owns routes with proto 250):',
      '+ 10.244.1.0/24 via 192.0.2.11 (node n1)',
      '+ 2001:db8:244:1::/64 via 2001:db8:1::11 (node n1)',
      'Plan: 2 to add, 0 to change, 0 to remove, 0 in place.',
      'Applied 2 change(s); root@192.0.2.1 now matches the cluster.',
    ]);
    expect(first.err).toEqual([]);
    expect(router.routes).toContainEqual({ cidr: '10.244.1.0/24', via: '192.0.2.11', proto: '250' });

    const second = options(router);
    const settled = await syncRouter([n1, n1v6], second.opts);
    expect(settled).toEqual({ exitCode: exitCodes.ok, kind: 'linux', applied: 0, plan: settled.plan });
    expect(settled.plan.map((a) => a.op)).toEqual(['keep', 'keep']);
    expect(second.out.slice(-2)).toEqual(['Plan: 0 to add, 0 to change, 0 to remove, 2 in place.', 'Nothing to change.']);
    expect(router.scripts).toHaveLength(3); // read+apply, then read only
  });

  it('changes a moved next hop with replace and removes stale routes with del ... proto', async () => {
    const router = new FakeLinuxRouter([
      { cidr: '10.244.1.0/24', via: '192.0.2.99', proto: '250' },
      { cidr: '10.244.9.0/24', via: '192.0.2.19', proto: '250' },
    ]);
    const { opts, out } = options(router);
    expect((await syncRouter([n1], opts)).exitCode).toBe(exitCodes.ok);
    expect(out.slice(1, 3)).toEqual([
      '~ 10.244.1.0/24 via 192.0.2.11 (node n1): was via 192.0.2.99',
      '- 10.244.9.0/24 via 192.0.2.19 dev lan0 proto 250: no node has this podCIDR any more',
    ]);
    expect(router.scripts[1]).toContain('ip -4 route replace 10.244.1.0/24 via 192.0.2.11 proto 250');
    expect(router.scripts[1]).toContain('ip -4 route del 10.244.9.0/24 via 192.0.2.19 proto 250 metric 0');
    expect(router.routes).toEqual([{ cidr: '10.244.1.0/24', via: '192.0.2.11', proto: '250' }]);
  });

  it('leaves a foreign route on the same prefix untouched, applies the rest, and exits 7', async () => {
    const foreign = { cidr: '10.244.1.0/24', via: '192.0.2.99', proto: 'static' };
    const router = new FakeLinuxRouter([{ ...foreign }]);
    const { opts, out } = options(router);
    expect(await syncRouter([n1, n2], opts)).toMatchObject({ exitCode: exitCodes.conflicts, applied: 1 });
    expect(out[1]).toBe(
      '! 10.244.1.0/24 via 192.0.2.11 (node n1): the router has 10.244.1.0/24 via 192.0.2.99 dev lan0 proto static, which minilb does not own; left untouched',
    );
    expect(router.routes).toEqual([foreign, { cidr: '10.244.2.0/24', via: '192.0.2.12', proto: '250' }]);
    expect(router.scripts[1]).not.toContain('10.244.1.0/24');
  });

  it('refuses the whole plan when one next hop is off-link, and sends no change', async () => {
    const router = new FakeLinuxRouter([{ cidr: '10.244.9.0/24', via: '192.0.2.19', proto: '250' }]);
    const { opts } = options(router);
    const offLink: PodRoute = { node: 'far', family: 4, cidr: '10.244.5.0/24', via: '198.51.100.5' };
    const error = await syncRouter([n1, offLink], opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(exitCodes.refused);
    expect((error as CliError).message).toContain(
      'next hop 198.51.100.5 of 10.244.5.0/24 (node far): the router has no route to 198.51.100.5 (Network is unreachable)',
    );
    expect((error as CliError).message).toContain('Nothing was changed.');
    expect(router.scripts).toHaveLength(1);
    expect(router.routes).toEqual([{ cidr: '10.244.9.0/24', via: '192.0.2.19', proto: '250' }]);
  });

  it('asks before changing and changes nothing when declined', async () => {
    const router = new FakeLinuxRouter([]);
    const questions: string[] = [];
    const { opts } = options(router, {
      confirm: async (q) => {
        questions.push(q);
        return false;
      },
    });
    await expect(syncRouter([n1], opts)).rejects.toMatchObject({ exitCode: exitCodes.notConfirmed });
    expect(questions).toEqual(['Apply 1 change(s) to root@192.0.2.1?']);
    expect(router.routes).toEqual([]);
  });

  it('does not ask when there is nothing to change', async () => {
    const router = new FakeLinuxRouter([{ cidr: '10.244.1.0/24', via: '192.0.2.11', proto: '250' }]);
    const { opts } = options(router, { confirm: async () => Promise.reject(new Error('asked')) });
    expect((await syncRouter([n1], opts)).exitCode).toBe(exitCodes.ok);
  });

  it('prints the plan and changes nothing on a dry run', async () => {
    const router = new FakeLinuxRouter([]);
    const { opts, out } = options(router, { dryRun: true });
    expect((await syncRouter([n1], opts)).exitCode).toBe(exitCodes.ok);
    expect(out.at(-1)).toBe('Dry run: nothing was changed.');
    expect(router.scripts).toHaveLength(1);
  });

  it('reports a command that failed and what is left, from the re-read router', async () => {
    const router = new FakeLinuxRouter([]);
    router.failNext = /10\.244\.2\.0/;
    const { opts, out, err } = options(router);
    expect(await syncRouter([n1, n2], opts)).toMatchObject({ exitCode: exitCodes.applyFailed, applied: 1 });
    expect(err).toEqual(['failed: ip -4 route add 10.244.2.0/24 via 192.0.2.12 proto 250: RTNETLINK answers: Operation not permitted']);
    expect(out.slice(-2)).toEqual([
      'Not applied (1 of 2); the rest of the router is as it was:',
      '+ 10.244.2.0/24 via 192.0.2.12 (node n2)',
    ]);
  });

  it('will not empty the router because the cluster gave no routes, unless allowed', async () => {
    const router = new FakeLinuxRouter([{ cidr: '10.244.1.0/24', via: '192.0.2.11', proto: '250' }]);
    await expect(syncRouter([], options(router).opts)).rejects.toMatchObject({ exitCode: exitCodes.refused });
    expect(router.routes).toHaveLength(1);
    expect((await syncRouter([], options(router, { allowEmpty: true }).opts)).exitCode).toBe(exitCodes.ok);
    expect(router.routes).toEqual([]);
  });

  it("turns ssh's own failure into exit 4 with its message", async () => {
    const { opts } = options(new FakeLinuxRouter([]), {
      runner: async () => ({ exitCode: 255, signal: null, stdout: '', stderr: 'ssh: connect to host 192.0.2.1 port 22: Connection refused\n' }),
    });
    await expect(syncRouter([n1], opts)).rejects.toMatchObject({
      exitCode: exitCodes.ssh,
      message: 'ssh root@192.0.2.1 failed: ssh: connect to host 192.0.2.1 port 22: Connection refused',
    });
  });

  it('treats a script cut short as an ssh failure', async () => {
    const { opts } = options(new FakeLinuxRouter([]), {
      runner: async () => ({ exitCode: 1, signal: null, stdout: '@@minilb begin detect\n', stderr: 'sh: ip: not found\n' }),
    });
    await expect(syncRouter([n1], opts)).rejects.toMatchObject({ exitCode: exitCodes.ssh });
  });
});

describe('verifying an OpenWrt apply', () => {
  it('does not claim a match while uci changes network still lists the edits', async () => {
    const router = new OpenwrtWithoutCommit([]);
    const { opts, out } = options(router, { router: 'openwrt' });
    const result = await syncRouter([n1], opts);
    expect(router.pending.length).toBeGreaterThan(0);
    expect(out.join('\n')).not.toContain('now matches the cluster');
    expect(result.exitCode).toBe(exitCodes.applyFailed);
    expect(out.join('\n')).toContain('not committed');
  });
});
