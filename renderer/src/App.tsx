import { useEffect, useState } from 'react';
import { useApi } from './api/context.js';
import { useLiveFeed } from './queries/live-deliveries.js';
import { AuditScreen } from './screens/audit/AuditScreen.js';
import { FleetsScreen } from './screens/fleets/FleetsScreen.js';
import { InventoryScreen } from './screens/inventory/InventoryScreen.js';
import { LiveScreen } from './screens/live/LiveScreen.js';
import { LocalReceiverScreen } from './screens/local-receiver/LocalReceiverScreen.js';

const SCREENS = ['fleets', 'inventory', 'live', 'local', 'audit'] as const;
type Screen = (typeof SCREENS)[number];
const TITLES: Record<Screen, string> = { fleets: 'Fleets', inventory: 'Inventory', live: 'Live', local: 'Local receiver', audit: 'Audit' };

const fromHash = (): Screen => {
  const name = window.location.hash.slice(1);
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'fleets';
};

export function App() {
  const api = useApi();
  const [screen, setScreen] = useState<Screen>(fromHash);
  const [theme, setTheme] = useState<'light' | 'dark'>(() => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const [alerts, setAlerts] = useState<string[]>([]);
  useLiveFeed();

  useEffect(() => {
    const onHash = () => setScreen(fromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(
    () =>
      api.on('alerts', ({ alerts: raised }) => {
        setAlerts((previous) => [...raised.map((alert) => alert.message), ...previous].slice(0, 5));
        if ('Notification' in window && Notification.permission === 'granted') for (const alert of raised) new Notification('Hookwarden', { body: alert.message });
      }),
    [api],
  );

  const go = (next: Screen) => {
    window.location.hash = next;
    setScreen(next);
  };

  return (
    <div className="app">
      <nav aria-label="Screens">
        <div className="brand">Hookwarden</div>
        <ul>
          {SCREENS.map((name) => (
            <li key={name}>
              <a href={`#${name}`} aria-current={screen === name ? 'page' : undefined} onClick={() => setScreen(name)}>
                {TITLES[name]}
              </a>
            </li>
          ))}
        </ul>
        <button className="secondary theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
      </nav>
      <main>
        {alerts.length > 0 && (
          <div role="status" className="alerts">
            {alerts.map((message, index) => (
              <p key={`${index}-${message}`}>{message}</p>
            ))}
          </div>
        )}
        {screen === 'fleets' && <FleetsScreen onOpenLocal={() => go('local')} />}
        {screen === 'inventory' && <InventoryScreen />}
        {screen === 'live' && <LiveScreen />}
        {screen === 'local' && <LocalReceiverScreen />}
        {screen === 'audit' && <AuditScreen />}
      </main>
    </div>
  );
}
