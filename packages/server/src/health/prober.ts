// Active health checks: probes every endpoint of every health-checked Service on an interval
// (with jitter, within the global budget), runs each through its state machine, infers dead
// nodes, and hands the results to the record index as data. Probes stop for endpoints that
// leave the index.

import type { TrimmedNode } from '../index/cluster-objects.js';
import type { HealthUpdate } from '../index/endpoint-health.js';
import type { RecordIndex } from '../index/record-index.js';
import type { Logger } from '../log.js';
import { healthProbes, nodeSuspicions, reportHealthStates } from '../metrics.js';
import { checkPlan, type CheckMode } from './check-annotation.js';
import { EndpointState, type ProbeResult } from './endpoint-state.js';
import { inferSuspectNodes, type ProbedEndpoint } from './node-inference.js';
import { ProbeBudget } from './probe-budget.js';
import { tcpProbe, type Probe } from './tcp-probe.js';

export interface HealthCheckSettings {
  defaultMode: CheckMode;
  intervalMs: number;
  timeoutMs: number;
  fall: number;
  rise: number;
  maxConcurrent: number;
  perSecond: number;
}

export interface ProberOptions {
  index: RecordIndex;
  settings: HealthCheckSettings;
  log: Logger;
  probe?: Probe;
  random?: () => number;
}

interface Target {
  key: string;
  service: string; // namespace/name
  address: string;
  port: number;
  node: string | undefined;
  state: EndpointState;
  timer: NodeJS.Timeout | undefined;
  probing: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Prober {
  private readonly targets = new Map<string, Target>();
  private readonly due = new Set<Target>(); // waiting for budget, oldest first
  private readonly budget: ProbeBudget;
  private readonly probe: Probe;
  private readonly random: () => number;
  private readonly pending: NonNullable<HealthUpdate['endpoints']> = [];
  private readonly suspects = new Map<string, number>(); // node -> since (ms)
  private readonly clearedAt = new Map<string, number>();
  private syncTimer: NodeJS.Timeout | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  private flushQueued = false;
  private running = false;

  constructor(private readonly options: ProberOptions) {
    this.budget = new ProbeBudget({ maxConcurrent: options.settings.maxConcurrent, perSecond: options.settings.perSecond });
    this.probe = options.probe ?? tcpProbe;
    this.random = options.random ?? Math.random;
    options.index.onChange(() => this.scheduleSync());
    reportHealthStates(() => this.stateCounts());
  }

  start(): void {
    this.running = true;
    this.sync();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.syncTimer);
    clearTimeout(this.pumpTimer);
    for (const target of this.targets.values()) clearTimeout(target.timer);
    this.targets.clear();
    this.due.clear();
  }

  // Endpoints being probed, for tests and the bench.
  get size(): number {
    return this.targets.size;
  }

  get inFlight(): number {
    return this.budget.active;
  }

  private stateCounts(): Record<string, number> {
    const counts: Record<string, number> = { up: 0, down: 0, unchecked: 0 };
    for (const t of this.targets.values()) counts[t.state.state]!++;
    return counts;
  }

