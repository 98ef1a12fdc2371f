/**
 * Registers every channel of the IPC table with one wrapper: the sender must
 * be KeyTray's own top-level page, the input is validated, the answer is an
 * envelope.
 */
import { type IpcMainInvokeEvent, ipcMain } from 'electron';
import { CHANNELS } from '../../shared/ipc';
import { type Handlers, invoke } from '../core/ipc-handlers';
import { senderAllowed } from './ipc-sender';

export function registerIpc(handlers: Handlers, isTrustedUrl: (url: string) => boolean): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      if (!senderAllowed(event.senderFrame, isTrustedUrl)) {
        return { ok: false, error: { code: 'usage', message: 'This page may not talk to KeyTray.' } };
      }
      return invoke(handlers, channel, input);
    });
  }
}
