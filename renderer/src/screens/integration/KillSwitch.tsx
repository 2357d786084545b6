import { useState } from 'react';
import type { IntegrationEntry, NodeResult } from '../../../../shared/contract/console.js';
import { KILL_SWITCH_MODES, type KillSwitchMode } from '../../../../shared/model/kill-switch.js';
import { killModeConsequence, SENDER_PROFILES } from '../../../../shared/model/sender-profiles.js';
import { Badge } from '../../components/Badge.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime } from '../../components/format.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { NodeResults } from './NodeResults.js';

const MODE_TITLES: Record<KillSwitchMode, string> = { reject: 'Reject (503, the sender retries)', hold: 'Hold (202, park until released)', drop: 'Drop (202, discard)' };

/** Set by a kill or a release, and kept when the card switches from one to the other. */
type Acknowledged = (result: { label: string; nodes: readonly NodeResult[] }) => void;

function EngagedSwitch({ integration, onAcknowledged }: { integration: IntegrationEntry; onAcknowledged: Acknowledged }) {
  const resume = useCommandMutation('integrations.resume');
  const [reason, setReason] = useState('');
  const kill = integration.kill;
  const target = { fleetId: integration.fleetId, integrationId: integration.id };
  // The promise, not mutate's callbacks: this card is replaced as soon as the release shows, and the
  // acknowledgement must still reach the parent.
  const release = (held: 'release' | 'discard') =>
    resume.mutateAsync({ ...target, reason, held }).then(
      ({ nodes }) => onAcknowledged({ label: 'Release per node', nodes }),
      () => undefined,
    );
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
          <input value={reason} onChange={(event) => setReason(event.target.value)} />
        </label>
      </div>
      <div className="actions">
        <ConfirmButton
          label={integration.heldCount > 0 ? 'Release and deliver what was held' : 'Release'}
          question="Deliveries are verified and processed again on every node."
          confirmLabel="Release now"
          className=""
          disabled={reason.trim() === '' || resume.isPending}
          onConfirm={() => void release('release')}
        />
        {integration.heldCount > 0 && (
          <ConfirmButton
            label="Release and discard what was held"
            question={`The ${integration.heldCount} held deliveries are discarded for good.`}
            confirmLabel="Discard and release"
            danger
            disabled={reason.trim() === '' || resume.isPending}
            onConfirm={() => void release('discard')}
          />
        )}
      </div>
      <ErrorText error={resume.error} />
    </>
  );
}

function ReleasedSwitch({ integration, onAcknowledged }: { integration: IntegrationEntry; onAcknowledged: Acknowledged }) {
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
      <fieldset>
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
          <input value={reason} onChange={(event) => setReason(event.target.value)} />
        </label>
      </div>
      <div className="actions">
        <ConfirmButton
          label="Engage kill switch…"
          question={`Engage “${mode}” on every node of this fleet?`}
          confirmLabel="Engage"
          danger
          className="danger"
          disabled={reason.trim() === '' || kill.isPending}
          onConfirm={() =>
            void kill.mutateAsync({ fleetId: integration.fleetId, integrationId: integration.id, mode, reason }).then(
              ({ nodes }) => onAcknowledged({ label: 'Kill switch per node', nodes }),
              () => undefined,
            )
          }
        />
      </div>
      <ErrorText error={kill.error} />
    </>
  );
}

/** Engage or release the integration's kill switch, with what each mode means for this sender. */
export function KillSwitch({ integration }: { integration: IntegrationEntry }) {
  const [acknowledged, setAcknowledged] = useState<{ label: string; nodes: readonly NodeResult[] } | undefined>();
  return (
    <section className="card" aria-labelledby="kill-title">
      <h2 id="kill-title">Kill switch</h2>
      {integration.kill ? (
        <EngagedSwitch integration={integration} onAcknowledged={setAcknowledged} />
      ) : (
        <ReleasedSwitch integration={integration} onAcknowledged={setAcknowledged} />
      )}
      {acknowledged && <NodeResults nodes={acknowledged.nodes} label={acknowledged.label} />}
    </section>
  );
}
