import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';

/** The cache key of a read command: the command's name, then its input. */
export const commandKey = <C extends CommandName>(command: C, input: CommandInput<C>): QueryKey => [command, input];

/**
 * What each changing command makes stale, in one place: a mutation invalidates these reads when it
 * succeeds, so every screen shows the change without polling for it.
 */
export const INVALIDATES: { readonly [C in CommandName]?: readonly CommandName[] } = {
  'fleets.add': ['fleets.list', 'integrations.list'],
  'fleets.update': ['fleets.list', 'integrations.list'],
  'fleets.remove': ['fleets.list', 'integrations.list', 'stats.get', 'audit.list', 'audit.timeline', 'deliveries.list'],
  'integrations.kill': ['integrations.list', 'audit.list', 'audit.timeline'],
  'integrations.resume': ['integrations.list', 'audit.list', 'audit.timeline'],
  'integrations.rotateSecret': ['integrations.list', 'audit.list', 'audit.timeline'],
  'integrations.retireSecret': ['integrations.list', 'audit.list', 'audit.timeline'],
  'integrations.confirmSecret': ['integrations.list', 'audit.list', 'audit.timeline'],
  'deliveries.redrive': ['audit.list', 'audit.timeline'],
  'localReceiver.setSecret': ['integrations.list', 'audit.list', 'audit.timeline'],
  'localReceiver.start': ['localReceiver.status', 'integrations.list'],
  'localReceiver.stop': ['localReceiver.status', 'integrations.list'],
  'localReceiver.sendTest': ['integrations.list'],
  'deliveries.replay': ['integrations.list'],
  'alerts.acknowledge': ['alerts.list'],
};

/** A read command as a cached query. */
export function useCommandQuery<C extends CommandName>(command: C, input: CommandInput<C>, options: { enabled?: boolean; refetchInterval?: number | false } = {}) {
  const api = useApi();
  return useQuery({ queryKey: commandKey(command, input), queryFn: () => api.invoke(command, input), ...options });
}

/** A command that changes something; on success it invalidates what it changed (see INVALIDATES). */
export function useCommandMutation<C extends CommandName>(command: C) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation<CommandResult<C>, Error, CommandInput<C>>({
    mutationFn: (input) => api.invoke(command, input),
    onSuccess: () => Promise.all((INVALIDATES[command] ?? []).map((name) => queryClient.invalidateQueries({ queryKey: [name] }))),
  });
}

/** Invalidates the reads a command changes, for the one command (rotation) that must not go through a cached mutation. */
export function useInvalidateAfter(): (command: CommandName) => Promise<void> {
  const queryClient = useQueryClient();
  return async (command) => {
    await Promise.all((INVALIDATES[command] ?? []).map((name) => queryClient.invalidateQueries({ queryKey: [name] })));
  };
}
