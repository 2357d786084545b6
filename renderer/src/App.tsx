import { lazy, Suspense, useEffect, useState } from 'react';
import { Navigation } from './app/Navigation.js';
import { NotificationsScreen } from './app/NotificationsScreen.js';
import { routeFromHash, type Route } from './app/routes.js';
import { useLiveFeed } from './queries/live-deliveries.js';
import { FleetsScreen } from './screens/fleets/FleetsScreen.js';

// Screens with charts load when first opened: the first paint needs neither them nor the chart library.
const InventoryScreen = lazy(() => import('./screens/inventory/InventoryScreen.js').then((module) => ({ default: module.InventoryScreen })));
const LiveScreen = lazy(() => import('./screens/live/LiveScreen.js').then((module) => ({ default: module.LiveScreen })));
const FailuresScreen = lazy(() => import('./screens/failures/FailuresScreen.js').then((module) => ({ default: module.FailuresScreen })));
const IntegrationScreen = lazy(() => import('./screens/integration/IntegrationScreen.js').then((module) => ({ default: module.IntegrationScreen })));
const LocalReceiverScreen = lazy(() => import('./screens/local-receiver/LocalReceiverScreen.js').then((module) => ({ default: module.LocalReceiverScreen })));
const ReplayScreen = lazy(() => import('./screens/replay/ReplayScreen.js').then((module) => ({ default: module.ReplayScreen })));
const AuditScreen = lazy(() => import('./screens/audit/AuditScreen.js').then((module) => ({ default: module.AuditScreen })));

function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const follow = () => {
      setRoute(routeFromHash(window.location.hash));
      // A new screen starts at its top, not where the previous one was scrolled to.
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}

function CurrentScreen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'fleets':
      return <FleetsScreen />;
    case 'inventory':
      return <InventoryScreen />;
    case 'live':
      // Keyed by the filter: a link from another screen starts the list afresh with its filter.
      return <LiveScreen key={JSON.stringify(route.filter)} initialFilter={route.filter} />;
    case 'failures':
      return <FailuresScreen />;
    case 'local':
      return <LocalReceiverScreen />;
    case 'replay':
      return <ReplayScreen />;
    case 'audit':
      return <AuditScreen />;
    case 'alerts':
      return <NotificationsScreen />;
    case 'integration':
      return <IntegrationScreen key={`${route.fleetId}/${route.integrationId}`} fleetId={route.fleetId} integrationId={route.integrationId} />;
  }
}

export function App() {
  const route = useRoute();
  useLiveFeed();
  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to the screen
      </a>
      <Navigation current={route.screen} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <CurrentScreen route={route} />
        </Suspense>
      </main>
    </div>
  );
}
