// Whether a next hop is on-link on the router, from `ip route get <hop>`: the kernel refuses
// (or misroutes) a gateway that is not directly reachable, so the whole plan is checked first.

import { canonicalIp } from 'minilb-server';

export interface NextHopCheck {
  hop: string;
  onLink: boolean;
  why: string; // for messages: the interface it is on, or why it is not on-link
}

function verdict(hop: string, type: string, gateway: string | undefined, dev: string | undefined): NextHopCheck {
  if (type === 'local') return { hop, onLink: false, why: `${hop} is an address of the router itself` };
  if (type !== 'unicast') return { hop, onLink: false, why: `the router has a ${type} route for ${hop}` };
  if (gateway) return { hop, onLink: false, why: `the router reaches ${hop} through ${gateway}, not directly` };
  return { hop, onLink: true, why: `on-link${dev ? ` on ${dev}` : ''}` };
}

function failed(hop: string, output: string): NextHopCheck {
  const message = output.trim().split('\n').pop()?.replace(/^(ip: )?RTNETLINK answers: /, '') ?? '';
  return { hop, onLink: false, why: `the router has no route to ${hop}${message ? ` (${message})` : ''}` };
}

// `ip -j route get <hop>` (iproute2).
export function parseRouteGetJson(hop: string, output: string, status: number): NextHopCheck {
  if (status !== 0) return failed(hop, output);
  try {
    const [entry] = JSON.parse(output) as Record<string, unknown>[];
    if (!entry) return failed(hop, output);
    const gateway = typeof entry.gateway === 'string' ? canonicalIp(entry.gateway) : undefined;
    return verdict(hop, typeof entry.type === 'string' ? entry.type : 'unicast', gateway, entry.dev as string | undefined);
  } catch {
    return failed(hop, output);
  }
}

// `ip route get <hop>` in text, as BusyBox prints it: "192.0.2.11 dev br-lan  src 192.0.2.1".
export function parseRouteGetText(hop: string, output: string, status: number): NextHopCheck {
  const line = output.split('\n').find((l) => l.trim() !== '');
  if (status !== 0 || !line) return failed(hop, output);
  const words = line.trim().split(/\s+/);
  const type = ['local', 'broadcast', 'multicast', 'unreachable', 'blackhole', 'prohibit', 'throw'].includes(words[0]!)
    ? words[0]!
    : 'unicast';
  const at = (key: string): string | undefined => {
    const i = words.indexOf(key);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const via = at('via');
  return verdict(hop, type, via ? (canonicalIp(via) ?? via) : undefined, at('dev'));
}
