import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import type { DeliveryRef } from './LiveList.js';

/**
 * Re-sends one captured accepted or held delivery downstream, after a downstream outage lost it.
 * Every node of the fleet is asked; only the node that captured it has it to re-send.
 */
export function RedriveDelivery({ at, integrationId }: { at: DeliveryRef; integrationId: string }) {
  const redrive = useCommandMutation('deliveries.redrive');
  // The local receiver forwards nothing downstream: there is nothing to redrive.
  if (at.fleetId === LOCAL_FLEET_ID) return null;
  const result = redrive.data;
  return (
    <>
      <h3>Redrive</h3>
      <ConfirmButton
        label="Redrive this delivery"
        question="Send this delivery downstream again? The consumer gets it a second time."
        confirmLabel="Send it downstream again"
        disabled={redrive.isPending}
        onConfirm={() => redrive.mutate({ fleetId: at.fleetId, integrationId, requestIds: [at.requestId], dryRun: false })}
      />
      <ErrorText error={redrive.error} />
      {result && (
        <p role="status">
          {result.requeued > 0
            ? `Re-enqueued downstream (${result.requeued}).`
            : 'Nothing to re-send: no node holds a captured copy that already went downstream (one still waiting in the outbox goes anyway).'}
          {result.nodes.some((node) => !node.ok) && ` ${result.nodes.filter((node) => !node.ok).length} node(s) did not answer.`}
        </p>
      )}
    </>
  );
}
