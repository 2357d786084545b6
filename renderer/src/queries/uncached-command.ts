import { useState } from 'react';
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract/console.js';
import { useApi } from '../api/context.js';
import { useInvalidateAfter } from './console-queries.js';

export interface UncachedCommand<C extends CommandName> {
  readonly run: (input: CommandInput<C>) => Promise<CommandResult<C> | undefined>;
  readonly pending: boolean;
  readonly error: unknown;
  readonly result: CommandResult<C> | undefined;
  /** Forgets the result and the error (a revealed secret goes with it). */
  readonly reset: () => void;
}

/**
 * A command whose input or result holds a secret (an admin token, a new signing secret). TanStack's
 * mutation cache would keep both for minutes; here they live in the calling component's state only
 * and are gone when it forgets them or unmounts. What the command changed is still invalidated.
 */
export function useUncachedCommand<C extends CommandName>(command: C): UncachedCommand<C> {
  const api = useApi();
  const invalidateAfter = useInvalidateAfter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<CommandResult<C> | undefined>();
  const run = async (input: CommandInput<C>): Promise<CommandResult<C> | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      const answer = await api.invoke(command, input);
      setResult(answer);
      await invalidateAfter(command);
      return answer;
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  const reset = () => {
    setResult(undefined);
    setError(undefined);
  };
  return { run, pending, error, result, reset };
}
