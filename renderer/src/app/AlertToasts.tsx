import { useEffect, useRef, useState } from 'react';
import type { AlertEvent } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';
import { useFleetName } from '../queries/fleet-names.js';

const SHOWN_MAX = 5;
const KIND_TITLES: Record<AlertEvent['kind'], string> = {
  signature_failures: 'Signature failures',
  unknown_sources: 'Rejections from unknown addresses',
  clock_skew: 'Clock skew',
};

interface Toast {
  readonly key: number;
  readonly alert: AlertEvent;
}

/** `alerts` events as desktop notifications (when permitted) and as toasts that stay until dismissed. */
export function AlertToasts() {
  const api = useApi();
  const fleetName = useFleetName();
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const nextKey = useRef(0);
  useEffect(
    () =>
      api.on('alerts', ({ alerts }) => {
      setToasts((previous) => [...alerts.map((alert) => ({ key: nextKey.current++, alert })), ...previous].slice(0, SHOWN_MAX));
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        for (const alert of alerts) new Notification(`Hookwarden: ${KIND_TITLES[alert.kind]}`, { body: alert.message, tag: `${alert.fleetId}/${alert.kind}/${alert.integrationId ?? ''}` });
      }
      }),
    [api],
  );
  if (toasts.length === 0) return null;
  return (
    <section className="toasts" aria-label="Alerts" aria-live="assertive">
      {toasts.map(({ key, alert }) => (
        <div key={key} className="toast" role="alert">
          <div>
            <strong>{KIND_TITLES[alert.kind]}</strong> — {fleetName(alert.fleetId)}
            {alert.integrationId ? ` / ${alert.integrationId}` : ''}
            <p>{alert.message}</p>
            <span className="muted">{new Date(alert.at).toLocaleTimeString()}</span>
          </div>
          <button type="button" className="secondary" aria-label={`Dismiss the alert: ${alert.message}`} onClick={() => setToasts((previous) => previous.filter((toast) => toast.key !== key))}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
