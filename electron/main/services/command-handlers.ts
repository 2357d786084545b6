import type { CommandName, CommandResult, EventName, EventPayload, ParsedInput } from '../../../shared/contract/console.js';

/** One handler per command of the contract, given input already validated by the contract's schema. */
export type CommandHandlers = {
  readonly [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandResult<C>>;
};

/** How services push events to whichever transport carries them (IPC or browser-mode SSE). */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
