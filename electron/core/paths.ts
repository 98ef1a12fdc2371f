/**
 * Where KeyTray keeps its own files on each platform.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PlatformEnv {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
}

export function currentPlatformEnv(): PlatformEnv {
  return { platform: process.platform, env: process.env, home: process.env.HOME || homedir() };
}

/**
 * `$XDG_CONFIG_HOME/keytray`, `~/Library/Application Support/KeyTray`,
 * `%APPDATA%\KeyTray`. `KEYTRAY_CONFIG_DIR` overrides it: the helper script
 * pins it, so Claude Code started from anywhere finds the same keys.
 */
export function configDir(p: PlatformEnv = currentPlatformEnv()): string {
  if (p.env.KEYTRAY_CONFIG_DIR) return p.env.KEYTRAY_CONFIG_DIR;
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support', 'KeyTray');
  if (p.platform === 'win32') return join(p.env.APPDATA || join(p.home, 'AppData', 'Roaming'), 'KeyTray');
  return join(absoluteOr(p.env.XDG_CONFIG_HOME, join(p.home, '.config')), 'keytray');
}

/** The metadata file's name in the config directory. */
export const METADATA_FILE_NAME = 'keytray.json';

export function metadataPath(p?: PlatformEnv): string {
  return join(configDir(p), METADATA_FILE_NAME);
}

/** The plaintext secret file, used only when the user chose it. */
export function fileStorePath(p?: PlatformEnv): string {
  return join(configDir(p), 'secrets.json');
}

/**
 * Files KeyTray owns but that are not settings: the helper script Claude Code
 * runs, backups of other tools' files. `$XDG_DATA_HOME/keytray`,
 * `~/Library/Application Support/KeyTray`, `%LOCALAPPDATA%\KeyTray`.
 */
export function dataDir(p: PlatformEnv = currentPlatformEnv()): string {
  if (p.env.KEYTRAY_DATA_DIR) return p.env.KEYTRAY_DATA_DIR;
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support', 'KeyTray');
  if (p.platform === 'win32') return join(p.env.LOCALAPPDATA || join(p.home, 'AppData', 'Local'), 'KeyTray');
  return join(absoluteOr(p.env.XDG_DATA_HOME, join(p.home, '.local', 'share')), 'keytray');
}

/** XDG says a relative value is invalid and must be ignored. */
function absoluteOr(value: string | undefined, fallback: string): string {
  return value?.startsWith('/') ? value : fallback;
}
