import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from '../../api/context.js';

const PAGE = 100;

/**
 * The fleet's audit timeline, a page at a time ("load older" fetches the next). Keyed under
 * `audit.timeline`, so every change that is audited invalidates it (see INVALIDATES).
 */
export function useAuditTimeline(fleetId: string, enabled: boolean) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['audit.timeline', { fleetId }],
    queryFn: ({ pageParam }) => api.invoke('audit.timeline', { fleetId, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled,
  });
}
