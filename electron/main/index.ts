/**
 * Electron main: lifecycle and wiring only. The work is in electron/core.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, session } from 'electron';
import { createHandlers } from '../core/ipc-handlers';
import { Vault } from '../core/vault';
import { registerIpc } from './ipc';
import { createWindow, isRendererUrl, type WindowSource } from './window';

const here = fileURLToPath(new URL('.', import.meta.url));
const source: WindowSource = {
  devUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  file: join(here, '../renderer/index.html'),
};

let window: BrowserWindow | null = null;

function showWindow(): void {
  if (!window || window.isDestroyed()) {
    window = createWindow(source, join(here, '../preload'));
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    registerIpc(createHandlers(new Vault()), (url) => isRendererUrl(source, url));
    showWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
