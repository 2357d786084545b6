/** `datetime-local` speaks local wall time without a zone; the node wants an instant. */
export function localInputValue(ms: number): string {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

export function instantOf(localValue: string): string | undefined {
  const ms = Date.parse(localValue);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** What is wrong with a range, in words naming the field, or undefined when it can be sent. */
export function rangeProblem(since: string, until: string): string | undefined {
  const from = instantOf(since);
  const to = until === '' ? undefined : instantOf(until);
  if (from === undefined) return 'From: choose a date and time';
  if (until !== '' && to === undefined) return 'Until: not a date and time';
  if (to !== undefined && Date.parse(to) <= Date.parse(from)) return 'Until: must be after From';
  return undefined;
}
