import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../api/context.js';
import { appendLive, type LiveState } from './live-list.js';

const LIVE_KEY = ['live-deliveries'] as const;

/** Subscribes once to the `deliveries` event and keeps the live list in the query cache (no polling). */
export function useLiveFeed(): void {
  const api = useApi();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      api.on('deliveries', ({ deliveries, dropped }) => {
        queryClient.setQueryData<LiveState>(LIVE_KEY, (state) => appendLive(state ?? { deliveries: [], dropped: 0 }, deliveries, dropped));
      }),
    [api, queryClient],
  );
}

export function useLiveDeliveries(): LiveState {
  const { data } = useQuery<LiveState>({ queryKey: LIVE_KEY, queryFn: () => ({ deliveries: [], dropped: 0 }), staleTime: Infinity });
  return data ?? { deliveries: [], dropped: 0 };
}
