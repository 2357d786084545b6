import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ago, percent } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { integrationHref } from '../../app/routes.js';
import { useChartColors } from '../../app/theme.js';
import { answeredNodes, failureRate, HIGH_FAILURE_RATE, nodeDrift, OLD_SECRET_DAYS, oldestSecretDays } from './inventory-rows.js';
import { rotationState } from '../integration/rotation-state.js';
import { Sparkline } from './Sparkline.js';
import type { TrafficPoint } from './traffic.js';

function SecretAge({ entry, now }: { entry: IntegrationEntry; now: number }) {
  // JWS verifies with the sender's public keys: there is no secret to age.
  if (entry.scheme === 'jws') return <span>{entry.jws ? `key set: ${entry.jws.keys.length} key${entry.jws.keys.length === 1 ? '' : 's'}` : 'key set'}</span>;
  const days = oldestSecretDays(entry, now);
  if (days === null) return <Badge tone="bad">no usable secret</Badge>;
  const count = entry.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring').length;
  const words = `${days} d${count > 1 ? ` (${count} secrets)` : ''}`;
  // An old secret on its way out is what rotation looks like, not a reason to rotate again.
  if (rotationState(entry).kind !== 'none') return <Badge tone="muted" title="A newer secret is in place; the old one is being phased out">{`rotating (${words})`}</Badge>;
  return days > OLD_SECRET_DAYS ? <Badge tone="warn" title={`Older than ${OLD_SECRET_DAYS} days: rotate it`}>{`${words} — rotate`}</Badge> : <span>{words}</span>;
}

function Drift({ entry }: { entry: IntegrationEntry }) {
  const betweenNodes = nodeDrift(entry);
  const nodes = entry.nodes.length;
  return (
    <>
      {betweenNodes.length === 0 ? (
        <Badge tone="ok">{nodes > 1 ? `${nodes} nodes agree` : 'one node'}</Badge>
      ) : (
        <>
          <Badge tone="warn">nodes differ</Badge>
          <ul className="notes">
            {betweenNodes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      )}
      {entry.drift.length > 0 && (
        <p className="muted small" title="Changed through the admin API since the config file was loaded">
          runtime changes: {entry.drift.map((drift) => drift.field).join(', ')}
        </p>
      )}
    </>
  );
}

/** Counts summed over the nodes that answered: with one silent, they are that many nodes' numbers, and say so. */
function Partial({ entry }: { entry: IntegrationEntry }) {
  const coverage = answeredNodes(entry);
  if (coverage.answered === coverage.total) return null;
  return (
    <span className="partial">
      <Badge tone="warn">{`partial: ${coverage.answered} of ${coverage.total} nodes`}</Badge>
    </span>
  );
}

/** One integration of one fleet: status, endpoint, secrets, traffic, failures, drift and warnings. */
export function InventoryRow({ entry, fleetName, traffic, now }: { entry: IntegrationEntry; fleetName: string; traffic: readonly TrafficPoint[]; now: number }) {
  const colors = useChartColors();
  const rate = failureRate(entry);
  return (
    <tr>
      <td>{fleetName}</td>
      <td>
        <a href={integrationHref(entry.fleetId, entry.id)} className="strong">
          {entry.id}
        </a>
        <div className="muted small">
          {entry.scheme} · <code className="nowrap">{entry.path}</code>
        </div>
      </td>
      <td>
        <StatusBadge status={entry.status} />
      </td>
      <td>
        <SecretAge entry={entry} now={now} />
      </td>
      <td className="numeric">
        <span className="metric">
          {entry.counts24h.total}
          <Sparkline points={traffic} value="total" color={colors.accent} label={`deliveries of ${entry.id} per hour over 24 hours`} />
        </span>
        <Partial entry={entry} />
      </td>
      <td className="numeric">
        <span className="metric">
          {entry.counts24h.total === 0 ? '—' : rate > HIGH_FAILURE_RATE ? <Badge tone="bad">{percent(rate)}</Badge> : percent(rate)}
          <Sparkline points={traffic} value="failureRate" color={colors.bad} max={1} label={`failure rate of ${entry.id} per hour over 24 hours`} />
        </span>
        <Partial entry={entry} />
      </td>
      <td className="nowrap" title={entry.lastDeliveryAt ?? undefined}>
        {entry.lastDeliveryAt ? ago(entry.lastDeliveryAt, now) : 'never'}
      </td>
      <td className="drift-cell">
        <Drift entry={entry} />
        {entry.warnings.length > 0 && (
          <ul className="notes" aria-label="Warnings">
            {entry.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
