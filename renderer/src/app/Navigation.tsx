import { AlertToasts } from './AlertToasts.js';
import { SCREEN_TITLES, SCREENS, type Screen } from './routes.js';
import { NotificationPermission } from './NotificationPermission.js';
import { useNotifications } from './NotificationsScreen.js';
import { ThemeToggle } from './theme.js';

/** The left navigation: one link per screen, new alerts as toasts, the theme toggle and desktop notifications. */
export function Navigation({ current }: { current: Screen | 'integration' }) {
  const open = (useNotifications().data ?? []).filter((entry) => !entry.acknowledged).length;
  return (
    <nav aria-label="Screens">
      <div className="brand">Hookwarden</div>
      <ul>
        {SCREENS.map((name) => (
          <li key={name}>
            <a href={`#${name}`} aria-current={current === name || (current === 'integration' && name === 'inventory') ? 'page' : undefined}>
              {SCREEN_TITLES[name]}
              {name === 'alerts' && open > 0 && <span className="count" aria-label={`${open} not acknowledged`}>{open}</span>}
            </a>
          </li>
        ))}
      </ul>
      <AlertToasts />
      <div className="nav-footer">
        <NotificationPermission />
        <ThemeToggle />
      </div>
    </nav>
  );
}
