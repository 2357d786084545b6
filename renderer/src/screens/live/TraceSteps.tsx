/** A receiver's verification trace: each step it took and what it found, in order. */
export function TraceSteps({ trace }: { trace: readonly { readonly step: string; readonly result: string }[] }) {
  return (
    <ol className="trace">
      {trace.map((step, index) => (
        <li key={`${index}-${step.step}`}>
          <strong>{step.step}</strong>: {step.result}
        </li>
      ))}
    </ol>
  );
}
