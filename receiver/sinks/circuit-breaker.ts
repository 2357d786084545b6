/** Thrown instead of calling a destination that is known to be down. */
export class CircuitOpenError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`circuit open: destination failing, next trial in ${retryAfterMs} ms`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * Closed → open after `failures` consecutive failures → half-open after `openMs`, letting one trial
 * through → closed on its success, open again on its failure. Keeps a dead destination from being
 * hammered, and from making every delivery wait for its timeout.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;
  private trialInFlight = false;

  constructor(private readonly options: { failures: number; openMs: number; now: () => number }) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.openedAt !== undefined) {
      const waited = this.options.now() - this.openedAt;
      if (waited < this.options.openMs || this.trialInFlight) throw new CircuitOpenError(Math.max(1, this.options.openMs - waited));
      this.trialInFlight = true;
    }
    try {
      const result = await operation();
      this.consecutiveFailures = 0;
      this.openedAt = undefined;
      return result;
    } catch (error) {
      this.consecutiveFailures++;
      if (this.openedAt !== undefined || this.consecutiveFailures >= this.options.failures) this.openedAt = this.options.now();
      throw error;
    } finally {
      this.trialInFlight = false;
    }
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.options.now() - this.openedAt < this.options.openMs ? 'open' : 'half-open';
  }
}
