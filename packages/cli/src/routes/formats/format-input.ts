// What every output format of `minilb routes` takes and gives back: the contract between
// route-format.ts and the format modules beside it.

import type { PodRoute, RouteProblem } from 'minilb-server';

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
