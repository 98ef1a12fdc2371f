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

/** `$XDG_CONFIG_HOME/keytray`, `~/Library/Application Support/KeyTray`, `%APPDATA%\KeyTray`. */
export function configDir(p: PlatformEnv = currentPlatformEnv()): string {
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support', 'KeyTray');
  if (p.platform === 'win32') return join(p.env.APPDATA || join(p.home, 'AppData', 'Roaming'), 'KeyTray');
  return join(absoluteOr(p.env.XDG_CONFIG_HOME, join(p.home, '.config')), 'keytray');
}

export function metadataPath(p?: PlatformEnv): string {
  return join(configDir(p), 'keytray.json');
}

/** The plaintext secret file, used only when the user chose it. */
export function fileStorePath(p?: PlatformEnv): string {
  return join(configDir(p), 'secrets.json');
}

/** XDG says a relative value is invalid and must be ignored. */
function absoluteOr(value: string | undefined, fallback: string): string {
  return value?.startsWith('/') ? value : fallback;
}
