import { SCREEN_TITLES, SCREENS, type Screen } from './routes.js';
import { NotificationPermission } from './NotificationPermission.js';
import { ThemeToggle } from './theme.js';

/** The left navigation: one link per screen, the theme toggle and desktop notifications. */
export function Navigation({ current }: { current: Screen | 'integration' }) {
  return (
    <nav aria-label="Screens">
      <div className="brand">Hookwarden</div>
      <ul>
        {SCREENS.map((name) => (
          <li key={name}>
            <a href={`#${name}`} aria-current={current === name || (current === 'integration' && name === 'inventory') ? 'page' : undefined}>
              {SCREEN_TITLES[name]}
            </a>
          </li>
        ))}
      </ul>
      <div className="nav-footer">
        <NotificationPermission />
        <ThemeToggle />
      </div>
    </nav>
  );
}
