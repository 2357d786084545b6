import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from '../api/context.js';
import { appendLive, EMPTY_LIVE, type LiveState, type StreamState } from './live-list.js';

export const LIVE_KEY = ['live', 'deliveries'] as const;
export const STREAMS_KEY = ['live', 'streams'] as const;

/**
 * Subscribes once, for the whole app, to the `deliveries` and `streams` events and keeps what they
 * carry in the query cache: screens read it like any query, and nothing polls for it.
 */
export function useLiveFeed(): void {
  const api = useApi();
  const queryClient = useQueryClient();
  useEffect(() => {
    // Nothing refetches these entries, and they must outlive screens that stop watching them.
    queryClient.setQueryDefaults(['live'], { staleTime: Infinity, gcTime: Infinity });
    const offDeliveries = api.on('deliveries', ({ deliveries, dropped }) => {
      queryClient.setQueryData<LiveState>(LIVE_KEY, (state) => appendLive(state ?? EMPTY_LIVE, deliveries, dropped));
    });
    const offStreams = api.on('streams', ({ nodes }) => queryClient.setQueryData<readonly StreamState[]>(STREAMS_KEY, nodes));
    return () => {
      offDeliveries();
      offStreams();
    };
  }, [api, queryClient]);
}

const NO_STREAMS: readonly StreamState[] = [];

/** The cache entries are written by events only: the query function is never needed. */
export function useLiveDeliveries(): LiveState {
  const { data } = useQuery<LiveState>({ queryKey: LIVE_KEY, queryFn: () => EMPTY_LIVE, initialData: EMPTY_LIVE, staleTime: Infinity, gcTime: Infinity });
  return data;
}

export function useStreamStates(): readonly StreamState[] {
  const { data } = useQuery<readonly StreamState[]>({ queryKey: STREAMS_KEY, queryFn: () => NO_STREAMS, initialData: NO_STREAMS, staleTime: Infinity, gcTime: Infinity });
  return data;
}
