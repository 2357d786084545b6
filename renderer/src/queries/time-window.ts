/**
 * The start of a window ending now, rounded down to `alignMs`: a query keyed on it keeps its cache
 * entry between renders instead of refetching every time the clock ticks.
 */
export function windowStart(windowMs: number, alignMs = 60_000, now = Date.now()): number {
  return Math.floor((now - windowMs) / alignMs) * alignMs;
}

export interface BucketWindow {
  readonly since: number;
  readonly until: number;
  readonly stepSeconds: number;
}

/**
 * Every bucket start of a window as the receiver writes them (ISO, aligned to the step since the
 * epoch), so that quiet buckets can be drawn as zeros and the time axis stays true.
 */
export function bucketStarts(window: BucketWindow): string[] {
  const stepMs = window.stepSeconds * 1000;
  const starts: string[] = [];
  for (let start = Math.floor(window.since / stepMs) * stepMs; start <= window.until; start += stepMs) starts.push(new Date(start).toISOString());
  return starts;
}
