import { Area, AreaChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis, type DotItemDotProps } from 'recharts';
import type { Reason } from '../../../../shared/model/outcomes.js';
import { seriesColor, useChartColors } from '../../app/theme.js';
import { liveHref } from '../live/live-filter.js';
import { stackedRows, type FailureSeries } from './failure-series.js';

/** A dot on every bucket that had failures of this reason: a single failure in an hour must not vanish into a sliver. */
function failureDot(reason: Reason, color: string) {
  function FailureDot({ cx, cy, payload, index }: DotItemDotProps) {
    const count = (payload as Record<string, number> | undefined)?.[reason] ?? 0;
    if (count === 0 || cx === undefined || cy === undefined) return <g key={index} />;
    return <circle key={index} cx={cx} cy={cy} r={3} fill={color} stroke="none" />;
  }
  return FailureDot;
}

const go = (href: string) => {
  window.location.hash = href.slice(1);
};

/**
 * Rejections stacked by reason over time, spikes marked with a dashed line. A click on a reason's
 * band, or on its row in the table below (for the keyboard), opens Live filtered to it.
 */
export function FailuresByReason({ fleetId, series, label }: { fleetId: string; series: FailureSeries; label: (start: string) => string }) {
  const colors = useChartColors();
  const colorOf = (index: number) => seriesColor(colors, index);
  const rows = stackedRows(series);
  const spikes = series.points.filter((point) => point.spike);
  const reasonHref = (reason: Reason) => liveHref({ fleetId, outcome: 'rejected', reason });

  return (
    <section className="card" aria-labelledby="by-reason-title">
      <header className="card-header">
        <h2 id="by-reason-title">Failures by reason</h2>
        <a href={liveHref({ fleetId, outcome: 'rejected' })}>See every rejected delivery</a>
      </header>
      {series.reasons.length === 0 ? (
        <p className="muted">No failure in this range.</p>
      ) : (
        <>
          <div>
            <ResponsiveContainer width="100%" height={260}>
              <AreaChart
                data={rows}
                margin={{ top: 16, right: 16, bottom: 0, left: 0 }}
                title="Failures by reason over time"
                desc={series.reasons.map(({ reason, count }) => `${reason}: ${count}`).join(', ')}>
                <CartesianGrid strokeDasharray="3 3" stroke={colors.grid} />
                <XAxis dataKey="start" tickFormatter={label} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} minTickGap={24} />
                <YAxis allowDecimals={false} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} width={40} />
                <Tooltip labelFormatter={(start) => label(String(start))} contentStyle={{ background: colors.tooltipBackground, borderColor: colors.grid }} />
                <Legend />
                {series.reasons.map(({ reason }, index) => (
                  <Area
                    key={reason}
                    type="monotone"
                    dataKey={reason}
                    stackId="failures"
                    stroke={colorOf(index)}
                    fill={colorOf(index)}
                    fillOpacity={0.55}
                    dot={failureDot(reason, colorOf(index))}
                    isAnimationActive={false}
                    cursor="pointer"
                    onClick={() => go(reasonHref(reason))}
                  />
                ))}
                {spikes.map((point) => (
                  <ReferenceLine
                    key={point.start}
                    x={point.start}
                    stroke={colors.bad}
                    strokeDasharray="4 2"
                    label={{ value: 'spike', position: 'top', fill: colors.bad, fontSize: 12 }}
                  />
                ))}
              </AreaChart>
            </ResponsiveContainer>
          </div>
          {spikes.length > 0 && (
            <p className="warn-text" role="note">
              {spikes.length === 1 ? 'A spike' : `${spikes.length} spikes`}: {spikes.map((point) => `${label(point.start)} (${point.total} failures)`).join(', ')} — more than three times
              the usual {series.median} per bucket.
            </p>
          )}
          <table aria-label="Failures by reason">
            <thead>
              <tr>
                <th>Reason</th>
                <th className="numeric">Failures</th>
                <th>Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {series.reasons.map(({ reason, count }, index) => (
                <tr key={reason}>
                  <td>
                    <span className="swatch" style={{ background: colorOf(index) }} aria-hidden="true" /> {reason}
                  </td>
                  <td className="numeric">{count}</td>
                  <td>
                    <a href={reasonHref(reason)}>Show in Live</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
