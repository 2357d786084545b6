import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { remaining } from '../../components/format.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { secretAgeDays } from '../inventory/inventory-rows.js';
import type { RetireVerdict } from './cutover.js';
import { NodeResults } from './NodeResults.js';
import { ConfirmCutover } from './ConfirmCutover.js';
import { RotateSecret } from './RotateSecret.js';
import { rotationState, usableSecret as usable } from './rotation-state.js';

type Secret = IntegrationEntry['secrets'][number];

function SecretState({ secret, now }: { secret: Secret; now: number }) {
  if (secret.state === 'expiring' && secret.expiresAt) {
    return <Badge tone="warn">{`expiring — ${remaining(Date.parse(secret.expiresAt) - now)} left`}</Badge>;
  }
  return <Badge tone={secret.state === 'active' ? 'ok' : 'muted'}>{secret.state}</Badge>;
}

function VerdictBadge({ verdict }: { verdict: RetireVerdict | undefined }) {
  if (verdict === 'safe') return <Badge tone="ok" title="It verified nothing in the last 15 minutes, while the new secret did">safe to retire</Badge>;
  if (verdict === 'in-use') return <Badge tone="warn" title="Senders signed with it in the last 15 minutes">still in use (last 15 min)</Badge>;
  if (verdict === 'no-traffic') return <Badge tone="muted" title="Nothing was verified in the last 15 minutes">no traffic for 15 min: can't tell yet</Badge>;
  return null;
}

/** Secrets with age and fingerprint, the rotation, and the retirement of the old secret. */
export function SecretsCard({
  integration,
  now,
  verdictOf,
}: {
  integration: IntegrationEntry;
  now: number;
  verdictOf: (oldSecretId: string, newSecretId: string) => RetireVerdict | undefined;
}) {
  const retire = useCommandMutation('integrations.retireSecret');
  const target = { fleetId: integration.fleetId, integrationId: integration.id };
  const newest = integration.secrets.filter(usable).at(-1);
  const rotation = rotationState(integration);
  const onNodes = (secretId: string) => integration.nodes.filter((node) => node.secretIds.includes(secretId)).length;

  return (
    <section className="card" aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <table>
        <thead>
          <tr>
            <th>Id</th>
            <th>Fingerprint</th>
            <th>Age</th>
            <th>State</th>
            <th>Nodes</th>
            <th>Retirement</th>
          </tr>
        </thead>
        <tbody>
          {integration.secrets.map((secret) => {
            const old = newest !== undefined && secret.id !== newest.id && usable(secret);
            const verdict = old ? verdictOf(secret.id, newest.id) : undefined;
            const present = onNodes(secret.id);
            return (
              <tr key={secret.id}>
                <td>
                  {secret.id}
                  {secret.id === newest?.id ? <span className="muted"> (newest)</span> : ''}
                </td>
                <td>
                  <code>{secret.fingerprint}</code>
                </td>
                <td>
                  {secretAgeDays(Date.parse(secret.createdAt), now)} d{' '}
                  {old && rotation.kind !== 'none' && <Badge tone="muted" title={rotation.kind === 'pending' ? 'Waiting for the cutover to be confirmed' : 'In its overlap'}>rotating</Badge>}
                </td>
                <td>
                  <SecretState secret={secret} now={now} />
                </td>
                <td>
                  {usable(secret) && integration.nodes.length > 0 ? (
                    <Badge tone={present === integration.nodes.length ? 'ok' : 'warn'}>{`on ${present} of ${integration.nodes.length}`}</Badge>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {old && (
                    <div className="stack">
                      <VerdictBadge verdict={verdict} />
                      {verdict === 'safe' ? (
                        <button type="button" className="secondary" onClick={() => retire.mutate({ ...target, secretId: secret.id })}>
                          Retire old now
                        </button>
                      ) : (
                        <ConfirmButton
                          label="Retire old now"
                          question={`Deliveries still signed with ${secret.id} will be refused with 401.`}
                          confirmLabel={`Retire ${secret.id}`}
                          danger
                          className="secondary"
                          onConfirm={() => retire.mutate({ ...target, secretId: secret.id })}
                        />
                      )}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorText error={retire.error} />
      {retire.data && <NodeResults nodes={retire.data.nodes} label="Retirement per node" />}
      <ConfirmCutover integration={integration} />
      {/* Always mounted: the refresh that shows the new secret pending must not unmount the secret shown once. */}
      <RotateSecret fleetId={integration.fleetId} integrationId={integration.id} scheme={integration.scheme} waitingForCutover={rotation.kind === 'pending'} />
    </section>
  );
}
