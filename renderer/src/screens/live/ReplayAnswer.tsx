import type { ReplayResult } from '../../../../shared/contract/console.js';
import { TraceSteps } from './TraceSteps.js';

/** What the local receiver answered to a replay, with its verification trace. */
export function ReplayAnswer({ answer }: { answer: ReplayResult }) {
  return (
    <div role="status">
      <p>
        The local receiver answered <strong>{answer.status}</strong>: <code>{answer.body}</code>
      </p>
      {answer.trace && (
        <TraceSteps trace={answer.trace} />
      )}
    </div>
  );
}
