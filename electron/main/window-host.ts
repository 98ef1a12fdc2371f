/**
 * The one KeyTray window: opened on demand, brought forward when it exists,
 * and told when state changes so it fetches again.
 */
import { type BrowserWindow, dialog, type Rectangle, screen } from 'electron';
import type { StateEvent } from '../../shared/ipc-api';
import { createWindow, type WindowSource } from './window';
import { placeBeside } from './window-placement';

export interface WindowHost {
  /** Tray-sized beside the tray icon when `near` (its bounds) is given; full-sized otherwise. */
  show(options?: { near?: Rectangle }): void;
  /** Asks the person at the screen, in a native dialog over the window: Show or Cancel. */
  confirm(message: string, detail: string): Promise<boolean>;
  /** A folder the person picks in the native folder dialog, or null when they cancel. */
  pickFolder(title: string): Promise<string | null>;
  notify(event: StateEvent): void;
}

export function createWindowHost(source: WindowSource, preloadDir: string): WindowHost {
  let window: BrowserWindow | null = null;
  return {
    show(options = {}) {
      const bounds = options.near ? besideTray(options.near) : fullBounds();
      if (!window || window.isDestroyed()) {
        window = createWindow(source, preloadDir, bounds);
        window.on('closed', () => {
          window = null;
        });
        return;
      }
      window.setBounds(bounds);
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

/** The tray-sized window: 420 px wide (every view works there), inside the work area, against the tray icon. */
const COMPACT = { width: 420, height: 640 };
const FULL = { width: 1024, height: 720 };

/**
 * Where the tray-sized window goes: centred under (or over, for a tray at the bottom) the icon, kept
 * inside the work area of the display the icon is on. An icon with no bounds (some Linux trays
 * report none) gets the work area's top-right corner.
 */
export function besideTray(icon: Rectangle): Rectangle {
  const area = screen.getDisplayNearestPoint({ x: icon.x, y: icon.y }).workArea;
  return placeBeside(icon, area, COMPACT);
}

function fullBounds(): Rectangle {
  const area = screen.getPrimaryDisplay().workArea;
  const width = Math.min(FULL.width, area.width);
  const height = Math.min(FULL.height, area.height);
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}
