import { Badge, type Tone } from './Badge.js';

const TONE: Readonly<Record<string, Tone>> = {
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
  missing: 'bad',
  unreachable: 'bad',
};

/** An integration status, a delivery outcome or a stream state, by its own word. */
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONE[status] ?? 'muted'}>{status}</Badge>;
}
