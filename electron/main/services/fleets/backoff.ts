/** Exponential backoff with jitter, shared by read retries and stream reconnects. */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  readonly initialMs: number;
  /** No delay is longer than this, whatever the attempt. */
  readonly maxMs: number;
}

/**
 * "Equal jitter": half the exponential delay is fixed, the other half random. The fixed half keeps
 * a flapping node from being hammered; the random half keeps a fleet of consoles (or a fleet of
 * nodes restarting together) from reconnecting in lockstep.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
