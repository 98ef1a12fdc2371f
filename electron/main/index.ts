/**
 * Electron main: lifecycle and wiring only. The services come from core's
 * composition root; each main-process concern is a small module that gets
 * what it needs.
 */
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, session } from 'electron';
import { AGENT_IDS } from '../../shared/agents/catalog';
import type { StateEvent } from '../../shared/ipc-api';
import { installCliWrapper } from '../core/agents/helper-script';
import { createHandlers } from '../core/ipc-handlers';
import { ProxyController } from '../core/proxy/proxy-controller';
import { createServices } from '../core/services';
import { usageLogPath } from '../core/usage/usage-log';
import { registerIpc } from './ipc';
import { createSituationSource } from './situation-source';
import { createTray } from './tray';
import { watchForChanges } from './watch';
import { isRendererUrl, type WindowSource } from './window';
import { createWindowHost } from './window-host';

const here = fileURLToPath(new URL('.', import.meta.url));
const source: WindowSource = {
  devUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL,
  file: join(here, '../renderer/index.html'),
};

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.dock?.hide();

  const home = homedir();
  // The app's own runtime runs its CLI (ELECTRON_RUN_AS_NODE; the runAsNode fuse stays on).
  const launcher = {
    runtime: process.execPath,
    cli: join(app.getAppPath(), 'bin', 'keytray.cjs'),
    env: { ELECTRON_RUN_AS_NODE: '1' },
  };
  const { vault, agents, writer, dataDir, proxyLogPath, metadataPath } = createServices(launcher);
  const situations = await createSituationSource(home);
  const window = createWindowHost(source, join(here, '../preload'));
  app.on('second-instance', () => window.show());
  // Usage beside the metadata; a model answer may move a key past its budget, so the tray looks again.
  const proxy = new ProxyController(
    vault,
    proxyLogPath,
    () => notify({ kind: 'proxy' }),
    undefined,
    usageLogPath(dirname(metadataPath)),
    () => notify({ kind: 'usage' }),
  );
  const tray = createTray({
    vault,
    agents,
    situation: situations.situation,
    proxy,
    showWindow: window.show,
    quit: () => app.quit(),
  });

  // Usage changes with every model answer: the tray (budgets) looks again at most every 10 s.
  let usageRefresh: NodeJS.Timeout | null = null;
  function notify(event: StateEvent): void {
    window.notify(event);
    if (event.kind === 'usage') {
      if (usageRefresh) return;
      usageRefresh = setTimeout(() => {
        usageRefresh = null;
        void tray.refresh();
      }, 10_000);
    } else if (event.kind !== 'proxy') void tray.refresh();
  }

  registerIpc(
    createHandlers({
      vault,
      agents,
      writer,
      dataDir,
      situation: situations.situation,
      metadataPath,
      proxyStatus: () => proxy.status(),
      flushUsage: () => proxy.flushUsage(),
      holdProxy: async (held) => {
        await proxy.hold(held);
        await tray.refresh();
      },
      proxyLogPath,
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
      // A native dialog, drawn by main: a renderer cannot answer it for the user.
      confirmReveal: (key) =>
        window.confirm(
          `Show the ${key} key in KeyTray's window?`,
          'It stays on screen for 20 seconds. Cancel if you did not ask.',
        ),
      pickFolder: (title) => window.pickFolder(title),
      changed: (kind) => notify({ kind }),
    }),
    (url) => isRendererUrl(source, url),
  );

  const situation = await situations.situation();
  const watched = [dirname(metadataPath), home, ...AGENT_IDS.flatMap((id) => agents[id].watchPaths(situation))];
  const stopWatching = watchForChanges(watched, async () => {
    await situations.refresh();
    notify({ kind: 'keys' });
    notify({ kind: 'picture' });
  });
  await tray.refresh();
  // Another tool may change the keychain (secret-tool, Keychain Access) without touching a file: look again now and then.
  const poll = setInterval(() => notify({ kind: 'keys' }), 60_000);
  poll.unref();
  // First run (no key yet), or asked to: open the window; otherwise KeyTray lives in the tray.
  const listing = await vault.list().catch(() => null);
  if (process.env.KEYTRAY_SHOW_WINDOW === '1' || !listing?.providers.some((p) => p.keys.length > 0)) window.show();
  app.on('before-quit', () => {
    stopWatching();
    clearInterval(poll);
    proxy.flushUsageSync();
    void proxy.stop();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.whenReady().then(start);
  // A tray app stays when its window closes.
  app.on('window-all-closed', () => undefined);
}
