const TOKEN_KEY = 'hookwarden.token';

/**
 * Browser mode's per-launch token: taken from the address bar once, kept for this tab only
 * (sessionStorage dies with the tab), and removed from the visible URL so that it does not end up
 * in screenshots, bookmarks or the history.
 */
export function takeBrowserToken(location: Location = window.location, storage: Storage = window.sessionStorage, history: History = window.history): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}
