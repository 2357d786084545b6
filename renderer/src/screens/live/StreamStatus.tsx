import { Badge } from '../../components/Badge.js';
import { useStreamStates } from '../../queries/live-deliveries.js';

/**
 * Whether every node's live stream is connected: a list that stopped moving must say whether the
 * traffic stopped or the connection did.
 */
export function StreamStatus({ fleetName }: { fleetName: (fleetId: string) => string }) {
  const { nodes: streams, known } = useStreamStates();
  if (!known) return <p className="muted stream-status">Asking the console for the node streams…</p>;
  if (streams.length === 0) return <p className="muted stream-status">No node stream: connect a fleet or start the local receiver.</p>;
  const live = streams.filter((stream) => stream.state === 'live').length;
  const troubled = streams.filter((stream) => stream.state !== 'live');
  return (
    <div className="stream-status" aria-label="Node streams">
      <Badge tone={troubled.length === 0 ? 'ok' : live === 0 ? 'bad' : 'warn'}>{`${live} of ${streams.length} node streams live`}</Badge>
      {troubled.map((stream) => (
        <span key={`${stream.fleetId} ${stream.url}`} className="muted">
          {fleetName(stream.fleetId)} {stream.url}: {stream.state}
          {stream.error ? ` (${stream.error})` : ''}
        </span>
      ))}
    </div>
  );
}
