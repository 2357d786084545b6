import { useState } from 'react';
import { TEST_SCHEMES, sendTestVariants } from '../../../../shared/contract/console.js';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandMutation } from '../../queries/console-queries.js';

type Scheme = (typeof TEST_SCHEMES)[number];
type Variant = (typeof sendTestVariants)[number];

const VARIANT_WORDS: Record<Variant, string> = {
  valid: 'valid — signed with the right secret',
  'wrong-secret': 'wrong secret — expect 401',
  expired: 'expired timestamp — expect 401',
  replay: 'replayed — the same delivery twice',
};

interface SentTest {
  readonly at: string;
  readonly scheme: Scheme;
  readonly variant: Variant;
  readonly status: number;
  readonly outcome: string;
  readonly reason?: string | undefined;
}

/** Signed test deliveries for every scheme, in each way a real one goes wrong. */
export function SendTestDelivery({ running }: { running: boolean }) {
  const send = useCommandMutation('localReceiver.sendTest');
  const [scheme, setScheme] = useState<Scheme>('standard-webhooks');
  const [variant, setVariant] = useState<Variant>('valid');
  const [results, setResults] = useState<readonly SentTest[]>([]);

  const sendTest = () =>
    send.mutate(
      { scheme, variant },
      { onSuccess: (answer) => setResults((previous) => [{ at: new Date().toLocaleTimeString(), scheme, variant, ...answer }, ...previous].slice(0, 50)) },
    );

  return (
    <section className="card" aria-labelledby="send-test-title">
      <h2 id="send-test-title">Send a test delivery</h2>
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
              <option key={name} value={name}>
                {VARIANT_WORDS[name]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={sendTest} disabled={!running || send.isPending}>
          Send test delivery
        </button>
      </div>
      {!running && <p className="muted">Start the local receiver to send test deliveries.</p>}
      <ErrorText error={send.error} />
      {results.length > 0 && (
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
              <tr key={`${result.at}-${results.length - index}`}>
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
      )}
    </section>
  );
}
