/**
 * The one KeyTray window: opened on demand, brought forward when it exists,
 * and told when state changes so it fetches again.
 */
import { type BrowserWindow, dialog } from 'electron';
import type { StateEvent } from '../../shared/ipc-api';
import { createWindow, type WindowSource } from './window';

export interface WindowHost {
  show(): void;
  /** Asks the person at the screen, in a native dialog over the window: Show or Cancel. */
  confirm(message: string, detail: string): Promise<boolean>;
  /** A folder the person picks in the native folder dialog, or null when they cancel. */
  pickFolder(title: string): Promise<string | null>;
  notify(event: StateEvent): void;
}

export function createWindowHost(source: WindowSource, preloadDir: string): WindowHost {
  let window: BrowserWindow | null = null;
  return {
    show() {
      if (!window || window.isDestroyed()) {
        window = createWindow(source, preloadDir);
        window.on('closed', () => {
          window = null;
        });
        return;
      }
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    },
    async confirm(message, detail) {
      const options = { type: 'question' as const, buttons: ['Show', 'Cancel'], defaultId: 1, cancelId: 1, message, detail };
      const { response } =
        window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
      return response === 0;
    },
    async pickFolder(title) {
      const options = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
      const { canceled, filePaths } =
        window && !window.isDestroyed() ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return canceled ? null : (filePaths[0] ?? null);
    },
    notify(event) {
      if (window && !window.isDestroyed()) window.webContents.send('state:changed', event);
    },
  };
}
