/**
 * The start of a window ending now, rounded down to `alignMs`: a query keyed on it keeps its cache
 * entry between renders instead of refetching every time the clock ticks.
 */
export function windowStart(windowMs: number, alignMs = 60_000, now = Date.now()): number {
  return Math.floor((now - windowMs) / alignMs) * alignMs;
}
