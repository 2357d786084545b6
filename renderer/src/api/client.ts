import type { CommandInput, CommandName, CommandResult, ConsoleApi, ConsoleBridge, EventName, EventPayload } from '../../../shared/contract/console.js';

/** A command answered `{ok: false}`: `code` for the program, `message` for the operator. */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    hookwarden?: ConsoleBridge;
  }
}

type Answer = Awaited<ReturnType<ConsoleBridge['invoke']>>;

function unwrap(answer: Answer): unknown {
  if (!answer.ok) throw new CommandFailure(answer.error.code, answer.error.message);
  return answer.result;
}

/** Electron: the preload's bridge. */
function bridgeClient(bridge: ConsoleBridge): ConsoleApi {
  return {
    invoke: async (command, input) => unwrap(await bridge.invoke(command, input)) as never,
    on: (event, listener) => bridge.on(event, listener),
  };
}

/** Browser mode: `POST /rpc/<command>` and `GET /events`, with the per-launch token from the URL. */
function httpClient(token: string): ConsoleApi {
  let events: EventSource | undefined;
  return {
    async invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> {
      const response = await fetch(`./rpc/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hookwarden-token': token },
        body: JSON.stringify(input),
      });
      if (response.status === 401) throw new CommandFailure('unauthorized', 'This console link has expired: open the URL the console printed.');
      return unwrap((await response.json()) as Answer) as CommandResult<C>;
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      events ??= new EventSource(`./events?token=${encodeURIComponent(token)}`);
      const handler = (message: MessageEvent<string>) => listener(JSON.parse(message.data) as EventPayload<E>);
      events.addEventListener(event, handler);
      return () => events?.removeEventListener(event, handler);
    },
  };
}

/** Takes the token from the address bar once, keeps it for this tab, and removes it from the visible URL. */
function browserToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('hookwarden.token', fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url);
  }
  return fromUrl ?? sessionStorage.getItem('hookwarden.token') ?? '';
}

export function createClient(): ConsoleApi {
  return window.hookwarden ? bridgeClient(window.hookwarden) : httpClient(browserToken());
}
