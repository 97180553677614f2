// Adapts a production Corefile (examples/corefile, `minilb corefile` output) to run on loopback
// in a test: ports and listen addresses move to free loopback ports, the upstream and minilb
// addresses to the test's own servers, and the kubernetes plugin gets a kubeconfig because
// CoreDNS runs outside a pod. Plugins, zones and options are otherwise left as they are.

export interface CorefileAdaptation {
  /** Port for every server block (replaces `:53`). */
  dnsPort: number;
  /** host:port replacements in plugin arguments, e.g. `{'127.0.0.1:5353': minilb.address}`. */
  addresses?: Record<string, string>;
  /** Replaces `/etc/resolv.conf` as a `forward` target. */
  upstream?: string;
  healthPort?: number;
  readyPort?: number;
  metricsPort?: number;
  /** Added to each `kubernetes` block; required if the Corefile has one. */
  kubeconfig?: string;
}

const LOOPBACK = '127.0.0.1';

/** Splits a line into code and comment, so rewrites never touch comments. */
function splitComment(line: string): [string, string] {
  const i = line.indexOf('#');
  return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i)];
}

export function adaptCorefile(text: string, a: CorefileAdaptation): string {
  const out: string[] = [];
  let depth = 0;
  for (const raw of text.split('\n')) {
    let [code, comment] = splitComment(raw);
    const indent = code.match(/^\s*/)?.[0] ?? '';
    const opens = (code.match(/\{/g) ?? []).length;
    const closes = (code.match(/\}/g) ?? []).length;

    if (depth === 0 && opens > 0) {
      // A server block header: `minilb:53 sko.ai:53 {`, `.:53 {`
      code = code.replace(/:53\b/g, `:${a.dnsPort}`);
      out.push(code + comment);
      // Only loopback: without `bind`, CoreDNS listens on every address.
      out.push(`    bind ${LOOPBACK}`);
      depth += opens - closes;
      continue;
    }
    if (depth > 0) {
      for (const [from, to] of Object.entries(a.addresses ?? {})) code = code.split(from).join(to);
      if (a.upstream) code = code.replace(/(^\s*forward\s+\S+\s+)\/etc\/resolv\.conf\b/, `$1${a.upstream}`);
      const plugin = (name: string, port: number | undefined) => {
        if (port === undefined) return;
        // `health`, `health :8080`, `health {` -> `health 127.0.0.1:<port> ...`
        code = code.replace(new RegExp(`^(\\s*${name})(?:\\s+\\S*:\\d+)?(?=\\s|$)`), `$1 ${LOOPBACK}:${port}`);
      };
      plugin('health', a.healthPort);
      plugin('ready', a.readyPort);
      plugin('prometheus', a.metricsPort);
    }
    out.push(code + comment);
    if (/^\s*kubernetes\b/.test(code)) {
      if (!a.kubeconfig) throw new Error('the Corefile uses the kubernetes plugin: pass a kubeconfig to adaptCorefile');
      if (opens > 0) {
        out.push(`${indent}    kubeconfig ${a.kubeconfig}`);
      } else {
        // `kubernetes cluster.local` without a block: give it one.
        out[out.length - 1] = `${code.trimEnd()} {\n${indent}    kubeconfig ${a.kubeconfig}\n${indent}}${comment ? ` ${comment}` : ''}`;
      }
    }
    depth += opens - closes;
  }
  return out.join('\n');
}
