import type { AuditLog } from '../../../../shared/contract/admin-api.js';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime } from '../../components/format.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useAuditTimeline } from './use-audit-timeline.js';

type Timeline = CommandResult<'audit.timeline'>;
type Entry = Timeline['entries'][number];

const host = (url: string) => url.replace(/^https?:\/\//, '');

/** Details are whatever the node recorded: shown as short "key: value" pairs rather than raw JSON. */
function Details({ details }: { details: Readonly<Record<string, unknown>> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ChainStatus({ chain }: { chain: AuditLog['chain'] }) {
  return chain.verified ? (
    <Badge tone="ok">chain verified</Badge>
  ) : (
    <Badge tone="bad" title="An entry was changed or removed after it was written">{`chain broken at entry ${chain.brokenAt ?? '?'}`}</Badge>
  );
}

/** Each node keeps its own hash chain: its state is told per node, from the newest page read. */
function ChainsPerNode({ nodes }: { nodes: Timeline['nodes'] }) {
  return (
    <section className="card" aria-label="Chain per node">
      <ul className="chains">
        {nodes.map((node) => (
          <li key={node.url}>
            <code>{host(node.url)}</code> {node.chain ? <ChainStatus chain={node.chain} /> : <Badge tone="bad">{`did not answer: ${node.error ?? 'no reason given'}`}</Badge>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EntryRow({ entry, broken }: { entry: Entry; broken: boolean }) {
  return (
    <tr className={broken ? 'broken' : undefined}>
      <td className="nowrap" title={entry.at}>
        {dateTime(entry.at)}
      </td>
      <td className="nowrap">
        <code>{host(entry.nodeUrl)}</code> <span className="muted">#{entry.seq}</span>
        {broken && <Badge tone="bad">broken here</Badge>}
      </td>
      <td className="nowrap">{entry.actor}</td>
      <td className="nowrap">{entry.person ?? <span className="muted">—</span>}</td>
      <td className="nowrap">{entry.action}</td>
      <td className="nowrap">{entry.integrationId ?? ''}</td>
      <td>
        <Details details={entry.details} />
      </td>
    </tr>
  );
}

/** Every admin action and refusal of the fleet, all nodes merged, newest first; each node's hash chain checked. */
export function AuditScreen() {
  const choice = useFleetChoice();
  const timeline = useAuditTimeline(choice.fleetId, choice.ready);
  const pages = timeline.data?.pages ?? [];
  const entries = pages.flatMap((page) => page.entries);
  const chains = pages[0]?.nodes ?? [];
  const brokenAt = new Map(chains.flatMap((node) => (node.chain && !node.chain.verified ? [[node.url, node.chain.brokenAt]] : [])));

  return (
    <section aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit</h1>
        <FleetPicker choice={choice} />
      </header>
      <ErrorText error={timeline.error} />
      {chains.length > 0 && <ChainsPerNode nodes={chains} />}
      {timeline.isSuccess && entries.length === 0 && <p className="muted">No admin action in this fleet yet.</p>}
      {entries.length > 0 && (
        <section className="card" aria-label="Fleet timeline">
          <div className="table-scroll">
            <table aria-label="Audit timeline, newest first">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Node</th>
                  <th>Token</th>
                  <th>Person</th>
                  <th>Action</th>
                  <th>Integration</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <EntryRow key={`${entry.nodeUrl}#${entry.seq}`} entry={entry} broken={brokenAt.get(entry.nodeUrl) === entry.seq} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="actions">
            {timeline.hasNextPage ? (
              <button type="button" className="secondary" disabled={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
                {timeline.isFetchingNextPage ? 'Loading…' : 'Load older'}
              </button>
            ) : (
              <span className="muted">{`All ${entries.length} entries shown: the start of every chain.`}</span>
            )}
          </div>
        </section>
      )}
    </section>
  );
}
