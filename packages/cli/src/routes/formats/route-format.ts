// The output formats of `minilb routes` and what each needs; one module per format beside this.

import type { PodRoute, RouteProblem } from 'minilb-server';
import { dnsmasqFormat } from './dnsmasq-format.js';
import { ipFormat } from './ip-format.js';
import { iscDhcpdFormat } from './isc-dhcpd-format.js';
import { jsonFormat } from './json-format.js';
import { keaFormat } from './kea-format.js';
import { routerosFormat } from './routeros-format.js';
import { uciFormat } from './uci-format.js';

export const routeFormats = ['ip', 'uci', 'dnsmasq', 'isc-dhcpd', 'kea', 'routeros', 'json'] as const;
export type RouteFormat = (typeof routeFormats)[number];

// The DHCP option 121 formats replace the client's default route, so they need the gateway.
export const formatsNeedingDefaultGateway: ReadonlySet<RouteFormat> = new Set(['dnsmasq', 'isc-dhcpd', 'kea']);

export interface FormatInput {
  routes: PodRoute[];
  problems: RouteProblem[];
  defaultGateway: string | undefined; // IPv4, required by the option 121 formats
  uciInterface: string;
  proto: number;
}

export interface FormattedRoutes {
  text: string; // for stdout
  notes: string[]; // for stderr: what the format could not express
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
  if (formatsNeedingDefaultGateway.has(format) && !input.defaultGateway) {
    throw new Error(`--format ${format} needs --default-gateway`);
  }
  return formatters[format](input);
}
