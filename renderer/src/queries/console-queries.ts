import { useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';

/** A read command as a cached query; its key is the command and its input. */
export function useCommandQuery<C extends CommandName>(command: C, input: CommandInput<C>, options: { enabled?: boolean; refetchInterval?: number } = {}) {
  const api = useApi();
  return useQuery({
    queryKey: [command, input] as QueryKey,
    queryFn: () => api.invoke(command, input),
    ...options,
  });
}

/** A command that changes something; `invalidates` names the reads it makes stale. */
export function useCommandMutation<C extends CommandName>(command: C, invalidates: readonly CommandName[]) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation<CommandResult<C>, Error, CommandInput<C>>({
    mutationFn: (input) => api.invoke(command, input),
    onSuccess: async () => {
      await Promise.all(invalidates.map((name) => queryClient.invalidateQueries({ queryKey: [name] })));
    },
  });
}
