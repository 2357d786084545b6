import { useState } from 'react';
import type { LocalReceiverStatus } from '../../../../shared/contract/console.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';

/**
 * The local receiver's port: fixed and remembered (4455 by default), so `stripe listen
 * --forward-to` and other senders are pointed at it once. Changing it while running restarts
 * the receiver there; a port another program holds is refused with its number.
 */
export function LocalPort({ status }: { status: LocalReceiverStatus }) {
  const start = useCommandMutation('localReceiver.start');
  const stop = useCommandMutation('localReceiver.stop');
  const [port, setPort] = useState(String(status.port));
  const chosen = Number(port);
  const valid = /^\d{1,5}$/.test(port) && chosen >= 1 && chosen <= 65_535;
  const busy = start.isPending || stop.isPending;
  const unchanged = status.running && chosen === status.port;

  const apply = async () => {
    if (status.running) await stop.mutateAsync({});
    start.mutate({ port: chosen });
  };
  return (
    <form
      className="filters"
      aria-label="Listening port"
      onSubmit={(event) => {
        event.preventDefault();
        void apply().catch(() => undefined);
      }}>
      <label>
        Port on 127.0.0.1
        <input type="number" min={1} max={65_535} inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value)} aria-invalid={!valid} />
      </label>
      <button type="submit" disabled={busy || !valid || unchanged}>
        {status.running ? 'Move to this port' : 'Start'}
      </button>
      {!valid && <p className="error">Port: a number from 1 to 65535</p>}
      <ErrorText error={start.error ?? stop.error} />
    </form>
  );
}
