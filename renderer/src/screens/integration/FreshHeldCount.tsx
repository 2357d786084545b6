import { useEffect, useState } from 'react';
import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';

/**
 * The held count read from the nodes the moment the operator is asked, not the inventory's copy
 * (up to a refresh old): the choice between delivering and discarding is made on this number.
 */
export function FreshHeldCount({ integration, disposition }: { integration: IntegrationEntry; disposition: 'release' | 'discard' }) {
  const api = useApi();
  const [count, setCount] = useState<{ held: number; at: Date } | 'failed' | undefined>();
  useEffect(() => {
    let current = true;
    api.invoke('integrations.list', { fleetId: integration.fleetId }).then(
      (entries) => current && setCount({ held: entries.find((entry) => entry.id === integration.id)?.heldCount ?? 0, at: new Date() }),
      () => current && setCount('failed'),
    );
    return () => {
      current = false;
    };
  }, [api, integration.fleetId, integration.id]);
  if (count === undefined) return <span aria-live="polite">Counting the held deliveries…</span>;
  if (count === 'failed') return <span className="error">The held deliveries could not be counted just now.</span>;
  const verb = disposition === 'release' ? 'are delivered downstream, oldest first' : 'are discarded for good';
  return (
    <span aria-live="polite">
      <strong>{`${count.held} held deliveries`}</strong> (counted at {count.at.toLocaleTimeString()}) {verb}.
    </span>
  );
}
