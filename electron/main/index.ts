/**
 * Electron main: lifecycle and wiring only. The work is in electron/core.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow, clipboard, session } from 'electron';
import type { Situation } from '../core/agents/claude-code/auth-inputs';
import { ClaudeConfigurator } from '../core/agents/claude-code/configure';
import { installCliWrapper } from '../core/agents/helper-script';
import { loginShellEnvironment } from '../core/env/login-shell';
import { SettingsWriter } from '../core/files/settings-writer';
import { createHandlers } from '../core/ipc-handlers';
import { configDir, dataDir, metadataPath } from '../core/paths';
import { ProxyController } from '../core/proxy/proxy-controller';
import { proxyLogPath } from '../core/proxy/proxy-log';
import { keychainService } from '../core/vault/keychain-store';
import { Vault } from '../core/vault/vault';
import { registerIpc } from './ipc';
import { createTray } from './tray';
import { watchForChanges } from './watch';
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
    window.on('closed', () => {
      window = null;
    });
    return;
  }
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.dock?.hide();

  const home = homedir();
  const vault = new Vault();
  const data = dataDir();
  // The app's own runtime runs its CLI (ELECTRON_RUN_AS_NODE; the runAsNode fuse stays on).
  const launcher = {
    runtime: process.execPath,
    cli: join(app.getAppPath(), 'bin', 'keytray.cjs'),
    env: { ELECTRON_RUN_AS_NODE: '1' },
  };
  const claude = new ClaudeConfigurator({
    vault,
    writer: new SettingsWriter(data),
    dataDir: data,
    metadataPath: metadataPath(),
    // The packaged CLI arrives with packaging; in development the helper runs the built CLI with this runtime.
    launcher: {
      runtime: process.execPath,
      cli: join(app.getAppPath(), 'bin', 'keytray.cjs'),
      env: { ELECTRON_RUN_AS_NODE: '1' },
    },
    pins: { configDir: configDir(), keychainService: keychainService() },
  });
  // A tray app started by the desktop does not see what the user's shell exports; Claude Code in a terminal does.
  let shellEnv = await loginShellEnvironment({ home });
  const situation = async (cwd?: string): Promise<Situation> => ({
    cwd: cwd ?? home,
    env: shellEnv.env,
    envOrigin: shellEnv.problem ? 'env:process' : 'env:login-shell',
    home,
    platform: process.platform,
  });
  const proxy = new ProxyController(vault, proxyLogPath(data), () => notify('proxy'));
  const tray = createTray({ vault, claude, situation, proxy, showWindow, quit: () => app.quit() });

  function notify(kind: 'keys' | 'picture' | 'proxy'): void {
    if (window && !window.isDestroyed()) window.webContents.send('state:changed', { kind });
    if (kind !== 'proxy') void tray.refresh();
  }

  registerIpc(
    createHandlers({
      vault,
      claude,
      situation,
      proxyStatus: () => proxy.status(),
      proxyLogPath: proxyLogPath(data),
      clipboard: {
        writeText: (t) => clipboard.writeText(t),
        readText: () => clipboard.readText(),
        clear: () => clipboard.clear(),
      },
      loginItem: {
        get: () => app.getLoginItemSettings().openAtLogin,
        set: (on) => app.setLoginItemSettings({ openAtLogin: on }),
      },
      installCli: () =>
        installCliWrapper(
          process.platform === 'win32' ? join(process.env.LOCALAPPDATA ?? home, 'KeyTray', 'bin') : join(home, '.local', 'bin'),
          launcher,
        ),
      changed: notify,
    }),
    (url) => isRendererUrl(source, url),
  );

  watchForChanges({ home, metadataPath: metadataPath() }, async () => {
    shellEnv = await loginShellEnvironment({ home });
    notify('keys');
    notify('picture');
  });
  await tray.refresh();
  // Another tool may change the keychain (secret-tool, Keychain Access) without touching a file: look again now and then.
  setInterval(() => notify('keys'), 60_000).unref();
  // First run (no key yet), or asked to: open the window; otherwise KeyTray lives in the tray.
  const listing = await vault.list().catch(() => null);
  if (process.env.KEYTRAY_SHOW_WINDOW === '1' || !listing?.providers.some((p) => p.keys.length > 0)) showWindow();
  app.on('before-quit', () => {
    void proxy.stop();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.whenReady().then(start);
  // A tray app stays when its window closes.
  app.on('window-all-closed', () => undefined);
}
