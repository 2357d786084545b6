import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandMutation, useCommandQuery } from '../../queries/console-queries.js';
import { windowStart } from '../../queries/time-window.js';
import { cutoverSeries, safeToRetire } from './cutover.js';
import { KillSwitch } from './KillSwitch.js';
import { NodeResults } from './NodeResults.js';
import { RotateSecret } from './RotateSecret.js';

const COLORS = ['#2456c9', '#1a7f37', '#9a6700', '#c22b2b', '#8250df'];
const colorOf = (index: number): string => COLORS[index % COLORS.length] ?? '#2456c9';

function countdown(until: string, now: number): string {
  const ms = Date.parse(until) - now;
  if (ms <= 0) return 'expired';
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `expires in ${hours} h ${Math.floor((ms % 3_600_000) / 60_000)} min` : `expires in ${Math.ceil(ms / 60_000)} min`;
}

/** One integration: configuration, secrets and their rotation, the kill switch, recent deliveries. */
export function IntegrationScreen({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const list = useCommandQuery('integrations.list', { fleetId }, { refetchInterval: 10_000 });
  const since = windowStart(6 * 3_600_000);
  const stats = useCommandQuery('stats.get', { fleetId, since: new Date(since).toISOString(), step: 300 }, { refetchInterval: 30_000 });
  const recent = useCommandQuery('deliveries.list', { fleetId, integrationId, limit: 20 });
  const retire = useCommandMutation('integrations.retireSecret', ['integrations.list']);
  const integration = list.data?.find((entry) => entry.id === integrationId);
  const now = Date.now();

  if (list.isPending) return <p>Loading…</p>;
  if (!integration) return <ErrorText error={list.error ?? new Error(`No integration ${integrationId} in this fleet.`)} />;

  const live = integration.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring');
  const newest = live.at(-1);
  const series = cutoverSeries((stats.data ?? []).flatMap((node) => (node.stats ? [node.stats] : [])), integrationId);
  const secretIds = [...new Set(series.flatMap((point) => Object.keys(point.shares)))];
  const chart = series.map((point) => ({ time: new Date(point.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), ...point.shares }));

  return (
    <section aria-labelledby="integration-title">
      <header className="screen-header">
        <h1 id="integration-title">
          {integration.id} <StatusBadge status={integration.status} />
        </h1>
        <a href="#inventory">Back to the inventory</a>
      </header>
      <div className="card">
        <p>
          Scheme <strong>{integration.scheme}</strong> at <code>{integration.path}</code> · tolerance {integration.limits.toleranceSeconds} s · dedupe window{' '}
          {Math.round(integration.limits.dedupeWindowSeconds / 3600)} h · body limit {Math.round(integration.limits.maxBodyBytes / 1024)} KiB
          {integration.limits.rateLimit ? ` · ${integration.limits.rateLimit.perSecond}/s (burst ${integration.limits.rateLimit.burst})` : ''}
        </p>
        {integration.warnings.length > 0 && (
          <ul className="notes">
            {integration.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="card">
        <h2>Secrets</h2>
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Fingerprint</th>
              <th>Age</th>
              <th>State</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {integration.secrets.map((secret) => {
              const retirable = secret.id !== newest?.id && (secret.state === 'active' || secret.state === 'expiring');
              return (
                <tr key={secret.id}>
                  <td>{secret.id}</td>
                  <td>
                    <code>{secret.fingerprint}</code>
                  </td>
                  <td>{Math.floor((now - Date.parse(secret.createdAt)) / 86_400_000)} d</td>
                  <td>
                    {secret.state}
                    {secret.expiresAt && secret.state === 'expiring' ? ` — ${countdown(secret.expiresAt, now)}` : ''}
                    {retirable && newest && safeToRetire(series, secret.id, newest.id, now) ? ' — safe to retire' : ''}
                  </td>
                  <td>
                    {retirable && (
                      <button className="secondary" onClick={() => retire.mutate({ fleetId, integrationId, secretId: secret.id })}>
                        Retire {secret.id} now
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <ErrorText error={retire.error} />
        {retire.data && <NodeResults nodes={retire.data.nodes} />}
        <RotateSecret fleetId={fleetId} integrationId={integrationId} />
        <h2 className="spaced">Cutover: share of deliveries verified by each secret</h2>
        {chart.length === 0 ? (
          <p className="muted">No verified delivery in the last six hours.</p>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <AreaChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" />
              <YAxis tickFormatter={(value: number) => `${Math.round(value * 100)} %`} domain={[0, 1]} />
              <Tooltip formatter={(value) => `${Math.round(Number(value) * 100)} %`} />
              <Legend />
              {secretIds.map((secretId, index) => (
                <Area key={secretId} type="monotone" dataKey={secretId} stackId="share" stroke={colorOf(index)} fill={colorOf(index)} />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        )}
      </div>
      <KillSwitch integration={integration} />
      <div className="card">
        <h2>Recent deliveries</h2>
        <table>
          <thead>
            <tr>
              <th>Time</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Reason</th>
              <th>Secret</th>
            </tr>
          </thead>
          <tbody>
            {(recent.data?.deliveries ?? []).map((delivery) => (
              <tr key={delivery.requestId}>
                <td>{new Date(delivery.receivedAt).toLocaleTimeString()}</td>
                <td>{delivery.status}</td>
                <td>
                  <StatusBadge status={delivery.outcome} />
                </td>
                <td>{delivery.reason ?? ''}</td>
                <td>{delivery.secretId ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
