import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { EventPayload } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';
import { appendLive, EMPTY_LIVE, type LiveLog } from './live-log.js';

export const LIVE_KEY = ['live', 'deliveries'] as const;
export const STREAMS_KEY = ['live', 'streams'] as const;
/** True once an event came through: history fetched from then on leaves no gap before the live feed. */
export const FEED_OPEN_KEY = ['live', 'feed-open'] as const;

export type StreamState = EventPayload<'streams'>['nodes'][number];

/** How often a window asks again for the streams' state while its event channel is still opening. */
const ASK_ATTEMPTS = 20;
const ASK_AFTER_MS = 250;

/**
 * Subscribes once, for the whole app, to the `deliveries` and `streams` events and keeps what they
 * carry in the query cache: screens read it like any query, and nothing polls for it. Then it asks
 * for the streams' state: the answer shows it at once (a window opened later saw no event yet), and
 * the `streams` event the question makes the main process send proves the event channel open.
 */
export function useLiveFeed(): void {
  const api = useApi();
  const queryClient = useQueryClient();
  useEffect(() => {
    // Nothing refetches these entries, and they must outlive screens that stop watching them. The
    // log is compared by identity: a deep comparison of a hundred thousand rows per batch is what made
    // the screen stutter.
    queryClient.setQueryDefaults(['live'], { staleTime: Infinity, gcTime: Infinity, structuralSharing: false });
    let open = queryClient.getQueryData<boolean>(FEED_OPEN_KEY) === true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const opened = (): void => {
      if (open) return;
      open = true;
      queryClient.setQueryData(FEED_OPEN_KEY, true);
    };
    const offDeliveries = api.on('deliveries', ({ deliveries, dropped }) => {
      opened();
      queryClient.setQueryData<LiveLog>(LIVE_KEY, (log) => appendLive(log ?? EMPTY_LIVE, deliveries, dropped));
    });
    const offStreams = api.on('streams', ({ nodes }) => {
      opened();
      queryClient.setQueryData<readonly StreamState[]>(STREAMS_KEY, nodes);
    });
    const ask = (attempt: number): void => {
      api.invoke('deliveries.streams', {}).then(
        ({ nodes }) => {
          if (closed || open) return;
          queryClient.setQueryData<readonly StreamState[]>(STREAMS_KEY, nodes);
          again(attempt);
        },
        () => again(attempt),
      );
    };
    const again = (attempt: number): void => {
      if (closed || open) return;
      // A console that never answers with an event still gets its history: a gap is better than nothing.
      if (attempt + 1 >= ASK_ATTEMPTS) return opened();
      timer = setTimeout(() => ask(attempt + 1), ASK_AFTER_MS);
    };
    ask(0);
    return () => {
      closed = true;
      clearTimeout(timer);
      offDeliveries();
      offStreams();
    };
  }, [api, queryClient]);
}

const NO_STREAMS: readonly StreamState[] = [];

/** The cache entries are written by events only: the query function is never needed. */
export function useLiveDeliveries(): LiveLog {
  const { data } = useQuery<LiveLog>({ queryKey: LIVE_KEY, queryFn: () => EMPTY_LIVE, initialData: EMPTY_LIVE, staleTime: Infinity, gcTime: Infinity, structuralSharing: false });
  return data;
}

export function useStreamStates(): { readonly nodes: readonly StreamState[]; readonly known: boolean } {
  // Null until the first answer or event: "no stream" must not be claimed before anyone asked.
  const { data } = useQuery<readonly StreamState[] | null>({ queryKey: STREAMS_KEY, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity });
  return { nodes: data ?? NO_STREAMS, known: data !== null };
}

/** Whether the event channel is open (see useLiveFeed). */
export function useFeedOpen(): boolean {
  const { data } = useQuery<boolean>({ queryKey: FEED_OPEN_KEY, queryFn: () => false, initialData: false, staleTime: Infinity, gcTime: Infinity });
  return data;
}
