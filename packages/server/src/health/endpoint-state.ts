// One endpoint's health state machine: down after `fall` failures in a row, up again after
// `rise` successes in a row. A new endpoint starts unchecked and is answered meanwhile.

export type FailureKind = 'refused' | 'timeout' | 'unreachable' | 'error';

export type ProbeResult = { ok: true; detail: string } | { ok: false; kind: FailureKind; detail: string };

export interface Thresholds {
  fall: number;
  rise: number;
}

export class EndpointState {
  state: 'unchecked' | 'up' | 'down' = 'unchecked';
  since: number;
  last: ProbeResult | undefined;
  private streak = 0; // consecutive results that disagree with the current state

  constructor(
    private readonly thresholds: Thresholds,
    now: number,
  ) {
    this.since = now;
  }

  // Records a result; true when the state changed.
  record(result: ProbeResult, now: number): boolean {
    this.last = result;
    const agrees = result.ok ? this.state === 'up' : this.state === 'down';
    if (agrees) {
      this.streak = 0;
      return false;
    }
    this.streak++;
    // From unchecked, one success is enough: it was answered all along.
    const needed = result.ok ? (this.state === 'unchecked' ? 1 : this.thresholds.rise) : this.thresholds.fall;
    if (this.streak < needed) return false;
    this.state = result.ok ? 'up' : 'down';
    this.since = now;
    this.streak = 0;
    return true;
  }

  // A state change is under way: probe again sooner to confirm it (HAProxy's fastinter).
  get inTransition(): boolean {
    return this.streak > 0;
  }

  // The last failure looked like a dead host (no reply), not a closed port on a live one.
  get noReply(): boolean {
    return this.last !== undefined && !this.last.ok && (this.last.kind === 'timeout' || this.last.kind === 'unreachable');
  }
}
