import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { SENDER_PROFILES } from '../../../../shared/model/sender-profiles.js';
import { duration } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';

/** The integration's configuration, its warnings, and each node's view of it. */
export function IntegrationSummary({ integration }: { integration: IntegrationEntry }) {
  const { limits } = integration;
  const sender = SENDER_PROFILES[integration.scheme];
  return (
    <section className="card" aria-label="Configuration">
      <dl className="facts">
        <dt>Scheme</dt>
        <dd>
          {integration.scheme}
          {sender ? <span className="muted"> — usually {sender.sender}, which {sender.retries}</span> : ''}
        </dd>
        <dt>Path</dt>
        <dd>
          <code>{integration.path}</code>
        </dd>
        <dt>Timestamp tolerance</dt>
        <dd>{duration(limits.toleranceSeconds)}</dd>
        <dt>Dedupe window</dt>
        <dd>{duration(limits.dedupeWindowSeconds)}</dd>
        <dt>Body limit</dt>
        <dd>{Math.round(limits.maxBodyBytes / 1024)} KiB</dd>
        <dt>Rate limit</dt>
        <dd>{limits.rateLimit ? `${limits.rateLimit.perSecond}/s, burst ${limits.rateLimit.burst}` : 'none'}</dd>
        <dt>Last 24 h</dt>
        <dd>
          {integration.counts24h.total} deliveries: {integration.counts24h.accepted} accepted, {integration.counts24h.rejected} rejected, {integration.counts24h.duplicate}{' '}
          duplicates
        </dd>
      </dl>
      {integration.warnings.length > 0 && (
        <ul className="notes" aria-label="Warnings">
          {integration.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {integration.nodes.length > 0 && (
        <table aria-label="Per node">
          <thead>
            <tr>
              <th>Node</th>
              <th>Status</th>
              <th>Secrets it accepts</th>
            </tr>
          </thead>
          <tbody>
            {integration.nodes.map((node) => (
              <tr key={node.url}>
                <td>
                  <code>{node.url}</code>
                </td>
                <td>
                  <StatusBadge status={node.status} />
                </td>
                <td>{node.secretIds.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
