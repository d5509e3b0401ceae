// Failed-login throttling per client address: after `maxFailures` failures within
// `windowMs`, further attempts from that address are refused until the window moves on.

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
  /** Upper bound on tracked addresses (oldest are dropped). */
  maxAddresses?: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly opts: ThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Milliseconds until the address may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.opts.maxFailures) return 0;
    return Math.max(1, recent[recent.length - this.opts.maxFailures]! + this.opts.windowMs - this.now());
  }

  recordFailure(address: string): void {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, recent);
    const max = this.opts.maxAddresses ?? 10_000;
    while (this.failures.size > max) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  private recent(address: string): number[] {
    const cutoff = this.now() - this.opts.windowMs;
    const list = (this.failures.get(address) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(address);
    else this.failures.set(address, list);
    return list;
  }
}
