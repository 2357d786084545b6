/** The Failures screen's ranges, each with a bucket width that gives 60 to 96 points. */
export const RANGES = {
  '1 h': { ms: 3_600_000, stepSeconds: 60 },
  '24 h': { ms: 86_400_000, stepSeconds: 900 },
  '7 d': { ms: 7 * 86_400_000, stepSeconds: 7_200 },
} as const;
export type RangeName = keyof typeof RANGES;
export const RANGE_NAMES = Object.keys(RANGES) as RangeName[];

/** Axis labels: the hour and minute within a day, the weekday and hour across a week. */
export function bucketLabel(range: RangeName): (start: string) => string {
  return range === '7 d'
    ? (start) => new Date(start).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : (start) => new Date(start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
