import { Badge } from '../../components/Badge.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { integrationHref } from '../../app/routes.js';
import { useLocalReceiverStatus } from '../../queries/commands.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import { LocalLiveList } from './LocalLiveList.js';
import { LocalPort } from './LocalPort.js';
import { LocalSecret } from './LocalSecret.js';
import { SendTestDelivery } from './SendTestDelivery.js';

/** The verifying receiver built into the console, and signed test deliveries for every scheme. */
export function LocalReceiverScreen() {
  const status = useLocalReceiverStatus();
  const stop = useCommandMutation('localReceiver.stop');
  const running = status.data?.running ?? false;
  const url = status.data?.url ?? null;

  return (
    <section aria-labelledby="local-title">
      <header className="screen-header">
        <h1 id="local-title">Local receiver</h1>
        {running && (
          <button type="button" className="secondary" disabled={stop.isPending} onClick={() => stop.mutate({})}>
            Stop
          </button>
        )}
      </header>
      <ErrorText error={status.error ?? stop.error} />
      <section className="card" aria-label="Status">
        <p className="status-line">
          {running ? <Badge tone="ok">running</Badge> : <Badge tone="muted">stopped</Badge>}{' '}
          {running && url ? (
            <>
              Listening at <code>{url}</code> <CopyButton text={url} label="Copy URL" className="secondary" />
            </>
          ) : (
            'Start it to verify deliveries on this machine, with its own secrets and storage.'
          )}
        </p>
        {status.data && <LocalPort key={`${status.data.port}/${String(running)}`} status={status.data} />}
        {running && url && (
          <p className="muted">
            Point senders at it once: <code>{`stripe listen --forward-to ${url}/hooks/local-stripe`}</code>, then set local-stripe’s secret to the <code>whsec_…</code> it prints.
          </p>
        )}
        {(status.data?.integrations.length ?? 0) > 0 && (
          <div className="table-scroll">
            <table aria-label="Local integrations">
              <thead>
                <tr>
                  <th>Integration</th>
                  <th>Scheme</th>
                  <th>{url ? 'URL' : 'Path'}</th>
                  <th>Secret</th>
                </tr>
              </thead>
              <tbody>
                {(status.data?.integrations ?? []).map((integration) => (
                  <tr key={integration.id}>
                    <td>
                      <a href={integrationHref(LOCAL_FLEET_ID, integration.id)}>{integration.id}</a>
                    </td>
                    <td>{integration.scheme}</td>
                    <td>
                      <code>{url ? `${url}${integration.path}` : integration.path}</code>
                    </td>
                    <td>
                      <LocalSecret integrationId={integration.id} running={running} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <SendTestDelivery running={running} />
      <LocalLiveList />
    </section>
  );
}
