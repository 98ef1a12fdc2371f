/**
 * The tray, as data: state in, icon and menu template out. Rebuilt on every
 * change and handed to Menu.buildFromTemplate; tested as data. No Electron
 * import: actions are plain values main maps to calls.
 */
import { AGENTS } from '../../shared/agents/catalog';
import type { AuthPicture } from '../../shared/agents/claude-code/auth-picture';
import { providerWords } from '../../shared/agents/describe';
import { pictureLight, seriousWarning } from '../../shared/agents/light';
import type { AgentPicture } from '../../shared/agents/picture';
import { plaintextKeysSentence } from '../../shared/import/plaintext-key';
import { providerInfo } from '../../shared/providers';
import { type BudgetOverrun, overrunLine } from '../../shared/usage';
import type { KeyListing } from '../../shared/vault-types';

export type TrayAction =
  | { kind: 'use-key'; provider: string; label: string }
  | { kind: 'add-key' }
  | { kind: 'configure-claude' }
  | { kind: 'toggle-proxy' }
  | { kind: 'toggle-aws' }
  | { kind: 'open' }
  | { kind: 'open-full' }
  | { kind: 'quit' };

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu';
  checked?: boolean;
  enabled?: boolean;
  action?: TrayAction;
  submenu?: TrayItem[];
}

export interface TrayState {
  /** Claude Code's picture for the home folder. */
  picture: AuthPicture | null;
  /** The other agents KeyTray has configured, each with its picture. */
  agents?: AgentPicture[];
  /** The agents installed here that KeyTray has not configured: a line each, outside the icon's verdict. */
  unconfigured?: AgentPicture[];
  listing: KeyListing | null;
  /** Claude Code's user settings go through the proxy. */
  proxyMode: boolean;
  proxy: { running: boolean; port: number };
  /** Claude Code's user settings use an AWS-hosted provider. */
  awsMode: boolean;
  /** Keys whose estimated spend today (through the proxy) passed their daily budget: amber, with a line each. */
  overBudget?: BudgetOverrun[];
  /** How many keys `keytray import` finds in plaintext on this machine. */
  plaintextKeys?: number;
  /** Why the state could not be read, when it could not. */
  error?: string;
}

export type TrayIcon = 'ok' | 'warning' | 'error';

/** The worst of every agent's state: Claude Code's, and each configured agent's. */
export function trayIcon(state: TrayState): TrayIcon {
  if (state.error || state.listing?.storeError) return 'error';
  if (!state.picture || state.picture.winner === 'none') return 'error';
  const lights = [state.picture, ...(state.agents ?? [])].map(pictureLight);
  if (lights.includes('error')) return 'error';
  if (lights.includes('warning')) return 'warning';
  if (state.proxyMode && !state.proxy.running) return 'warning';
  if (state.overBudget?.length) return 'warning';
  // A key in plaintext is one KeyTray could protect and does not yet.
  if ((state.plaintextKeys ?? 0) > 0) return 'warning';
  return 'ok';
}

/** One line that says what Claude Code will use, or what is wrong. */
export function headline(state: TrayState): string {
  if (state.error) return `KeyTray: ${state.error}`;
  if (!state.picture) return 'Claude Code: reading…';
  return agentLine(state.picture);
}

/** What an agent will use, or what is wrong with it, in a line. */
export function agentLine(picture: AgentPicture): string {
  const label = AGENTS[picture.tool].label;
  const serious = seriousWarning(picture);
  if (serious) return picture.tool === 'claude-code' ? `⚠ ${serious.message}` : `${label}: ⚠ ${serious.message}`;
  const header = Object.values(picture.headers).find((h) => h !== null) ?? null;
  if (!header) {
    return `${label} → ${providerWords(picture)} (credentials not known to KeyTray)`;
  }
  const keytray = header.detail?.match(/^keytray(?: (?:proxy|route) token; the proxy sends|:) (\S+)$/)?.[1];
  if (keytray) return `${label} → ${keytray} via ${header.detail?.includes('proxy') ? 'the KeyTray proxy' : 'keychain helper'}`;
  return `${label} → ${header.source} from ${header.origin}`;
}

export function trayMenu(state: TrayState): TrayItem[] {
  const items: TrayItem[] = [{ label: headline(state), enabled: false }];
  for (const picture of [...(state.agents ?? []), ...(state.unconfigured ?? [])]) {
    items.push({ label: agentLine(picture), enabled: false });
  }
  for (const over of state.overBudget ?? []) items.push({ label: `⚠ ${overrunLine(over)}`, enabled: false });
  const plaintext = state.plaintextKeys ?? 0;
  if (plaintext > 0) {
    items.push({
      label: `⚠ ${plaintextKeysSentence(plaintext)}: move ${plaintext === 1 ? 'it' : 'them'} in…`,
      action: { kind: 'open' },
    });
  }
  items.push({ type: 'separator' });
  for (const provider of state.listing?.providers ?? []) {
    if (provider.keys.length === 0) continue;
    items.push({ label: providerInfo(provider.id).label, enabled: false });
    for (const key of provider.keys) {
      items.push({
        label: `${key.label}  ${key.masked}${key.state === 'ok' ? '' : '  (needs attention)'}`,
        type: 'radio',
        checked: key.active,
        action: { kind: 'use-key', provider: provider.id, label: key.label },
      });
    }
  }
  if ((state.listing?.providers ?? []).some((p) => p.keys.length > 0)) items.push({ type: 'separator' });
  items.push(
    { label: 'Add key…', action: { kind: 'add-key' } },
    { label: 'Configure Claude Code', action: { kind: 'configure-claude' } },
    { type: 'separator' },
    {
      label: state.proxyMode
        ? `Proxy mode${state.proxy.running ? ` (port ${state.proxy.port})` : ' (not running)'}`
        : 'Proxy mode',
      type: 'checkbox',
      checked: state.proxyMode,
      action: { kind: 'toggle-proxy' },
    },
    { label: 'AWS mode', type: 'checkbox', checked: state.awsMode, action: { kind: 'toggle-aws' } },
    { type: 'separator' },
    { label: 'Open KeyTray', action: { kind: 'open' } },
    { label: 'Open full window', action: { kind: 'open-full' } },
    { label: 'Quit', action: { kind: 'quit' } },
  );
  return items;
}
