import type { ReplayResult } from '../../../../shared/contract/console.js';

/** What the local receiver answered to a replay, with its verification trace. */
export function ReplayAnswer({ answer }: { answer: ReplayResult }) {
  return (
    <div role="status">
      <p>
        The local receiver answered <strong>{answer.status}</strong>: <code>{answer.body}</code>
      </p>
      {answer.trace && (
        <ol className="trace">
          {answer.trace.map((step, index) => (
            <li key={`${index}-${step.step}`}>
              <strong>{step.step}</strong>: {step.result}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
