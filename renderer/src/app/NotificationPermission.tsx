import { useState } from 'react';

/** Browsers ask for the permission only after a click: this is the click, shown until it was answered. */
export function NotificationPermission() {
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(supported ? Notification.permission : 'unsupported');
  if (permission !== 'default') return null;
  return (
    <button type="button" className="secondary" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Enable desktop alerts
    </button>
  );
}
