import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';

/** No fleet yet: what Hookwarden is for, and the two ways to start. */
export function FirstRun({ onAdd }: { onAdd: () => void }) {
  const startLocal = useCommandMutation('localReceiver.start');
  return (
    <div className="card first-run">
      <h2>No fleet connected yet</h2>
      <p>
        Hookwarden is the console for your verifying webhook receivers. It shows every endpoint of every node, the deliveries as they
        arrive, why signatures fail, and it rotates secrets and flips kill switches on all nodes at once.
      </p>
      <ol>
        <li>
          <strong>Connect a fleet:</strong> the admin API URL of each receiver node and an admin token.
        </li>
        <li>
          <strong>Or try it on this machine first:</strong> the built-in local receiver verifies test deliveries for every scheme.
        </li>
      </ol>
      <div className="actions">
        <button type="button" onClick={onAdd}>
          Add a fleet
        </button>
        <button type="button" className="secondary" disabled={startLocal.isPending} onClick={() => startLocal.mutate({}, { onSuccess: () => (window.location.hash = 'local') })}>
          Start the built-in local receiver
        </button>
      </div>
      <ErrorText error={startLocal.error} />
    </div>
  );
}
