import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ago, dateTime } from '../../components/format.js';

type KeySet = NonNullable<IntegrationEntry['jws']>;

function LastFetch({ keySet, now }: { keySet: KeySet; now: number }) {
  if (keySet.source === 'file') return <>keys from the config file: never fetched</>;
  const { lastFetch, nextRefreshAt } = keySet;
  return (
    <>
      {lastFetch === null ? (
        <Badge tone="warn">not fetched yet</Badge>
      ) : lastFetch.ok ? (
        <Badge tone="ok" title={dateTime(lastFetch.at)}>{`fetched ${ago(lastFetch.at, now)}`}</Badge>
      ) : (
        <Badge tone="bad" title={dateTime(lastFetch.at)}>{`failed ${ago(lastFetch.at, now)}: ${lastFetch.error ?? 'no reason given'}`}</Badge>
      )}
      {nextRefreshAt && <span className="muted"> · next refresh allowed at {dateTime(nextRefreshAt)}</span>}
    </>
  );
}

/**
 * A JWS integration verifies with the sender's public keys: no secret to rotate. What an operator
 * needs is which keys are loaded, which of them verified the recent deliveries, when the JWKS was
 * last fetched, and key ids that arrived but are not in the set (the sender rotated ahead of us).
 */
export function JwsKeySet({ integration, now }: { integration: IntegrationEntry; now: number }) {
  const keySet = integration.jws;
  return (
    <section className="card" aria-labelledby="jws-title">
      <h2 id="jws-title">Key set</h2>
      <p className="muted">Verified with the sender’s public keys: there is no shared secret to rotate. The sender rotates its keys; the node loads them.</p>
      {!keySet ? (
        <p className="muted">The nodes do not report their key set (a receiver version before key-set reporting).</p>
      ) : (
        <>
          <dl className="facts">
            <dt>Source</dt>
            <dd>{keySet.source === 'url' ? 'JWKS URL' : 'config file'}</dd>
            <dt>Last JWKS fetch</dt>
            <dd>
              <LastFetch keySet={keySet} now={now} />
            </dd>
          </dl>
          <div className="table-scroll">
            <table aria-label="Keys loaded">
              <thead>
                <tr>
                  <th>Key id</th>
                  <th>Algorithm</th>
                  <th>Type</th>
                  <th className="numeric">Verified</th>
                  <th>Last verified</th>
                </tr>
              </thead>
              <tbody>
                {keySet.keys.map((key, index) => {
                  const verified = keySet.verifiedByKid.find((entry) => entry.kid === key.kid);
                  return (
                    <tr key={key.kid ?? `#${index}`}>
                      <td>
                        <code>{key.kid ?? '(no kid)'}</code>
                      </td>
                      <td>{key.alg ?? '—'}</td>
                      <td>{key.kty}</td>
                      <td className="numeric">{verified?.count ?? 0}</td>
                      <td className="nowrap">{verified ? ago(verified.lastAt, now) : 'not recently'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {keySet.unknownKids.length === 0 ? (
            <p>
              <Badge tone="ok">no unknown key ids seen</Badge>
            </p>
          ) : (
            <div className="table-scroll">
              <table aria-label="Unknown key ids seen">
                <thead>
                  <tr>
                    <th>Unknown key id</th>
                    <th className="numeric">Deliveries</th>
                    <th>Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {keySet.unknownKids.map((entry) => (
                    <tr key={entry.kid}>
                      <td>
                        <code>{entry.kid}</code> <Badge tone="warn">not in the key set</Badge>
                      </td>
                      <td className="numeric">{entry.count}</td>
                      <td className="nowrap">{ago(entry.lastSeenAt, now)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
