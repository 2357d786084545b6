import type { CommandInput, CommandName, CommandResult, ConsoleApi, EventName, EventPayload } from '../../../shared/contract/console.js';

export interface FakeApi extends ConsoleApi {
  readonly calls: { command: CommandName; input: unknown }[];
  /** Pushes an event to every listener, as the main process would. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

type Answers = { [C in CommandName]?: (input: CommandInput<C>) => CommandResult<C> };

/** The renderer's boundary: a ConsoleApi that answers from `answers` and records every call. */
export function fakeApi(answers: Answers = {}): FakeApi {
  const calls: { command: CommandName; input: unknown }[] = [];
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    calls,
    invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      calls.push({ command, input });
      const answer = answers[command] as ((input: CommandInput<C>) => CommandResult<C>) | undefined;
      if (!answer) return Promise.reject(new Error(`the fake console has no answer for ${command}`));
      try {
        return Promise.resolve(answer(input));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) (listener as (payload: unknown) => void)(payload);
    },
  };
}
