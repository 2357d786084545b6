import { useEffect, useState } from 'react';
import { useApi } from './api/context.js';
import { useLiveFeed } from './queries/live-deliveries.js';
import { AuditScreen } from './screens/audit/AuditScreen.js';
import { FailuresScreen } from './screens/failures/FailuresScreen.js';
import { FleetsScreen } from './screens/fleets/FleetsScreen.js';
import { IntegrationScreen } from './screens/integration/IntegrationScreen.js';
import { InventoryScreen } from './screens/inventory/InventoryScreen.js';
import { filterFromQuery, type LiveFilter } from './screens/live/live-filter.js';
import { LiveScreen } from './screens/live/LiveScreen.js';
import { LocalReceiverScreen } from './screens/local-receiver/LocalReceiverScreen.js';
import { ReplayScreen } from './screens/replay/ReplayScreen.js';

const SCREENS = ['fleets', 'inventory', 'live', 'failures', 'local', 'replay', 'audit'] as const;
type Screen = (typeof SCREENS)[number];
const TITLES: Record<Screen, string> = { fleets: 'Fleets', inventory: 'Inventory', live: 'Live', failures: 'Failures', local: 'Local receiver', replay: 'Replay', audit: 'Audit' };

/** `#inventory`, or `#integration/<fleet>/<integration>` for one integration. */
type Route =
  | { readonly screen: Screen; readonly filter?: LiveFilter }
  | { readonly screen: 'integration'; readonly fleetId: string; readonly integrationId: string };

const fromHash = (): Route => {
  const [path = '', query = ''] = window.location.hash.slice(1).split('?');
  const [name = '', fleetId, integrationId] = path.split('/').map(decodeURIComponent);
  if (name === 'live') return { screen: 'live', filter: filterFromQuery(query) };
  if (name === 'integration' && fleetId && integrationId) return { screen: 'integration', fleetId, integrationId };
  return { screen: (SCREENS as readonly string[]).includes(name) ? (name as Screen) : 'fleets' };
};

export function App() {
  const api = useApi();
  const [route, setRoute] = useState<Route>(fromHash);
  const screen = route.screen;
  const [theme, setTheme] = useState<'light' | 'dark'>(() => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const [alerts, setAlerts] = useState<string[]>([]);
  useLiveFeed();

  useEffect(() => {
    const onHash = () => setRoute(fromHash());
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
    setRoute({ screen: next });
  };

  return (
    <div className="app">
      <nav aria-label="Screens">
        <div className="brand">Hookwarden</div>
        <ul>
          {SCREENS.map((name) => (
            <li key={name}>
              <a href={`#${name}`} aria-current={screen === name ? 'page' : undefined} onClick={() => setRoute({ screen: name })}>
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
        {screen === 'live' && <LiveScreen key={window.location.hash} {...('filter' in route && route.filter ? { initialFilter: route.filter } : {})} />}
        {screen === 'failures' && <FailuresScreen />}
        {screen === 'local' && <LocalReceiverScreen />}
        {screen === 'replay' && <ReplayScreen />}
        {screen === 'audit' && <AuditScreen />}
        {route.screen === 'integration' && 'fleetId' in route && <IntegrationScreen fleetId={route.fleetId} integrationId={route.integrationId} />}
      </main>
    </div>
  );
}
