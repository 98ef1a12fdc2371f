/**
 * The renderer's only door to main: one named function per IPC channel on
 * `window.keytray`, built from the IPC table. Never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_CHANNELS, type KeyTrayApi } from '../../shared/ipc';

const api = Object.fromEntries(
  Object.entries(API_CHANNELS).map(([name, channel]) => [name, (input?: unknown) => ipcRenderer.invoke(channel, input)]),
) as unknown as KeyTrayApi;

contextBridge.exposeInMainWorld('keytray', api);
