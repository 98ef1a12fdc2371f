/**
 * Claude Code's settings files, and where each lives. Pure: callers pass the
 * environment, home directory and platform.
 */
import { joinPath, type Platform } from '../../paths';

/** Highest priority first, as Claude Code applies them. */
export const SETTINGS_SCOPES = ['managed', 'local', 'project', 'user'] as const;
export type SettingsScope = (typeof SETTINGS_SCOPES)[number];

/** The scopes KeyTray writes. */
export const WRITABLE_SCOPES = ['user', 'project', 'local'] as const;
export type WritableScope = (typeof WRITABLE_SCOPES)[number];

export function isWritableScope(value: string): value is WritableScope {
  return (WRITABLE_SCOPES as readonly string[]).includes(value);
}

export interface ClaudeLocation {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  platform: Platform;
  cwd: string;
}

/** `~/.claude`, moved by `CLAUDE_CONFIG_DIR`. */
export function claudeConfigDir(where: Pick<ClaudeLocation, 'env' | 'home' | 'platform'>): string {
  return where.env.CLAUDE_CONFIG_DIR || joinPath(where.platform, where.home, '.claude');
}

export function managedSettingsPath(platform: Platform): string {
  if (platform === 'darwin') return '/Library/Application Support/ClaudeCode/managed-settings.json';
  if (platform === 'win32') return 'C:\\Program Files\\ClaudeCode\\managed-settings.json';
  return '/etc/claude-code/managed-settings.json';
}

export function settingsPath(scope: SettingsScope, where: ClaudeLocation): string {
  switch (scope) {
    case 'managed':
      return managedSettingsPath(where.platform);
    case 'user':
      return joinPath(where.platform, claudeConfigDir(where), 'settings.json');
    case 'project':
      return joinPath(where.platform, where.cwd, '.claude', 'settings.json');
    case 'local':
      return joinPath(where.platform, where.cwd, '.claude', 'settings.local.json');
  }
}

export function oauthCredentialsPath(where: Pick<ClaudeLocation, 'env' | 'home' | 'platform'>): string {
  return joinPath(where.platform, claudeConfigDir(where), '.credentials.json');
}
