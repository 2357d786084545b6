import type { CommandError, CommandInput, CommandName, CommandResult, ConsoleApi, ConsoleBridge, EventName, EventPayload } from '../../../shared/contract/console.js';
import { takeBrowserToken } from './browser-token.js';
import { CommandFailure } from './command-failure.js';

type Answer = { ok: true; result: unknown } | { ok: false; error: CommandError };

// The main process already validated the input and typed the result with the contract's schemas:
// the renderer trusts those types instead of parsing every answer a second time.
function unwrap<C extends CommandName>(answer: Answer): CommandResult<C> {
  if (!answer.ok) throw new CommandFailure(answer.error.code, answer.error.message);
  return answer.result as CommandResult<C>;
}

/** Electron: the preload's `window.hookwarden`. */
export function bridgeClient(bridge: ConsoleBridge): ConsoleApi {
  return {
    invoke: async <C extends CommandName>(command: C, input: CommandInput<C>) => unwrap<C>(await bridge.invoke(command, input)),
    on: (event, listener) => bridge.on(event, listener),
  };
}

/** What browser mode needs from the page; injectable so that tests can stand in for the network. */
export interface HttpTransport {
  readonly fetch: typeof fetch;
  readonly openEvents: (url: string) => EventSource;
}

const defaultTransport = (): HttpTransport => ({ fetch: (...args) => window.fetch(...args), openEvents: (url) => new EventSource(url) });

const isAnswer = (value: unknown): value is Answer =>
  typeof value === 'object' && value !== null && 'ok' in value && (value.ok === true ? 'result' in value : 'error' in value);

/** Why an HTTP answer carried no `{ok, …}` body, in words for the operator. */
function failureForStatus(status: number): CommandFailure {
  if (status === 401) return new CommandFailure('unauthorized', 'This console link is no longer valid: open the URL the console printed when it started.');
  if (status === 403) return new CommandFailure('forbidden', 'The console refused this page: open it at the 127.0.0.1 address the console printed.');
  return new CommandFailure('bad_answer', `The console answered HTTP ${status} without a result.`);
}

/** Browser mode: `POST /rpc/<command>` and one `GET /events` stream, with the per-launch token. */
export function httpClient(token: string, transport: HttpTransport = defaultTransport()): ConsoleApi {
  let events: EventSource | undefined;
  return {
    async invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      let response: Response;
      try {
        response = await transport.fetch(`./rpc/${command}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hookwarden-token': token },
          body: JSON.stringify(input),
        });
      } catch {
        throw new CommandFailure('unreachable', 'The console process does not answer: is it still running?');
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw failureForStatus(response.status);
      }
      // 401 and 403 carry `{ok: false}` too, but their own words are for programs, not operators.
      if (response.status === 401 || response.status === 403 || !isAnswer(body)) throw failureForStatus(response.status);
      return unwrap<C>(body);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      // One stream for every event and listener: the browser reconnects it by itself.
      events ??= transport.openEvents(`./events?token=${encodeURIComponent(token)}`);
      const stream = events;
      const handler = (message: MessageEvent<string>) => listener(JSON.parse(message.data) as EventPayload<E>);
      stream.addEventListener(event, handler);
      return () => stream.removeEventListener(event, handler);
    },
  };
}

/** The console's contract over whichever transport this page runs with. */
export function createClient(): ConsoleApi {
  return window.hookwarden ? bridgeClient(window.hookwarden) : httpClient(takeBrowserToken());
}
