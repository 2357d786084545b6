import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { AlertEvent } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';
import { Badge } from '../components/Badge.js';
import { useFleetName } from '../queries/fleet-names.js';
import { ALERT_TITLES, alertLink, alertTone } from './alerts.js';

/** At most this many toasts at once; the notification list keeps every alert. */
const SHOWN_MAX = 3;
/** A toast goes away by itself after this long: an alert's record is the notification list, not the toast. */
export const TOAST_MS = 8_000;
/** Reads an alert makes stale: the fleet's health after a node alert, the list of notifications always. */
const REFRESHED_BY_ALERTS = ['alerts.list', 'fleets.list', 'integrations.list'] as const;

/**
 * `alerts` events as desktop notifications (when permitted) and as short-lived toasts in the
 * navigation column, where they never cover a table. Each links to the screen that explains it.
 */
export function AlertToasts() {
  const api = useApi();
  const queryClient = useQueryClient();
  const fleetName = useFleetName();
  const [toasts, setToasts] = useState<readonly AlertEvent[]>([]);
  useEffect(
    () =>
      api.on('alerts', ({ alerts }) => {
        setToasts((previous) => [...alerts.toReversed(), ...previous].slice(0, SHOWN_MAX));
        for (const name of REFRESHED_BY_ALERTS) void queryClient.invalidateQueries({ queryKey: [name] });
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          for (const alert of alerts) new Notification(`Hookwarden: ${ALERT_TITLES[alert.kind]}`, { body: alert.message, tag: alert.id });
        }
      }),
    [api, queryClient],
  );
  const newest = toasts[0]?.id;
  useEffect(() => {
    if (newest === undefined) return;
    // Each arrival restarts the clock of the oldest: a burst is readable for TOAST_MS after its last alert.
    const timer = window.setTimeout(() => setToasts((previous) => previous.slice(0, -1)), TOAST_MS);
    return () => window.clearTimeout(timer);
  }, [newest, toasts.length]);
  if (toasts.length === 0) return null;
  return (
    <section className="toasts" aria-label="New alerts" aria-live="polite">
      {toasts.map((alert) => {
        const link = alertLink(alert);
        return (
          <div key={alert.id} className={`toast toast-${alertTone(alert.kind)}`} role="status">
            <Badge tone={alertTone(alert.kind)}>{ALERT_TITLES[alert.kind]}</Badge>
            <p>
              {/* Node and fleet alerts name the fleet themselves; the others get its name in front. */}
              {!alert.message.includes(fleetName(alert.fleetId)) && <strong>{`${fleetName(alert.fleetId)}: `}</strong>}
              {alert.message}
            </p>
            <div className="toast-actions">
              <a href={link.href}>{link.label}</a>
              <button type="button" className="link-button" aria-label={`Dismiss: ${alert.message}`} onClick={() => setToasts((previous) => previous.filter((toast) => toast.id !== alert.id))}>
                Dismiss
              </button>
            </div>
          </div>
        );
      })}
    </section>
  );
}
