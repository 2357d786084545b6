import { Badge } from '../components/Badge.js';
import { ErrorText } from '../components/ErrorText.js';
import { dateTime } from '../components/format.js';
import { useCommandMutation, useCommandQuery } from '../queries/console-queries.js';
import { useFleetName } from '../queries/fleet-names.js';
import { ALERT_TITLES, alertLink, alertTone } from './alerts.js';

/** Every alert of this session, newest first, acknowledged or not; what a toast said is still here after it went. */
export function NotificationsScreen() {
  const notifications = useNotifications();
  const acknowledge = useCommandMutation('alerts.acknowledge');
  const fleetName = useFleetName();
  const list = notifications.data ?? [];
  const open = list.filter((entry) => !entry.acknowledged).length;
  return (
    <section aria-labelledby="notifications-title">
      <header className="screen-header">
        <h1 id="notifications-title">Notifications</h1>
        <button type="button" className="secondary" disabled={open === 0 || acknowledge.isPending} onClick={() => acknowledge.mutate({})}>
          Acknowledge all
        </button>
      </header>
      <ErrorText error={notifications.error ?? acknowledge.error} />
      <p className="muted" aria-live="polite">
        {list.length === 0 ? 'No alert in this session.' : `${list.length} alerts, ${open} not acknowledged. Newest first.`}
      </p>
      <ol className="notifications" aria-label="Alerts, newest first">
        {list.map((entry) => {
          const link = alertLink(entry);
          return (
            <li key={entry.id} className={entry.acknowledged ? 'acknowledged' : undefined}>
              <div className="status-line">
                <Badge tone={alertTone(entry.kind)}>{ALERT_TITLES[entry.kind]}</Badge>
                <span className="muted" title={entry.at}>
                  {dateTime(entry.at)}
                </span>
                <span>{fleetName(entry.fleetId)}</span>
                {entry.acknowledged && <Badge tone="muted">acknowledged</Badge>}
              </div>
              <p>{entry.message}</p>
              <div className="actions">
                <a href={link.href}>{link.label}</a>
                {!entry.acknowledged && (
                  <button type="button" className="secondary" disabled={acknowledge.isPending} onClick={() => acknowledge.mutate({ ids: [entry.id] })}>
                    Acknowledge
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

/** The notification list; refreshed by every `alerts` event (see AlertToasts), not by polling. */
export const useNotifications = () => useCommandQuery('alerts.list', {});
