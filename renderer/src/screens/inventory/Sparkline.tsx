import { Line, LineChart, YAxis } from 'recharts';
import type { TrafficPoint } from './traffic.js';

/**
 * A small line in a table cell; the number next to it says the same in words. It takes no keyboard
 * focus: a tab stop per table cell would make the inventory unusable from the keyboard.
 */
export function Sparkline({ points, value, color, label, max }: { points: readonly TrafficPoint[]; value: 'total' | 'failureRate'; color: string; label: string; max?: number }) {
  if (points.length < 2) return null;
  // An hour without traffic has no failure rate; drawn as zero, it keeps the line whole.
  const data = value === 'failureRate' ? points.map((point) => ({ ...point, failureRate: point.failureRate ?? 0 })) : [...points];
  return (
    <span role="img" aria-label={label} className="sparkline">
      <LineChart width={72} height={22} data={data} margin={{ top: 2, right: 2, bottom: 2, left: 2 }} accessibilityLayer={false}>
        <YAxis hide domain={[0, max ?? 'auto']} />
        <Line type="monotone" dataKey={value} stroke={color} dot={false} strokeWidth={1.5} isAnimationActive={false} />
      </LineChart>
    </span>
  );
}
