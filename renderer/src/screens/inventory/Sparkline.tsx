import { Line, LineChart } from 'recharts';
import type { TrafficPoint } from './traffic.js';

/** 24 h of deliveries (blue) and failures (red) in a table cell. */
export function Sparkline({ points, label }: { points: readonly TrafficPoint[]; label: string }) {
  if (points.length < 2) return <span className="muted">—</span>;
  return (
    <span role="img" aria-label={label}>
      <LineChart width={120} height={28} data={[...points]}>
        <Line type="monotone" dataKey="total" stroke="#2456c9" dot={false} strokeWidth={1.5} isAnimationActive={false} />
        <Line type="monotone" dataKey="failed" stroke="#c22b2b" dot={false} strokeWidth={1.5} isAnimationActive={false} />
      </LineChart>
    </span>
  );
}
