/**
 * The small script Claude Code's apiKeyHelper runs. It lives at a stable
 * path in KeyTray's data directory and runs `keytray key …` with the node and
 * CLI that wrote it, pinned to the same config directory and keychain
 * service, so a Claude Code started from anywhere finds the same keys. It is
 * rewritten whenever any of those changes.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HELPER_SCRIPT_NAME, quoteForShell } from '../../shared/helper-command';
import { writeFileAtomic } from './atomic-file';

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
  const env: Record<string, string> = {
    KEYTRAY_CONFIG_DIR: pins.configDir,
    KEYTRAY_KEYCHAIN_SERVICE: pins.keychainService,
    ...launcher.env,
  };
  if (platform === 'win32') {
    return [
      '@echo off',
      'rem Written by KeyTray: Claude Code runs this to read a key from the keychain. KeyTray rewrites it.',
      ...Object.entries(env).map(([name, value]) => `set "${name}=${value}"`),
      `${quoteForShell(launcher.runtime, platform)} ${quoteForShell(launcher.cli, platform)} key %*`,
      '',
    ].join('\r\n');
  }
  return [
    '#!/bin/sh',
    '# Written by KeyTray: Claude Code runs this to read a key from the keychain.',
    '# KeyTray rewrites it when it moves; edits here are lost.',
    ...Object.entries(env).map(([name, value]) => `${name}=${quoteForShell(value, platform)}`),
    `export ${Object.keys(env).join(' ')}`,
    `exec ${quoteForShell(launcher.runtime, platform)} ${quoteForShell(launcher.cli, platform)} key "$@"`,
    '',
  ].join('\n');
}

/** Writes the script when missing or different. Returns its path. */
export async function ensureHelperScript(dataDir: string, launcher: Launcher, pins: HelperPins): Promise<string> {
  const path = helperScriptPath(dataDir);
  const text = helperScriptText(launcher, pins);
  const current = await readFile(path, 'utf8').catch(() => null);
  const mode = current === null ? null : (await stat(path)).mode & 0o777;
  if (current !== text || mode !== 0o700) {
    await mkdir(join(dataDir, 'bin'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, text, 0o700);
  }
  return path;
}
