import { filterFromQuery, type LiveFilter } from '../screens/live/live-filter.js';

export const SCREENS = ['fleets', 'inventory', 'live', 'failures', 'local', 'replay', 'audit', 'alerts'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_TITLES: Record<Screen, string> = {
  fleets: 'Fleets',
  inventory: 'Inventory',
  live: 'Live',
  failures: 'Failures',
  local: 'Local receiver',
  replay: 'Replay',
  audit: 'Audit',
  alerts: 'Notifications',
};

/**
 * Where the operator is, kept in the address's hash so that screens can link to each other:
 * `#inventory`, `#live?fleet=…&outcome=rejected`, `#integration/<fleet>/<integration>`.
 */
export type Route =
  | { readonly screen: Exclude<Screen, 'live'> }
  | { readonly screen: 'live'; readonly filter: LiveFilter }
  | { readonly screen: 'integration'; readonly fleetId: string; readonly integrationId: string };

export function routeFromHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const [name = '', fleetId, integrationId] = path.split('/').map(decodeURIComponent);
  if (name === 'live') return { screen: 'live', filter: filterFromQuery(query) };
  if (name === 'integration' && fleetId && integrationId) return { screen: 'integration', fleetId, integrationId };
  const screen = SCREENS.find((candidate) => candidate === name);
  return { screen: screen && screen !== 'live' ? screen : 'fleets' };
}

export const integrationHref = (fleetId: string, integrationId: string): string => `#integration/${encodeURIComponent(fleetId)}/${encodeURIComponent(integrationId)}`;