  // Index changes come in bursts (a re-list, a rollout): one pass over them.
  private scheduleSync(): void {
    if (!this.running || this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.sync();
    }, 50);
  }

  // Makes the targets exactly the candidate endpoints of health-checked Services.
  private sync(): void {
    if (!this.running) return;
    const { index, settings } = this.options;
    const wanted = new Map<string, Omit<Target, 'state' | 'timer' | 'probing'>>();
    for (const service of index.list('Service')) {
      if (!index.isEligible(service)) continue;
      const plan = checkPlan(service, settings.defaultMode);
      if (plan.port === undefined) continue;
      const id = `${service.meta.namespace}/${service.meta.name}`;
      for (const ep of index.endpointsOf(service.meta.namespace, service.meta.name)?.endpoints ?? []) {
        if (!ep.candidate) continue;
        const key = `${id}|${ep.address}|${plan.port}`;
        wanted.set(key, { key, service: id, address: ep.address, port: plan.port, node: ep.node });
      }
    }
    const forgotten = new Set<string>();
    for (const [key, target] of this.targets) {
      if (wanted.has(key)) continue;
      clearTimeout(target.timer);
      this.due.delete(target);
      this.targets.delete(key);
      forgotten.add(`${target.service}|${target.address}`);
    }
    const now = Date.now();
    for (const [key, spec] of wanted) {
      const existing = this.targets.get(key);
      if (existing) {
        existing.node = spec.node;
        continue;
      }
      const target: Target = { ...spec, state: new EndpointState(settings, now), timer: undefined, probing: false };
      this.targets.set(key, target);
      forgotten.delete(`${target.service}|${target.address}`); // the same endpoint on a new port
      // Spread the first probes over one interval, so a restart is no burst.
      this.schedule(target, this.random() * settings.intervalMs);
    }
    for (const id of forgotten) {
      const [service, address] = id.split('|') as [string, string];
      this.pending.push({ service, address, health: undefined });
    }
    // Also the moment to see whether the API server confirmed a suspect node Ready again.
    if (forgotten.size > 0 || this.suspects.size > 0) this.evaluateNodes();
    if (forgotten.size > 0) this.queueFlush();
  }

  private schedule(target: Target, delayMs: number): void {
    clearTimeout(target.timer);
    target.timer = setTimeout(() => {
      target.timer = undefined;
      this.due.add(target);
      this.pump();
    }, delayMs);
    target.timer.unref();
  }

  // Starts due probes while the budget allows; waits for a token or a finished probe otherwise.
  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    for (const target of this.due) {
      if (!this.budget.tryStart()) break;
      this.due.delete(target);
      void this.run(target);
    }
    if (this.due.size > 0 && this.budget.active < this.options.settings.maxConcurrent) {
      this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, this.budget.msUntilToken()));
      this.pumpTimer.unref();
    }
  }

  private async run(target: Target): Promise<void> {
    const { settings } = this.options;
    target.probing = true;
    let result: ProbeResult;
    try {
      result = await this.probe(target.address, target.port, settings.timeoutMs);
    } catch (err) {
      result = { ok: false, kind: 'error', detail: (err as Error).message };
    } finally {
      this.budget.finish();
      target.probing = false;
    }
    healthProbes.inc({ result: result.ok ? 'up' : result.kind });
    // Gone from the index while the probe ran: drop the result, probe no more.
    if (this.running && this.targets.get(target.key) === target) this.record(target, result);
    this.pump();
  }

  private record(target: Target, result: ProbeResult): void {
    const { settings, log } = this.options;
    const now = Date.now();
    const changed = target.state.record(result, now);
    if (changed) {
      log.info({ service: target.service, address: target.address, port: target.port, node: target.node, state: target.state.state, detail: result.detail }, 'endpoint health changed');
    }
    // The index hears of changes only: the detail it shows is why the state last changed.
    if (changed && target.state.state !== 'unchecked') {
      this.pending.push({
        service: target.service,
        address: target.address,
        health: { state: target.state.state, since: iso(target.state.since), detail: result.detail },
      });
    }
    // Node inference looks at every target: only when a state changed, or a probe on a suspect
    // node answered (at 500 probes a second, a pass per probe was most of minilb's CPU).
    if (changed || (result.ok && target.node !== undefined && this.suspects.has(target.node))) this.evaluateNodes();
    this.queueFlush();
    // Confirm a change under way sooner; jitter keeps probes from lining up.
    const base = target.state.inTransition ? settings.intervalMs / 4 : settings.intervalMs;
    this.schedule(target, base * (0.9 + 0.2 * this.random()));
  }

  private evaluateNodes(): void {
    const { index, log } = this.options;
    const probed: ProbedEndpoint[] = [];
    for (const t of this.targets.values()) {
      probed.push({ node: t.node, address: t.address, down: t.state.state === 'down', downSince: t.state.since, noReply: t.state.noReply });
    }
    const inferred = inferSuspectNodes(probed, this.clearedAt);
    const now = Date.now();
    const update: NonNullable<HealthUpdate['suspectNodes']> = [];
    for (const node of inferred) {
      if (this.suspects.has(node)) continue;
      this.suspects.set(node, now);
      nodeSuspicions.inc();
      log.warn({ node }, 'every probed endpoint on this node fails without a reply: node suspect, its other endpoints demoted');
      update.push({ node, since: iso(now) });
    }
    for (const [node, since] of this.suspects) {
      const readySince = (index.get('Node', '', node) as TrimmedNode | undefined)?.readySince;
      const confirmedReady = readySince !== undefined && readySince !== '' && Date.parse(readySince) > since;
      if (inferred.has(node) && !confirmedReady) continue;
      this.suspects.delete(node);
      this.clearedAt.set(node, now);
      log.info({ node, by: confirmedReady ? 'the API server (Ready again)' : 'the probes' }, 'node no longer suspect');
      update.push({ node, since: undefined });
    }
    if (update.length > 0) index.updateHealth({ suspectNodes: update });
  }

  // Results of one turn of the event loop go to the index together.
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      const endpoints = this.pending.splice(0);
      if (endpoints.length > 0) this.options.index.updateHealth({ endpoints });
    });
  }
}
