import { commands, type CommandError, type CommandName } from '../../../shared/contract/console.js';
import type { CommandHandlers } from '../services/command-handlers.js';
import { ConsoleError } from '../services/console-error.js';

export type Dispatched = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: CommandError };
export type Dispatch = (name: string, input: unknown) => Promise<Dispatched>;

const isCommand = (name: string): name is CommandName => Object.hasOwn(commands, name);

/**
 * The one door into the services, shared by Electron IPC and browser mode: the command must be in
 * the contract, its input must parse with the contract's schema, and whatever goes wrong comes
 * back as `{code, message}` — never a stack, never a value the caller sent.
 */
export function createDispatcher(handlers: CommandHandlers, report: (message: string) => void = (message) => process.stderr.write(`${message}\n`)): Dispatch {
  return async (name, input) => {
    if (!isCommand(name)) return { ok: false, error: { code: 'unknown_command', message: `no command "${name}"` } };
    const parsed = commands[name].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'input';
      return { ok: false, error: { code: 'invalid_input', message: `${where}: ${issue?.message ?? 'invalid'}` } };
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown>;
      return { ok: true, result: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof ConsoleError) return { ok: false, error: { code: error.code, message: error.message } };
      report(`hookwarden: ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return { ok: false, error: { code: 'internal', message: `${name} failed unexpectedly; see the console's log` } };
    }
  };
}
