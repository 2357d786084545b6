import { useState } from 'react';
import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime } from '../../components/format.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { NodeResults } from './NodeResults.js';
import { PROVIDER_GUIDES } from './rotation-guide.js';
import { rotationState } from './rotation-state.js';

export const OVERLAPS = [
  { label: '1 hour', seconds: 3_600 },
  { label: '24 hours', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
] as const;

/**
 * A pending rotation: the new secret verifies beside the old, which has no expiry yet. When the
 * cutover chart shows the sender signing with the new secret, the operator confirms, and only
 * then does the old secret's overlap start: a sender that was never switched breaks nothing.
 */
export function ConfirmCutover({ integration }: { integration: IntegrationEntry }) {
  const confirm = useCommandMutation('integrations.confirmSecret');
  const [overlap, setOverlap] = useState<number>(PROVIDER_GUIDES[integration.scheme]?.suggestedOverlapSeconds ?? 86_400);
  const rotation = rotationState(integration);
  if (rotation.kind !== 'pending') {
    // Once confirmed the form goes, but what each node answered stays until the screen is left.
    return confirm.data ? (
      <div className="card" role="status" aria-label="Cutover confirmed">
        <p>Overlap started: the old secret expires at {dateTime(confirm.data.expiresOld)}.</p>
        <NodeResults nodes={confirm.data.nodes} />
      </div>
    ) : null;
  }
  const olderIds = rotation.older.map((secret) => secret.id).join(', ');
  return (
    <div className="card confirm-card" role="group" aria-label="Confirm the cutover">
      <p>
        <strong>Rotation waiting for the sender.</strong> {rotation.newest.id} verifies on the nodes; {olderIds} still verif{rotation.older.length === 1 ? 'ies' : 'y'} with no expiry.
        Once the sender signs with {rotation.newest.id} (see the cutover chart), confirm to start the overlap.
      </p>
      <fieldset>
        <legend>Then keep the old secret verifying for</legend>
        {OVERLAPS.map((choice) => (
          <label key={choice.seconds} className="inline">
            <input type="radio" name="overlap" value={choice.seconds} checked={overlap === choice.seconds} onChange={() => setOverlap(choice.seconds)} />
            {choice.label}
          </label>
        ))}
      </fieldset>
      <ErrorText error={confirm.error} />
      <button
        type="button"
        disabled={confirm.isPending}
        onClick={() => confirm.mutate({ fleetId: integration.fleetId, integrationId: integration.id, secretId: rotation.newest.id, overlapSeconds: overlap })}>
        {confirm.isPending ? 'Confirming…' : `The sender uses ${rotation.newest.id} — start the overlap`}
      </button>
    </div>
  );
}
