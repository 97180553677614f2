// The output formats of `minilb routes` and what each needs; one module per format beside this.

import type { FormatInput, FormattedRoutes } from './format-input.js';
import { dnsmasqFormat } from './dnsmasq-format.js';
import { ipFormat } from './ip-format.js';
import { iscDhcpdFormat } from './isc-dhcpd-format.js';
import { jsonFormat } from './json-format.js';
import { keaFormat } from './kea-format.js';
import { routerosFormat } from './routeros-format.js';
import { uciFormat } from './uci-format.js';

export const routeFormats = ['ip', 'uci', 'dnsmasq', 'isc-dhcpd', 'kea', 'routeros', 'json'] as const;
export type RouteFormat = (typeof routeFormats)[number];

export type { FormatInput, FormattedRoutes };

// The DHCP option 121 formats replace the client's default route, so they need the gateway:
// checked with the flags, before anything is read, and again by formatRoutes for other callers.
const formatsNeedingDefaultGateway: ReadonlySet<RouteFormat> = new Set(['dnsmasq', 'isc-dhcpd', 'kea']);

export function defaultGatewayProblem(format: RouteFormat, defaultGateway: string | undefined, flag = '--format'): string | undefined {
  if (!formatsNeedingDefaultGateway.has(format) || defaultGateway) return undefined;
  return (
    `${flag} ${format} needs --default-gateway <router IPv4>: a client that accepts option 121 ignores the router option, ` +
    'so the default route must be part of it'
  );
}

const formatters: Record<RouteFormat, (input: FormatInput) => FormattedRoutes> = {
  ip: ipFormat,
  uci: uciFormat,
  dnsmasq: dnsmasqFormat,
  'isc-dhcpd': iscDhcpdFormat,
  kea: keaFormat,
  routeros: routerosFormat,
  json: jsonFormat,
};

export function formatRoutes(format: RouteFormat, input: FormatInput): FormattedRoutes {
  const problem = defaultGatewayProblem(format, input.defaultGateway);
  if (problem) throw new Error(problem);
  return formatters[format](input);
}
