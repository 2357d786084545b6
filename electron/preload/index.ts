import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES, type ConsoleBridge } from '../../shared/contract/console.js';

/**
 * The renderer's only door to the main process: `window.hookwarden`, allowing exactly the commands
 * and events of the contract. Nothing else of Electron or Node reaches the page.
 */
const allowedCommands = new Set<string>(COMMAND_NAMES);
const allowedEvents = new Set<string>(EVENT_NAMES);

const bridge: ConsoleBridge = {
  invoke(command, input) {
    if (!allowedCommands.has(command)) return Promise.resolve({ ok: false, error: { code: 'unknown_command', message: `no command "${command}"` } });
    return ipcRenderer.invoke('hookwarden:invoke', command, input) as ReturnType<ConsoleBridge['invoke']>;
  },
  on(event, listener) {
    if (!allowedEvents.has(event)) throw new Error(`no event "${event}"`);
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on('hookwarden:event', forward);
    return () => void ipcRenderer.off('hookwarden:event', forward);
  },
};

contextBridge.exposeInMainWorld('hookwarden', bridge);
