import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useFleets } from '../../queries/commands.js';
import { FirstRun } from './FirstRun.js';
import { FleetCard } from './FleetCard.js';
import { FleetForm, type FleetToEdit } from './FleetForm.js';

/** Connected fleets with the health of every node; with none yet, what to do first. */
export function FleetsScreen() {
  const fleets = useFleets();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<FleetToEdit | undefined>();

  if (fleets.isPending) return <p className="muted">Loading fleets…</p>;
  const list = fleets.data ?? [];

  return (
    <section aria-labelledby="fleets-title">
      <header className="screen-header">
        <h1 id="fleets-title">Fleets</h1>
        {!adding && list.length > 0 && (
          <button type="button" onClick={() => setAdding(true)}>
            Add a fleet
          </button>
        )}
      </header>
      <ErrorText error={fleets.error} />
      {adding && <FleetForm onDone={() => setAdding(false)} />}
      {editing && <FleetForm key={editing.id} editing={editing} onDone={() => setEditing(undefined)} />}
      {list.length === 0 && !adding && <FirstRun onAdd={() => setAdding(true)} />}
      {list.map((fleet) => (
        <FleetCard key={fleet.id} fleet={fleet} onEdit={() => setEditing({ id: fleet.id, name: fleet.name, urls: fleet.nodes.map((node) => node.url) })} />
      ))}
    </section>
  );
}
