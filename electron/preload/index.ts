/**
 * The renderer's only door to main: one named function per IPC channel on
 * `window.keytray`, built from the API table, and a subscription to main's
 * pushes. Never ipcRenderer itself.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from 'electron';
import { API_CHANNELS, type KeyTrayApi, STATE_CHANNEL, type StateEvent } from '../../shared/ipc-api';

const calls = Object.fromEntries(
  Object.entries(API_CHANNELS).map(([name, channel]) => [name, (input?: unknown) => ipcRenderer.invoke(channel, input)]),
);

const api = {
  ...calls,
  onStateChanged(listener: (event: StateEvent) => void) {
    const handler = (_event: IpcRendererEvent, payload: StateEvent) => listener(payload);
    ipcRenderer.on(STATE_CHANNEL, handler);
    return () => {
      ipcRenderer.off(STATE_CHANNEL, handler);
    };
  },
} as unknown as KeyTrayApi;

contextBridge.exposeInMainWorld('keytray', api);
