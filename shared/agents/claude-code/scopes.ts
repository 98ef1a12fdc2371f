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
  /** The git repository's top folder holding `cwd`, when there is one. */
  projectRoot?: string | undefined;
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

/**
 * The file KeyTray writes for a scope, as measured with the real Claude Code
 * (2.1.330) from a subfolder: project settings are read from the folder
 * Claude Code starts in only (never a parent's); local settings from that
 * folder and, inside a git repository, from the repository's top folder,
 * whose file wins. So `local` is the top folder's file, and `project` the
 * folder's own.
 */
export function settingsPath(scope: SettingsScope, where: ClaudeLocation): string {
  switch (scope) {
    case 'managed':
      return managedSettingsPath(where.platform);
    case 'user':
      return joinPath(where.platform, claudeConfigDir(where), 'settings.json');
    case 'project':
      return joinPath(where.platform, where.cwd, '.claude', 'settings.json');
    case 'local':
      return joinPath(where.platform, where.projectRoot ?? where.cwd, '.claude', 'settings.local.json');
  }
}

/**
 * Every settings file Claude Code reads for a folder: scopes highest first;
 * within a scope, a later file wins (in a repository's subfolder, the
 * folder's own local file, then the top folder's).
 */
export function settingsFiles(where: ClaudeLocation): { scope: SettingsScope; path: string }[] {
  return SETTINGS_SCOPES.flatMap((scope) => {
    const path = settingsPath(scope, where);
    if (scope !== 'local' || !where.projectRoot || where.projectRoot === where.cwd) return [{ scope, path }];
    return [
      { scope, path: joinPath(where.platform, where.cwd, '.claude', 'settings.local.json') },
      { scope, path },
    ];
  });
}

export function oauthCredentialsPath(where: Pick<ClaudeLocation, 'env' | 'home' | 'platform'>): string {
  return joinPath(where.platform, claudeConfigDir(where), '.credentials.json');
}
