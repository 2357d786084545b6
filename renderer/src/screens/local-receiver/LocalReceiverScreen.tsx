import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { LOCAL_FLEET_ID, TEST_SCHEMES, sendTestVariants } from '../../../../shared/contract/console.js';
import { useCommandMutation, useCommandQuery } from '../../queries/console-queries.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';

type Scheme = (typeof TEST_SCHEMES)[number];
type Variant = (typeof sendTestVariants)[number];

/** The verifying receiver built into the console, and signed test deliveries for every scheme. */
export function LocalReceiverScreen() {
  const status = useCommandQuery('localReceiver.status', {});
  const start = useCommandMutation('localReceiver.start', ['localReceiver.status', 'integrations.list']);
  const stop = useCommandMutation('localReceiver.stop', ['localReceiver.status', 'integrations.list']);
  const send = useCommandMutation('localReceiver.sendTest', ['integrations.list']);
  const [scheme, setScheme] = useState<Scheme>('standard-webhooks');
  const [variant, setVariant] = useState<Variant>('valid');
  const [results, setResults] = useState<{ at: string; scheme: Scheme; variant: Variant; status: number; outcome: string; reason?: string | undefined }[]>([]);
  const running = status.data?.running ?? false;
  const live = useLiveDeliveries();
  const received = live.deliveries.filter((delivery) => delivery.fleetId === LOCAL_FLEET_ID).slice(0, 20);

  const sendTest = () =>
    send.mutate(
      { scheme, variant },
      { onSuccess: (answer) => setResults((previous) => [{ at: new Date().toLocaleTimeString(), scheme, variant, ...answer }, ...previous].slice(0, 50)) },
    );

  return (
    <section aria-labelledby="local-title">
      <header className="screen-header">
        <h1 id="local-title">Local receiver</h1>
        {running ? (
          <button className="secondary" onClick={() => stop.mutate({})}>
            Stop
          </button>
        ) : (
          <button onClick={() => start.mutate({})}>Start</button>
        )}
      </header>
      <ErrorText error={status.error ?? start.error ?? stop.error ?? send.error} />
      <div className="card">
        <p>
          <StatusBadge status={running ? 'live' : 'connecting'} /> {running ? `Listening at ${status.data?.url ?? ''}` : 'Stopped: start it to verify deliveries on this machine.'}
          {running && status.data?.url && (
            <button className="link" onClick={() => void navigator.clipboard?.writeText(status.data.url ?? '')}>
              Copy URL
            </button>
          )}
        </p>
        <table>
          <thead>
            <tr>
              <th>Integration</th>
              <th>Scheme</th>
              <th>Path</th>
            </tr>
          </thead>
          <tbody>
            {(status.data?.integrations ?? []).map((integration) => (
              <tr key={integration.id}>
                <td>{integration.id}</td>
                <td>{integration.scheme}</td>
                <td>
                  <code>{integration.path}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card form">
        <h2>Send a test delivery</h2>
        <div className="filters">
          <label>
            Scheme
            <select value={scheme} onChange={(event) => setScheme(event.target.value as Scheme)}>
              {TEST_SCHEMES.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            Variant
            <select value={variant} onChange={(event) => setVariant(event.target.value as Variant)}>
              {sendTestVariants.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <button onClick={sendTest} disabled={!running || send.isPending}>
            Send test delivery
          </button>
        </div>
        <table aria-label="Test results">
          <thead>
            <tr>
              <th>Time</th>
              <th>Scheme</th>
              <th>Variant</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result, index) => (
              <tr key={`${result.at}-${index}`}>
                <td>{result.at}</td>
                <td>{result.scheme}</td>
                <td>{result.variant}</td>
                <td>{result.status}</td>
                <td>
                  <StatusBadge status={result.outcome} />
                </td>
                <td>{result.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card">
        <h2>Received here, live</h2>
        <table aria-label="Local deliveries">
          <thead>
            <tr>
              <th>Time</th>
              <th>Integration</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Verification</th>
            </tr>
          </thead>
          <tbody>
            {received.map((delivery) => (
              <tr key={delivery.requestId}>
                <td>{new Date(delivery.receivedAt).toLocaleTimeString()}</td>
                <td>{delivery.integrationId ?? '—'}</td>
                <td>{delivery.status}</td>
                <td>
                  <StatusBadge status={delivery.outcome} />
                </td>
                <td>{delivery.secretId ? `verified with secret ${delivery.secretId}` : (delivery.reason ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
