import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { LOCAL_FLEET_ID, type IntegrationEntry } from '../../../../shared/contract/console.js';
import { KILL_SWITCH_MODES, type KillSwitchMode } from '../../../../shared/model/kill-switch.js';
import { killModeConsequence, SENDER_PROFILES } from '../../../../shared/model/sender-profiles.js';
import { Badge } from '../../components/Badge.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime } from '../../components/format.js';
import { useFleets } from '../../queries/commands.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { FreshHeldCount } from './FreshHeldCount.js';
import { KillSwitchResults } from './KillSwitchResults.js';
import { nodeVerdicts, scopeRefusal, type KillSwitchOutcome } from './kill-switch-state.js';

const MODE_TITLES: Record<KillSwitchMode, string> = { reject: 'Reject (503, the sender retries)', hold: 'Hold (202, park until released)', drop: 'Drop (202, discard)' };
/** After a failure, nodes are looked at again this often until each shows the change or is retried. */
const RECHECK_MS = 3_000;

/** Set by a kill or a release, and kept when the card switches from one to the other. */
type Acknowledged = (outcome: KillSwitchOutcome) => void;

function EngagedSwitch({ integration, refusal, onAcknowledged }: { integration: IntegrationEntry; refusal: string | undefined; onAcknowledged: Acknowledged }) {
  const resume = useCommandMutation('integrations.resume');
  const [reason, setReason] = useState('');
  const kill = integration.kill;
  const target = { fleetId: integration.fleetId, integrationId: integration.id };
  // The promise, not mutate's callbacks: this card is replaced as soon as the release shows, and the
  // acknowledgement must still reach the parent.
  const release = (held: 'release' | 'discard') =>
    resume.mutateAsync({ ...target, reason, held }).then(
      ({ nodes, held: outcome }) => onAcknowledged({ change: { kind: 'release', reason, held }, nodes, held: outcome }),
      () => undefined,
    );
  const disabled = reason.trim() === '' || resume.isPending || refusal !== undefined;
  return (
    <>
      {kill && (
        <p>
          <Badge tone="bad">{`engaged: ${kill.mode}`}</Badge> by {kill.actor} since {dateTime(kill.since)} — “{kill.reason}”.
          {integration.heldCount > 0 ? ` ${integration.heldCount} deliveries are held.` : ''}
        </p>
      )}
      <div className="form">
        <label>
          Reason for releasing (required, kept in the audit log)
          <input value={reason} onChange={(event) => setReason(event.target.value)} disabled={refusal !== undefined} />
        </label>
      </div>
      <div className="actions">
        <ConfirmButton
          label={kill?.mode === 'hold' ? 'Release and deliver what was held' : 'Release'}
          question={
            <>
              Deliveries are verified and processed again on every node. {kill?.mode === 'hold' && <FreshHeldCount integration={integration} disposition="release" />}
            </>
          }
          confirmLabel="Release now"
          className=""
          disabled={disabled}
          onConfirm={() => void release('release')}
        />
        {kill?.mode === 'hold' && (
          <ConfirmButton
            label="Release and discard what was held"
            question={<FreshHeldCount integration={integration} disposition="discard" />}
            confirmLabel="Discard and release"
            danger
            disabled={disabled}
            onConfirm={() => void release('discard')}
          />
        )}
      </div>
      <ErrorText error={resume.error} />
    </>
  );
}

function ReleasedSwitch({ integration, refusal, onAcknowledged }: { integration: IntegrationEntry; refusal: string | undefined; onAcknowledged: Acknowledged }) {
  const kill = useCommandMutation('integrations.kill');
  const [mode, setMode] = useState<KillSwitchMode>('hold');
  const [reason, setReason] = useState('');
  const sender = SENDER_PROFILES[integration.scheme];
  return (
    <>
      <p>
        <Badge tone="ok">released</Badge> Deliveries are verified and processed.{' '}
        {sender ? `${sender.sender} ${sender.retries}.` : 'This scheme has no known sender: what a refused delivery costs depends on it.'}
      </p>
      <fieldset disabled={refusal !== undefined}>
        <legend>What should the nodes do with this integration's deliveries?</legend>
        {KILL_SWITCH_MODES.map((choice) => (
          <label key={choice} className="inline mode-choice">
            <input type="radio" name="kill-mode" value={choice} checked={mode === choice} onChange={() => setMode(choice)} />
            <span>
              <strong>{MODE_TITLES[choice]}</strong> — {killModeConsequence(integration.scheme, choice)}
            </span>
          </label>
        ))}
      </fieldset>
      <div className="form">
        <label>
          Reason (required, kept in the audit log)
          <input value={reason} onChange={(event) => setReason(event.target.value)} disabled={refusal !== undefined} />
        </label>
      </div>
      <div className="actions">
        <ConfirmButton
          label="Engage kill switch…"
          question={`Engage “${mode}” on every node of this fleet?`}
          confirmLabel="Engage"
          danger
          className="danger"
          disabled={reason.trim() === '' || kill.isPending || refusal !== undefined}
          onConfirm={() =>
            void kill.mutateAsync({ fleetId: integration.fleetId, integrationId: integration.id, mode, reason }).then(
              ({ nodes }) => onAcknowledged({ change: { kind: 'kill', mode, reason }, nodes }),
              () => undefined,
            )
          }
        />
      </div>
      <ErrorText error={kill.error} />
    </>
  );
}

/**
 * Engage or release the integration's kill switch, with what each mode means for this sender.
 * Controls the token's scope cannot use are disabled with the reason. After a partial failure the
 * nodes are looked at again until each shows the change, and a failed node can be retried alone.
 */
export function KillSwitch({ integration }: { integration: IntegrationEntry }) {
  const [outcome, setOutcome] = useState<KillSwitchOutcome | undefined>();
  const fleets = useFleets();
  const queryClient = useQueryClient();
  const scope = integration.fleetId === LOCAL_FLEET_ID ? 'admin' : fleets.data?.find((fleet) => fleet.id === integration.fleetId)?.scope;
  const refusal = scopeRefusal(scope);
  const unresolved = outcome !== undefined && nodeVerdicts(outcome, integration).some((verdict) => verdict.state === 'failed');
  useEffect(() => {
    if (!unresolved) return;
    const timer = window.setInterval(() => void queryClient.invalidateQueries({ queryKey: ['integrations.list'] }), RECHECK_MS);
    return () => window.clearInterval(timer);
  }, [unresolved, queryClient]);
  return (
    <section className="card" aria-labelledby="kill-title">
      <h2 id="kill-title">Kill switch</h2>
      {refusal && (
        <p className="warn-text" role="note">
          {refusal}
        </p>
      )}
      {integration.kill ? (
        <EngagedSwitch integration={integration} refusal={refusal} onAcknowledged={setOutcome} />
      ) : (
        <ReleasedSwitch integration={integration} refusal={refusal} onAcknowledged={setOutcome} />
      )}
      {outcome && <KillSwitchResults integration={integration} outcome={outcome} onRetried={setOutcome} />}
    </section>
  );
}
