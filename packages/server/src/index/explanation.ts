// What /v1/explain and `minilb inspect` show: the answers for a name, the chain of objects
// behind them, the candidates that lost, the endpoints and what a user could fix.

import type { ObjectRef, TrimmedService } from './cluster-objects.js';
import { claimOwner, describeClaim, type Claim } from './claims.js';
import type { EndpointInfo, EndpointSet } from './endpoint-selection.js';
import { serviceProblems } from './service-problems.js';
import { emptyAnswers, type Answers, type Lookup } from './name-lookup.js';
import { hostAnnotation } from './object-claims.js';

export type { ObjectRef };

export interface ChainStep {
  hostname: string;
  matched: string; // the claimed name, "*.example.com" for a wildcard
  claimedBy: ObjectRef & { via?: string; annotation?: string };
  description: string;
  follows: { hostname: string; how: string }[];
  losers: { claimedBy: ObjectRef; description: string; reason: string }[];
}

export interface ServiceEndpoints {
  service: ObjectRef;
  endpoints: EndpointInfo[];
  fallbackToTerminating: boolean;
  failOpen: boolean; // every endpoint failed its health check, so all are answered
  demotedOnly: boolean; // only endpoints on drained or suspect nodes were usable
}

export interface Explanation {
  name: string;
  result: 'answer' | 'cname' | 'nodata' | 'nxdomain' | 'unknown';
  answers: Answers;
  chain: ChainStep[];
  services: ServiceEndpoints[];
  warnings: string[];
}

export class StepRecorder {
  constructor(
    readonly step: ChainStep,
    private readonly warnings: string[],
  ) {}

  follow(hostname: string, how: string): void {
    this.step.follows.push({ hostname, how });
  }

  warn(message: string): void {
    this.warnings.push(`${this.step.claimedBy.kind} ${this.step.claimedBy.namespace}/${this.step.claimedBy.name}: ${message}`);
  }
}

// Collects the resolution path while the index resolves a name with tracing on.
export class Trace {
  private readonly chain: ChainStep[] = [];
  private readonly services = new Map<string, ServiceEndpoints>();
  private readonly warnings: string[] = [];

  constructor(private readonly name: string) {}

  step(hostname: string, winner: Claim, losers: { claim: Claim; reason: string }[]): StepRecorder {
    const step: ChainStep = {
      hostname,
      matched: winner.wildcard === 'none' ? winner.name : `*.${winner.name}`,
      claimedBy: {
        ...claimOwner(winner),
        ...(winner.source.via ? { via: winner.source.via } : {}),
        ...(winner.source.kind === 'annotation' ? { annotation: hostAnnotation } : {}),
      },
      description: describeClaim(winner),
      follows: [],
      losers: losers.map((l) => ({ claimedBy: claimOwner(l.claim), description: describeClaim(l.claim), reason: l.reason })),
    };
    this.chain.push(step);
    return new StepRecorder(step, this.warnings);
  }

  service(namespace: string, name: string, service: TrimmedService | undefined, set: EndpointSet | undefined): void {
    const key = `${namespace}/${name}`;
    if (this.services.has(key) || !service || !set) return;
    this.services.set(key, {
      service: { kind: 'Service', namespace, name },
      endpoints: set.endpoints,
      fallbackToTerminating: set.fallback,
      failOpen: set.failOpen,
      demotedOnly: set.demotedOnly,
    });
    for (const problem of serviceProblems(service, set)) this.warnings.push(`Service ${key}: ${problem.message}`);
  }

  // `problemsOf` gives the problems found in one object; those of the objects in the chain count.
  finish(result: Lookup, problemsOf: (object: ObjectRef) => string[]): Explanation {
    const answers = result.kind === 'found' ? result.answers : emptyAnswers();
    const hasData = answers.a.length + answers.aaaa.length + answers.srv.length > 0;
    const mentioned = new Map(this.chain.map((s) => [`${s.claimedBy.kind}/${s.claimedBy.namespace}/${s.claimedBy.name}`, s.claimedBy]));
    return {
      name: this.name,
      result:
        result.kind !== 'found' ? result.kind : answers.cname ? 'cname' : hasData ? 'answer' : 'nodata',
      answers,
      chain: this.chain,
      services: [...this.services.values()],
      warnings: [...this.warnings, ...[...mentioned.values()].flatMap(problemsOf)],
    };
  }
}
