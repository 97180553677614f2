// Hostname normalisation and validation: user-written names (annotations, Ingress hosts,
// route hostnames) become lower-case, dot-less-at-the-end names, or a reason they are invalid.

import { isIP } from 'node:net';

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const serviceLabel = /^_[a-z0-9-]{1,62}$/;

export type ParsedHostname =
  | { ok: true; name: string; wildcard: boolean } // for a wildcard, name is the suffix after "*."
  | { ok: false; reason: string };

export function normalizeName(raw: string): string {
  let name = raw.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name;
}

function invalidLabel(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.length > 253) return 'longer than 253 characters';
  for (const l of name.split('.')) {
    if (!label.test(l) && !serviceLabel.test(l)) return `label "${l}" is not a valid DNS label`;
  }
  return undefined;
}

// Parses a hostname that may start with "*." (Ingress and Gateway API wildcards).
export function parseHostname(raw: string): ParsedHostname {
  const name = normalizeName(raw);
  if (isIP(name)) return { ok: false, reason: `"${raw}" is an IP address, not a hostname` };
  const wildcard = name.startsWith('*.');
  const rest = wildcard ? name.slice(2) : name;
  const problem = invalidLabel(rest);
  if (problem) return { ok: false, reason: `"${raw}": ${problem}` };
  if (wildcard && !rest.includes('.')) return { ok: false, reason: `"${raw}": a wildcard needs at least two labels after "*."` };
  return { ok: true, name: rest, wildcard };
}

// A Service's own name: `<service>.<namespace>.<zone>`.
// A Service name or namespace as the one label it becomes in `<service>.<namespace>.<zone>`.
export function isDnsLabel(name: string): boolean {
  return label.test(name);
}

export function serviceHostname(namespace: string, name: string, zone: string): string {
  return `${name}.${namespace}.${zone}`;
}

export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

// "10-244-1-5" and "fd00-10-244--5" in SRV target names stand for the pod IP.
export function addressLabel(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}
