import type { ReplayResult } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { showableBody } from '../live/CapturedBody.js';
import { TraceSteps } from '../live/TraceSteps.js';

export type ReplayOutcome = ReplayResult | { readonly requestId: string; readonly error: string };

const tone = (status: number) => (status < 300 ? 'ok' : status < 500 ? 'bad' : 'warn');

/** What the target answered for each replayed delivery, with the local receiver's verification. */
export function ReplayResults({ results }: { results: readonly ReplayOutcome[] }) {
  if (results.length === 0) return null;
  return (
    <table aria-label="Replay results">
      <thead>
        <tr>
          <th>Captured request</th>
          <th>Status</th>
          <th>Answer</th>
          <th>Verification</th>
        </tr>
      </thead>
      <tbody>
        {results.map((result) => (
          <tr key={result.requestId}>
            <td>
              <code>{result.requestId.slice(0, 8)}</code>
            </td>
            {'status' in result ? (
              <>
                <td>
                  <Badge tone={tone(result.status)}>{String(result.status)}</Badge>
                </td>
                <td>
                  <pre className="body compact">{showableBody(result.body, 2_000)}</pre>
                </td>
                <td>
                  {result.trace ? (
                    <details>
                      <summary>{result.trace.find((step) => step.step === 'signature')?.result ?? `${result.trace.length} steps`}</summary>
                      <TraceSteps trace={result.trace} />
                    </details>
                  ) : (
                    <span className="muted">not verified here (sent to a URL)</span>
                  )}
                </td>
              </>
            ) : (
              <td colSpan={3} className="error">
                {result.error}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
