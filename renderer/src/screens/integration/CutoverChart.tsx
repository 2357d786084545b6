import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { seriesColor, useChartColors } from '../../app/theme.js';
import { useStats } from '../../queries/commands.js';
import { cutoverSeries, cutoverWindow } from './cutover.js';

/** Within a day the time says enough; across days the weekday is needed too. */
const labeller = (spanMs: number) => (start: string) =>
  spanMs > 86_400_000
    ? new Date(start).toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' })
    : new Date(start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** The share of deliveries each secret verified, per bucket, since shortly before the rotation. */
export function CutoverChart({ fleetId, integrationId, rotatedAt, now }: { fleetId: string; integrationId: string; rotatedAt: number | undefined; now: number }) {
  const colors = useChartColors();
  const { since, stepSeconds } = cutoverWindow(rotatedAt, now);
  const label = labeller(now - since);
  // Refreshed often enough to follow a cutover as senders switch.
  const stats = useStats({ fleetId, since: new Date(since).toISOString(), step: stepSeconds }, { refetchInterval: 15_000 });
  const series = cutoverSeries(
    (stats.data ?? []).flatMap((node) => (node.stats ? [node.stats] : [])),
    integrationId,
    { since, until: now, stepSeconds },
  );
  const secretIds = [...new Set(series.flatMap((point) => Object.keys(point.shares)))].sort();
  const rows = series.map((point) => ({ start: point.start, total: point.total, ...point.shares }));
  const verified = series.reduce((sum, point) => sum + point.total, 0);

  return (
    <section className="card" aria-labelledby="cutover-title">
      <h2 id="cutover-title">Cutover: share of deliveries verified by each secret</h2>
      {verified === 0 ? (
        <p className="muted">No verified delivery since {label(new Date(since).toISOString())}.</p>
      ) : (
        <div>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={rows} barCategoryGap={1} title="Share of verified deliveries per secret" desc={`Secrets: ${secretIds.join(', ')}`}>
              <CartesianGrid strokeDasharray="3 3" stroke={colors.grid} />
              <XAxis dataKey="start" tickFormatter={label} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} minTickGap={32} />
              <YAxis domain={[0, 1]} tickFormatter={(value: number) => `${Math.round(value * 100)} %`} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} width={48} />
              <Tooltip
                labelFormatter={(start) => label(String(start))}
                formatter={(value, name) => [`${Math.round(Number(value) * 100)} %`, `secret ${String(name)}`]}
                contentStyle={{ background: colors.tooltipBackground, borderColor: colors.grid }}
                cursor={{ fill: colors.grid }}
              />
              <Legend formatter={(name) => `secret ${String(name)}`} />
              {secretIds.map((secretId, index) => (
                <Bar key={secretId} dataKey={secretId} stackId="share" fill={seriesColor(colors, index + 1)} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
