import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useIntegrations } from '../../queries/commands.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { useNow } from '../../queries/use-now.js';
import { CutoverChart } from './CutoverChart.js';
import { IntegrationSummary } from './IntegrationSummary.js';
import { JwsKeySet } from './JwsKeySet.js';
import { KillSwitch } from './KillSwitch.js';
import { RecentDeliveries } from './RecentDeliveries.js';
import { Redrive } from './Redrive.js';
import { SecretsCard } from './SecretsCard.js';
import { useRetireVerdict } from './use-retire-verdict.js';
import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';

/** One integration: configuration, secrets and their rotation, the kill switch, recent deliveries. */
export function IntegrationScreen({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const list = useIntegrations(fleetId);
  const fleetName = useFleetName();
  const now = useNow();
  const verdictOf = useRetireVerdict(fleetId, integrationId, now);
  const integration = list.data?.find((entry) => entry.id === integrationId);

  if (list.isPending) return <p className="muted">Loading…</p>;
  if (!integration) return <ErrorText error={list.error ?? new Error(`No integration “${integrationId}” in ${fleetName(fleetId)}.`)} />;

  // A rotation is under way while an older secret still verifies next to the newest one.
  const usable = integration.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring');
  const rotatedAt = usable.length > 1 ? Date.parse(usable.at(-1)?.createdAt ?? '') : undefined;

  return (
    <section aria-labelledby="integration-title">
      <header className="screen-header">
        <div>
          <p className="muted breadcrumb">
            <a href="#inventory">Inventory</a> / {fleetName(fleetId)}
          </p>
          <h1 id="integration-title">
            {integration.id} <StatusBadge status={integration.status} />
          </h1>
        </div>
      </header>
      <IntegrationSummary integration={integration} />
      {integration.scheme === 'jws' ? <JwsKeySet integration={integration} now={now} /> : <SecretsCard integration={integration} now={now} verdictOf={verdictOf} />}
      <CutoverChart fleetId={fleetId} integrationId={integrationId} rotatedAt={rotatedAt} now={Math.floor(now / 60_000) * 60_000} />
      <KillSwitch integration={integration} />
      {/* The local receiver forwards nothing downstream: nothing to redrive there. */}
      {fleetId !== LOCAL_FLEET_ID && <Redrive fleetId={fleetId} integrationId={integrationId} now={now} />}
      <RecentDeliveries fleetId={fleetId} integrationId={integrationId} />
    </section>
  );
}
