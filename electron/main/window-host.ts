/**
 * The one KeyTray window: opened on demand, brought forward when it exists,
 * and told when state changes so it fetches again.
 */
import type { BrowserWindow } from 'electron';
import type { StateEvent } from '../../shared/ipc-api';
import { createWindow, type WindowSource } from './window';

export interface WindowHost {
  show(): void;
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
    notify(event) {
      if (window && !window.isDestroyed()) window.webContents.send('state:changed', event);
    },
  };
}
