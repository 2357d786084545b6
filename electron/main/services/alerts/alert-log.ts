import type { AlertEvent, AlertNotification } from '../../../../shared/contract/console.js';

/** An alert as a monitor raises it; the log gives it its id. */
export type RaisedAlert = Omit<AlertEvent, 'id'>;

/** The notification list keeps this many; the oldest go first (an incident's alerts are the recent ones). */
export const ALERT_LOG_CAP = 500;

/**
 * Every alert of this console session, newest first, acknowledged or not: what the notification
 * list shows after a toast has gone, after a reload and in a second window. Kept in memory only.
 */
export class AlertLog {
  private readonly entries: AlertNotification[] = [];
  private sequence = 0;

  constructor(private readonly cap = ALERT_LOG_CAP) {}

  /** Records raised alerts and answers them with their ids, as the `alerts` event carries them. */
  add(raised: readonly RaisedAlert[]): AlertEvent[] {
    const events = raised.map((alert) => ({ ...alert, id: `a${++this.sequence}` }));
    this.entries.unshift(...events.toReversed().map((event) => ({ ...event, acknowledged: false })));
    this.entries.splice(this.cap);
    return events;
  }

  list(): AlertNotification[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  /** Acknowledges the given alerts (every one when `ids` is absent); answers how many changed. */
  acknowledge(ids?: readonly string[]): number {
    const wanted = ids && new Set(ids);
    let changed = 0;
    for (const entry of this.entries) {
      if (entry.acknowledged || (wanted && !wanted.has(entry.id))) continue;
      entry.acknowledged = true;
      changed++;
    }
    return changed;
  }
}
