// The global bound on health checking: at most `maxConcurrent` connects in flight and
// `perSecond` probes started per second (a token bucket holding a tenth of a second of burst),
// so 1,000 endpoints never become a connection flood.

export interface BudgetLimits {
  maxConcurrent: number;
  perSecond: number;
}

export class ProbeBudget {
  private tokens: number;
  private refilledAt: number;
  private inFlight = 0;
  private readonly capacity: number;

  constructor(
    private readonly limits: BudgetLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, Math.ceil(limits.perSecond / 10));
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  get active(): number {
    return this.inFlight;
  }

  // Takes a slot and a token if both are free.
  tryStart(): boolean {
    this.refill();
    if (this.inFlight >= this.limits.maxConcurrent || this.tokens < 1) return false;
    this.tokens--;
    this.inFlight++;
    return true;
  }

  finish(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  // How long until a token is there (0 when one is); a full slot table waits for finish().
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limits.perSecond);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.limits.perSecond) / 1000);
    this.refilledAt = now;
  }
}
