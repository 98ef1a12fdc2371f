/**
 * Gathers what the auth picture needs from the machine: the environment,
 * every Claude Code settings file for a directory, the OAuth login, the
 * Console key `/login` saved, shell startup files, and what KeyTray's own
 * helper would print (from metadata: no helper is ever run).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AuthInputs,
  CREDENTIAL_VARIABLES,
  type HelperInfo,
  type SettingsLayer,
  SWITCH_VARIABLES,
} from '../../../../shared/agents/claude-code/auth-picture';
import { claudeConfigDir, SETTINGS_SCOPES, settingsFiles, settingsPath } from '../../../../shared/agents/claude-code/scopes';
import { settingsLayer } from '../../../../shared/agents/claude-code/settings-layer';
import { parseHelperCommand } from '../../../../shared/helper-command';
import { maskSecret } from '../../../../shared/mask';
import type { ProviderId } from '../../../../shared/providers';
import { proxyRouteOf } from '../../../../shared/proxy-types';
import { findShellExports } from '../../env/shell-exports';
import { readSettingsFile } from '../../files/settings-writer';
import type { Vault } from '../../vault/vault';
import { describeTarget } from '../helper-target';
import type { Situation } from '../situation';

export type { Situation };

/** `own`: KeyTray's helper script, the only one whose command counts as KeyTray's. */
export async function gatherAuthInputs(situation: Situation, vault: Vault, own: string): Promise<AuthInputs> {
  const settings = await readLayers(situation);
  const helpers: Record<string, HelperInfo> = {};
  // In proxy mode one of these points at the proxy, and its path names the provider whose key the proxy sends.
  const baseUrls = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_AWS_BASE_URL', 'ANTHROPIC_BEDROCK_BASE_URL'].flatMap((name) => {
    const value = effectiveVariable(name, situation, settings);
    return value ? [value] : [];
  });
  for (const layer of settings) {
    if (layer.apiKeyHelper && !(layer.apiKeyHelper in helpers)) {
      helpers[layer.apiKeyHelper] = await describeHelper(layer.apiKeyHelper, vault, baseUrls, own);
    }
  }
  const tilde = (file: string) =>
    situation.home && file.startsWith(`${situation.home}/`) ? `~${file.slice(situation.home.length)}` : file;
  const exports = await findShellExports(situation.home, [...CREDENTIAL_VARIABLES, ...SWITCH_VARIABLES]);
  return {
    cwd: situation.cwd,
    env: situation.env,
    envOrigin: situation.envOrigin,
    settings,
    shellExports: exports.map((e) => ({ ...e, file: tilde(e.file) })),
    login: await readLogin(situation),
    primaryApiKey: await readPrimaryApiKey(situation),
    helpers,
    awsChain: await findAwsCredentials(situation, settings),
  };
}

export async function readLayers(situation: Situation): Promise<SettingsLayer[]> {
  const layers: SettingsLayer[] = [];
  const userPath = settingsPath('user', situation);
  for (const { scope, path } of settingsFiles(situation)) {
    // In the home directory, the project's settings file is the user's: one file, read once, as user settings.
    if (scope !== 'user' && path === userPath) continue;
    const text = await readSettingsFile(path).catch(() => null);
    if (text === null) continue;
    layers.push(settingsLayer(scope, path, text));
  }
  // In settingsFiles' order: within a scope, a later layer overrides an earlier one.
  return layers;
}

export async function describeHelper(command: string, vault: Vault, baseUrls: string[], own: string): Promise<HelperInfo> {
  const parsed = parseHelperCommand(command);
  if (!parsed) return { masked: null };
  // In proxy mode the base URL says which provider's key the proxy sends.
  const route = baseUrls.map(proxyRoute).find((r) => r !== null) ?? null;
  return describeTarget(parsed.script, parsed.target, vault, route, 'claude-code', own);
}

/** The variable as Claude Code sees it: the highest settings env block that sets it, else the environment. */
function effectiveVariable(name: string, situation: Situation, layers: SettingsLayer[]): string | undefined {
  // Highest first: by scope, and within a scope the later layer (layers come lowest first within a scope).
  const layer = [...layers]
    .reverse()
    .sort((a, b) => SETTINGS_SCOPES.indexOf(a.scope) - SETTINGS_SCOPES.indexOf(b.scope))
    .find((l) => l.env[name] !== undefined);
  const value = layer ? layer.env[name] : situation.env[name];
  return value === '' ? undefined : value;
}

function proxyRoute(baseUrl: string | undefined): { url: string; port: number; provider: ProviderId } | null {
  const route = baseUrl ? proxyRouteOf(baseUrl) : null;
  return route && baseUrl ? { url: baseUrl, ...route } : null;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

async function readLogin(situation: Situation): Promise<AuthInputs['login']> {
  const path = join(claudeConfigDir(situation), '.credentials.json');
  let oauth = credentialsOf(await readJson(path));
  let origin: 'oauth:file' | 'oauth:keychain' = 'oauth:file';
  let detail = path;
  if (!oauth && situation.platform === 'darwin') {
    oauth = credentialsOf(await readMacKeychainLogin());
    origin = 'oauth:keychain';
    detail = 'macOS Keychain item "Claude Code-credentials"';
  }
  if (!oauth) return null;
  return { origin, masked: maskSecret(oauth.accessToken), usable: oauth.scopes.includes('user:inference'), detail };
}

function credentialsOf(json: unknown): { accessToken: string; scopes: string[] } | null {
  const oauth = (json as { claudeAiOauth?: { accessToken?: unknown; scopes?: unknown } } | null)?.claudeAiOauth;
  if (!oauth || typeof oauth.accessToken !== 'string' || oauth.accessToken === '') return null;
  const scopes = Array.isArray(oauth.scopes) ? oauth.scopes.filter((s): s is string => typeof s === 'string') : [];
  return { accessToken: oauth.accessToken, scopes };
}

async function readMacKeychainLogin(): Promise<unknown> {
  try {
    const { default: keyring } = await import('@napi-rs/keyring');
    const { userInfo } = await import('node:os');
    const text = await new keyring.AsyncEntry('Claude Code-credentials', userInfo().username).getPassword();
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

async function readPrimaryApiKey(situation: Situation): Promise<AuthInputs['primaryApiKey']> {
  const path = situation.env.CLAUDE_CONFIG_DIR
    ? join(situation.env.CLAUDE_CONFIG_DIR, '.claude.json')
    : join(situation.home, '.claude.json');
  const key = ((await readJson(path)) as { primaryApiKey?: unknown } | null)?.primaryApiKey;
  return typeof key === 'string' && key !== '' ? { masked: maskSecret(key), detail: path } : null;
}

export async function findAwsCredentials(situation: Situation, layers: SettingsLayer[]): Promise<AuthInputs['awsChain']> {
  const env = Object.assign({}, situation.env, ...layers.map((l) => l.env)) as Record<string, string>;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return { detail: 'AWS_ACCESS_KEY_ID in the environment' };
  if (env.AWS_PROFILE) return { detail: `AWS profile "${env.AWS_PROFILE}"` };
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE || join(situation.home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE || join(situation.home, '.aws', 'config'),
  ];
  for (const path of files) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text && /^\s*\[(default|profile default)\]/m.test(text)) return { detail: `default profile in ${path}` };
  }
  return null;
}
