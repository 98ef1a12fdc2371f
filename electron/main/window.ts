/**
 * The KeyTray window: sandboxed, context-isolated, no Node in the page, no
 * navigation away from KeyTray's own page, no new windows, no permissions.
 */
import { join } from 'node:path';
import { BrowserWindow, type Rectangle, shell } from 'electron';
import { PROVIDERS } from '../../shared/providers';
import { isRendererUrl, type WindowSource } from './window-url';

const KEY_PAGES = new Set(Object.values(PROVIDERS).map((p) => p.keyUrl));

export { isRendererUrl, type WindowSource } from './window-url';

export function createWindow(source: WindowSource, preloadDir: string, bounds: Rectangle): BrowserWindow {
  const window = new BrowserWindow({
    ...bounds,
    minWidth: 360,
    minHeight: 420,
    show: false,
    title: 'KeyTray',
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // Middle-click would open links in new windows, around the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // Only the catalog's "get a key" pages open, in the user's browser; nothing opens inside KeyTray.
    if (KEY_PAGES.has(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isRendererUrl(source, url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  window.once('ready-to-show', () => window.show());
  // A tray app: a taskbar entry only while the window is shown.
  window.on('show', () => window.setSkipTaskbar(false));
  window.on('hide', () => window.setSkipTaskbar(true));
  if (source.devUrl) void window.loadURL(source.devUrl);
  else void window.loadFile(source.file);
  return window;
}
