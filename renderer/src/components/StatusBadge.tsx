const TONE: Record<string, string> = {
  active: 'ok',
  accepted: 'ok',
  live: 'ok',
  held: 'warn',
  duplicate: 'muted',
  dropped: 'warn',
  killed: 'bad',
  rejected: 'bad',
  retrying: 'warn',
  connecting: 'muted',
};

/** Status in colour and in words: colour alone says nothing to a colour-blind operator or a screen reader. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONE[status] ?? 'muted'}`}>{status}</span>;
}
