import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartColors } from '../../app/theme.js';
import { liveHref } from '../live/live-filter.js';

/** Requests that matched no integration are counted under the empty id. */
const shownId = (integrationId: string) => integrationId || '(no integration)';

/** Rejections per integration; a bar or its link opens Live filtered to that integration. */
export function FailuresByIntegration({ fleetId, counts }: { fleetId: string; counts: readonly { integrationId: string; count: number }[] }) {
  const colors = useChartColors();
  const hrefOf = (integrationId: string) => liveHref({ fleetId, outcome: 'rejected', ...(integrationId ? { integrationId } : {}) });
  const rows = counts.map((entry) => ({ ...entry, name: shownId(entry.integrationId) }));
  return (
    <section className="card" aria-labelledby="by-integration-title">
      <h2 id="by-integration-title">By integration</h2>
      {rows.length === 0 ? (
        <p className="muted">No failure in this range.</p>
      ) : (
        <>
          <div>
            <ResponsiveContainer width="100%" height={Math.max(120, rows.length * 36 + 40)}>
              <BarChart
                data={rows}
                layout="vertical"
                margin={{ left: 8, right: 16 }}
                title="Failures by integration"
                desc={rows.map((row) => `${row.name}: ${row.count}`).join(', ')}>
                <CartesianGrid strokeDasharray="3 3" stroke={colors.grid} />
                <XAxis type="number" allowDecimals={false} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} />
                <YAxis type="category" dataKey="name" width={140} stroke={colors.axis} tick={{ fill: colors.axis, fontSize: 12 }} />
                <Tooltip contentStyle={{ background: colors.tooltipBackground, borderColor: colors.grid }} cursor={{ fill: colors.grid }} />
                <Bar
                  dataKey="count"
                  name="failures"
                  fill={colors.bad}
                  cursor="pointer"
                  isAnimationActive={false}
                  onClick={(bar) => {
                    const integrationId = (bar as { payload?: { integrationId?: string } }).payload?.integrationId ?? '';
                    window.location.hash = hrefOf(integrationId).slice(1);
                  }}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="inline-links">
            {rows.map((row) => (
              <li key={row.integrationId}>
                <a href={hrefOf(row.integrationId)}>
                  {row.name}: {row.count}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
