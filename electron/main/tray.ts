/**
 * The tray icon and its menu: state is read from core, turned into a
 * template by the pure trayMenu(), and the template's actions call core.
 */
import { join } from 'node:path';
import { app, Menu, type MenuItemConstructorOptions, nativeImage, type Rectangle, Tray } from 'electron';
import type { AuthPicture } from '../../shared/agents/claude-code/auth-picture';
import { settingsPath } from '../../shared/agents/claude-code/scopes';
import { bindingOf } from '../core/agents/bindings';
import { boundFiles, inProxyMode } from '../core/agents/rebind';
import { type AgentRegistry, agentsConfigured, agentsFound } from '../core/agents/registry';
import type { Situation } from '../core/agents/situation';
import { scanImport } from '../core/import/import-keys';
import { configDir } from '../core/paths';
import type { ProxyController } from '../core/proxy/proxy-controller';
import { keysOverBudget } from '../core/usage/budgets';
import type { Vault } from '../core/vault/vault';
import { headline, type TrayAction, type TrayItem, type TrayState, trayIcon, trayMenu } from './tray-menu';

export interface TrayDeps {
  vault: Vault;
  agents: AgentRegistry;
  situation(cwd?: string): Promise<Situation>;
  proxy: ProxyController;
  /** The window: tray-sized beside the tray icon (`near`, the icon's bounds), or full-sized. */
  showWindow(options?: { near?: Rectangle }): void;
  quit(): void;
}

export function createTray(deps: TrayDeps): { refresh(): Promise<void> } {
  const dir = join(app.getAppPath(), 'build', 'tray');
  const icons = Object.fromEntries(
    (['ok', 'warning', 'error'] as const).map((name) => [name, nativeImage.createFromPath(join(dir, `${name}.png`))]),
  );
  // macOS menu bars take a monochrome template image; the state goes in the title beside it.
  const mac = process.platform === 'darwin';
  const template = nativeImage.createFromPath(join(dir, 'trayTemplate.png'));
  template.setTemplateImage(true);
  const tray = new Tray(mac ? template : (icons.ok ?? nativeImage.createEmpty()));
  let state: TrayState | null = null;

  async function readState(): Promise<TrayState> {
    const meta = await deps.vault.readMetadata();
    const situation = await deps.situation();
    const binding = bindingOf(meta, 'claude-code', settingsPath('user', situation));
    const proxyMode = binding?.mode === 'proxy' || binding?.provider === 'anthropic-aws' || binding?.provider === 'bedrock';
    // Any configuration that sends through the proxy (any agent, any folder) needs it running.
    await deps.proxy.ensure(boundFiles(meta, inProxyMode).length > 0);
    try {
      // Claude Code heads the menu; every other agent found here gets a line, those KeyTray configured first.
      const found = (await agentsFound(deps.agents, situation)).filter((a) => a.info.id !== 'claude-code');
      const configured = await agentsConfigured(deps.agents, situation, ['claude-code']);
      const unconfigured = found.filter((a) => !configured.includes(a));
      await deps.proxy.flushUsage();
      const [listing, picture, agents, others, overBudget, plaintext] = await Promise.all([
        deps.vault.list(),
        deps.agents['claude-code'].picture(situation),
        Promise.all(configured.map((a) => a.picture(situation))),
        Promise.all(unconfigured.map((a) => a.picture(situation))),
        // A prices file that does not fit must not take the tray down: `keytray usage` and the window say why.
        keysOverBudget(meta, configDir()).catch(() => []),
        // A place that cannot be read is the window's to explain; the tray counts what it found.
        scanImport(deps, situation).then(
          (scan) => scan.keys.length,
          () => 0,
        ),
      ]);
      return {
        listing,
        picture: picture as AuthPicture,
        agents,
        unconfigured: others,
        overBudget,
        plaintextKeys: plaintext,
        proxyMode: Boolean(proxyMode),
        proxy: deps.proxy.status(),
        awsMode: binding?.provider === 'anthropic-aws' || binding?.provider === 'bedrock',
      };
    } catch (error) {
      return {
        listing: null,
        picture: null,
        proxyMode: Boolean(proxyMode),
        proxy: deps.proxy.status(),
        awsMode: false,
        error: (error as Error).message,
      };
    }
  }

  async function run(action: TrayAction): Promise<void> {
    const situation = await deps.situation();
    const claude = deps.agents['claude-code'];
    const configure = async (request: { provider?: string; mode?: 'helper' | 'proxy' }) => {
      await claude.apply(await claude.plan({ scope: 'user', situation, ...request }));
    };
    try {
      switch (action.kind) {
        case 'use-key':
          await deps.vault.use(action.provider, action.label);
          break;
        case 'add-key':
        case 'open':
          return deps.showWindow({ near: tray.getBounds() });
        case 'open-full':
          return deps.showWindow();
        case 'configure-claude':
          await configure({});
          break;
        case 'toggle-proxy':
          await configure({ provider: 'anthropic', mode: state?.proxyMode ? 'helper' : 'proxy' });
          break;
        case 'toggle-aws': {
          if (state?.awsMode) await configure({ provider: 'anthropic' });
          else {
            const aws = state?.listing?.providers.find(
              (p) => (p.id === 'anthropic-aws' || p.id === 'bedrock') && p.keys.length > 0,
            );
            if (!aws) return deps.showWindow();
            await configure({ provider: aws.id });
          }
          break;
        }
        case 'quit':
          return deps.quit();
      }
    } catch {
      // The window shows what went wrong, in full.
      deps.showWindow();
    }
    await refresh();
  }

  function toElectron(items: TrayItem[]): MenuItemConstructorOptions[] {
    return items.map((item) => ({
      ...(item.label !== undefined ? { label: item.label } : {}),
      type: item.type ?? 'normal',
      ...(item.checked !== undefined ? { checked: item.checked } : {}),
      ...(item.enabled !== undefined ? { enabled: item.enabled } : {}),
      ...(item.action ? { click: () => void run(item.action as TrayAction) } : {}),
      ...(item.submenu ? { submenu: toElectron(item.submenu) } : {}),
    }));
  }

  async function refresh(): Promise<void> {
    state = await readState();
    const icon = trayIcon(state);
    if (mac) tray.setTitle(icon === 'ok' ? '' : icon === 'warning' ? '⚠' : '✕');
    else tray.setImage(icons[icon] ?? nativeImage.createEmpty());
    tray.setToolTip(headline(state));
    // Always set: many Linux desktops never deliver tray clicks, only the menu.
    tray.setContextMenu(Menu.buildFromTemplate(toElectron(trayMenu(state))));
  }

  tray.on('click', () => deps.showWindow({ near: tray.getBounds() }));
  return { refresh };
}
