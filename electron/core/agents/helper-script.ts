/**
 * The small script Claude Code's apiKeyHelper runs. It lives at a stable
 * path in KeyTray's data directory and runs `keytray key …` with the node and
 * CLI that wrote it, pinned to the same config directory and keychain
 * service, so a Claude Code started from anywhere finds the same keys. It is
 * rewritten whenever any of those changes.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';
import { HELPER_SCRIPT_NAME, quoteForShell } from '../../../shared/helper-command';
import { writeFileAtomic } from '../files/atomic-file';
import { secureHelperFolder } from './helper-place';

/** How to run the `keytray` CLI: a runtime and the CLI's entry file. */
export interface Launcher {
  runtime: string;
  cli: string;
  /** Extra environment the runtime needs (ELECTRON_RUN_AS_NODE for the packaged app). */
  env?: Record<string, string>;
}

export interface HelperPins {
  configDir: string;
  keychainService: string;
}

export function helperScriptPath(dataDir: string, platform: string = process.platform): string {
  return join(dataDir, 'bin', platform === 'win32' ? `${HELPER_SCRIPT_NAME}.cmd` : HELPER_SCRIPT_NAME);
}

export function helperScriptText(launcher: Launcher, pins: HelperPins, platform: NodeJS.Platform = process.platform): string {
  return launcherScript(
    launcher,
    { KEYTRAY_CONFIG_DIR: pins.configDir, KEYTRAY_KEYCHAIN_SERVICE: pins.keychainService },
    ['key'],
    'Claude Code runs this to read a key from the keychain.',
    platform,
  );
}

/** The `keytray` command a user puts on their PATH: the app's own runtime running its CLI. */
export function cliWrapperText(launcher: Launcher, platform: NodeJS.Platform = process.platform): string {
  return launcherScript(launcher, {}, [], 'the keytray command, run by the KeyTray app.', platform);
}

/** A script that runs the CLI with `fixedArgs` then the caller's arguments, in the launcher's environment. */
function launcherScript(
  launcher: Launcher,
  pins: Record<string, string>,
  fixedArgs: string[],
  purpose: string,
  platform: NodeJS.Platform,
): string {
  const env: Record<string, string> = { ...pins, ...launcher.env };
  const command = [quoteForShell(launcher.runtime, platform), quoteForShell(launcher.cli, platform), ...fixedArgs].join(' ');
  if (platform === 'win32') {
    return [
      '@echo off',
      `rem Written by KeyTray: ${purpose} KeyTray rewrites it.`,
      ...(Object.keys(env).length ? ['setlocal'] : []),
      ...Object.entries(env).map(([name, value]) => `set "${name}=${value}"`),
      `${command} %*`,
      '',
    ].join('\r\n');
  }
  return [
    '#!/bin/sh',
    `# Written by KeyTray: ${purpose}`,
    '# KeyTray rewrites it when it moves; edits here are lost.',
    ...Object.entries(env).map(([name, value]) => `${name}=${quoteForShell(value, platform)}`),
    ...(Object.keys(env).length ? [`export ${Object.keys(env).join(' ')}`] : []),
    `exec ${command} "$@"`,
    '',
  ].join('\n');
}

/**
 * Installs the `keytray` command: `~/.local/bin/keytray` (macOS, Linux) or
 * `%LOCALAPPDATA%\\KeyTray\\bin\\keytray.cmd` (Windows). Refuses to replace a
 * file there that KeyTray did not write.
 */
export async function installCliWrapper(
  binDir: string,
  launcher: Launcher,
  platform: NodeJS.Platform = process.platform,
): Promise<string> {
  const path = join(binDir, platform === 'win32' ? 'keytray.cmd' : 'keytray');
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current !== null && !current.includes('Written by KeyTray')) {
    throw new KeyTrayError('exists', `${path} exists and was not written by KeyTray; it was left alone.`, {
      fix: 'Remove or rename it, then install the command again.',
    });
  }
  await mkdir(binDir, { recursive: true, mode: 0o755 });
  await writeFileAtomic(path, cliWrapperText(launcher, platform), 0o755);
  return path;
}

/** Writes the script when missing or different. Returns its path. */
export async function ensureHelperScript(dataDir: string, launcher: Launcher, pins: HelperPins): Promise<string> {
  const path = helperScriptPath(dataDir);
  const text = helperScriptText(launcher, pins);
  const folder = join(dataDir, 'bin');
  await secureHelperFolder(folder);
  const current = await readFile(path, 'utf8').catch(() => null);
  const info = current === null ? null : await lstat(path);
  // Rewritten when it differs, has another mode, or is not a plain file of the user's (a link, another's file).
  if (
    current !== text ||
    !info ||
    !info.isFile() ||
    (info.mode & 0o777) !== 0o700 ||
    (process.getuid && info.uid !== process.getuid())
  ) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, text, 0o700);
  }
  return path;
}
