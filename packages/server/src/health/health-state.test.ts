// The health state machine, node inference, the probe budget and the annotation, without sockets.

import { describe, expect, it } from 'vitest';
import { service } from '../../testing/objects.fixture.js';
import { checkPlan } from './check-annotation.js';
import { EndpointState, type ProbeResult } from './endpoint-state.js';
import { inferSuspectNodes } from './node-inference.js';
import { ProbeBudget } from './probe-budget.js';

const ok: ProbeResult = { ok: true, detail: 'connected' };
const timeout: ProbeResult = { ok: false, kind: 'timeout', detail: 'no connection within 1000 ms' };
const refused: ProbeResult = { ok: false, kind: 'refused', detail: 'ECONNREFUSED' };

describe('endpoint state machine', () => {
  it('goes down after `fall` failures in a row and up after `rise` successes', () => {
    const s = new EndpointState({ fall: 2, rise: 2 }, 0);
    expect(s.state).toBe('unchecked');
    expect(s.record(ok, 1)).toBe(true);
    expect(s.state).toBe('up');
    expect(s.record(timeout, 2)).toBe(false);
    expect(s.inTransition).toBe(true);
    expect(s.record(ok, 3)).toBe(false); // the streak is broken
    expect(s.record(timeout, 4)).toBe(false);
    expect(s.record(timeout, 5)).toBe(true);
    expect(s).toMatchObject({ state: 'down', since: 5, noReply: true });
    expect(s.record(ok, 6)).toBe(false);
    expect(s.record(ok, 7)).toBe(true);
    expect(s).toMatchObject({ state: 'up', since: 7 });
  });

  it('rises after one success with rise 1, and a refused connect is a failure but not "no reply"', () => {
    const s = new EndpointState({ fall: 1, rise: 1 }, 0);
    s.record(refused, 1);
    expect(s).toMatchObject({ state: 'down', noReply: false });
    s.record(ok, 2);
    expect(s.state).toBe('up');
  });
});

describe('node inference', () => {
  const ep = (node: string, address: string, down: boolean, noReply = true, downSince = 10) => ({ node, address, down, noReply, downSince });

  it('suspects a node when every probed address on it fails without a reply', () => {
    expect(inferSuspectNodes([ep('n1', 'a', true), ep('n1', 'b', true), ep('n2', 'c', true), ep('n2', 'd', false)])).toEqual(new Set(['n1']));
  });

  it('never suspects on one address, on a refused connect, or on failures older than the last clearing', () => {
    expect(inferSuspectNodes([ep('n1', 'a', true), ep('n1', 'a', true)]).size).toBe(0); // one address, two Services
    expect(inferSuspectNodes([ep('n1', 'a', true), ep('n1', 'b', true, false)]).size).toBe(0);
    expect(inferSuspectNodes([ep('n1', 'a', true), ep('n1', 'b', true)], new Map([['n1', 20]])).size).toBe(0);
    expect(inferSuspectNodes([ep('n1', 'a', true, true, 30), ep('n1', 'b', true, true, 31)], new Map([['n1', 20]]))).toEqual(new Set(['n1']));
  });
});

describe('probe budget', () => {
  it('caps concurrent probes and the start rate', () => {
    let now = 0;
    const budget = new ProbeBudget({ maxConcurrent: 3, perSecond: 100 }, () => now);
    // 100/s holds a tenth of a second of burst: 10 tokens; 3 slots.
    expect([1, 2, 3, 4].map(() => budget.tryStart())).toEqual([true, true, true, false]);
    budget.finish();
    expect(budget.tryStart()).toBe(true);
    for (let i = 0; i < 3; i++) budget.finish();
    let started = 0;
    // One simulated second, a finished probe per start: no more than the rate plus one burst.
    for (now = 0; now <= 1000; now += 1) {
      while (budget.tryStart()) {
        started++;
        budget.finish();
      }
    }
    expect(started).toBeGreaterThanOrEqual(100);
    expect(started).toBeLessThanOrEqual(100 + 10);
    now = 1000;
    expect(budget.msUntilToken()).toBeGreaterThan(0);
  });
});

describe('minilb/health-check annotation', () => {
  const tcp = [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }];
  const udp = [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }];
  it('picks the first TCP port, an explicit port, or nothing', () => {
    expect(checkPlan(service('a', 'b', { ports: tcp, annotations: { 'minilb/health-check': 'tcp' } }), 'none')).toEqual({ port: 80 });
    expect(checkPlan(service('a', 'b', { ports: tcp, annotations: { 'minilb/health-check': 'tcp:8081' } }), 'none')).toEqual({ port: 8081 });
    expect(checkPlan(service('a', 'b', { ports: tcp }), 'none').port).toBeUndefined();
    expect(checkPlan(service('a', 'b', { ports: tcp }), 'tcp')).toEqual({ port: 80 });
    expect(checkPlan(service('a', 'b', { ports: tcp, annotations: { 'minilb/health-check': 'none' } }), 'tcp').port).toBeUndefined();
    expect(checkPlan(service('a', 'b', { ports: udp, annotations: { 'minilb/health-check': 'tcp' } }), 'tcp')).toMatchObject({ port: undefined, reason: expect.stringContaining('UDP-only') });
    expect(checkPlan(service('a', 'b', { ports: udp, annotations: { 'minilb/health-check': 'tcp:53' } }), 'tcp').port).toBeUndefined();
    expect(checkPlan(service('a', 'b', { ports: tcp, annotations: { 'minilb/health-check': 'http' } }), 'tcp')).toMatchObject({ port: undefined, reason: expect.stringContaining('"http" is not tcp') });
  });
});
