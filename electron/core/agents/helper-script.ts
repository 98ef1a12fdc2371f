/**
 * The small script every agent's key command runs. It lives at a stable
 * path in KeyTray's data directory and runs `keytray key …` with the node and
 * CLI that wrote it, pinned to the same config directory and keychain
 * service, so an agent started from anywhere finds the same keys; on Linux
 * it first reads the key with secret-tool when it can. It is rewritten
 * whenever any of those changes.
 */
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';
import { HELPER_SCRIPT_NAME, PROXY_TOKEN_ARG, quoteForShell } from '../../../shared/helper-command';
import { writeFileAtomic } from '../files/atomic-file';
import { METADATA_FILE_NAME } from '../paths';
import { HELPER_INDEX_NAME } from '../vault/helper-index';
import { refreshHelperIndex } from '../vault/metadata-file';
import { PROXY_TOKEN_ACCOUNT } from '../vault/vault';
import { commandPath } from './command-on-path';
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

/**
 * The helper script. With `tools` (Linux, where secret-tool was found), it
 * first tries the fast path: the key's keychain entry read with secret-tool,
 * no Node started, when KeyTray's helper index is newer than its metadata
 * (vault/helper-index.ts) and names the key. Anything else (a proxy token,
 * the file store, a stale index, a missing entry, secret-tool failing) takes
 * the Node path, which prints the key or says what is wrong. The key is only
 * ever in a shell variable and printed with the shell's own printf: it never
 * reaches an argument list.
 */
export function helperScriptText(
  launcher: Launcher,
  pins: HelperPins,
  platform: NodeJS.Platform = process.platform,
  tools: FastPathTools | null = null,
): string {
  return launcherScript(
    launcher,
    { KEYTRAY_CONFIG_DIR: pins.configDir, KEYTRAY_KEYCHAIN_SERVICE: pins.keychainService },
    ['key'],
    'Claude Code runs this to read a key from the keychain.',
    platform,
    platform === 'linux' && tools ? fastPath(tools) : [],
  );
}

/**
 * The fast path's shell (see helperScriptText): succeeds having printed the
 * key, or the proxy token, or fails having printed nothing.
 *
 * The proxy token goes only to a proxy listening as this user: the listener
 * on the proxy's port on 127.0.0.1 must belong to this user's UID in
 * /proc/net/tcp. The Node path instead makes the listener prove it holds the
 * install's token (an HMAC a shell cannot compute without putting the token
 * in an argument list); a program of the same user could pass the fast
 * path's check, but such a program can read the keychain anyway. Bound proxy
 * tokens (derived from the install's by an HMAC) take the Node path.
 */
/** The commands the fast path runs, by absolute path (found when the script is written: agents may run it without a PATH). */
export interface FastPathTools {
  secretTool: string;
  /** Reads /proc/net/tcp for the proxy token's check; without it, proxy tokens take the Node path. */
  awk: string | null;
}

/**
 * Exits 0 when there is a listener on 127.0.0.1 (or on every address, IPv4
 * or IPv6) at the port `port` and every such listener is this user's: awk
 * reads /proc/net/tcp in one pass, far faster than a shell's read loop.
 */
const LISTENERS_ARE_MINE = [
  'BEGIN { p = sprintf(":%04X", port); r = 1; while ((getline s < "/proc/self/status") > 0) if (s ~ /^Uid:/) { split(s, f); u = f[2] } }',
  '$4 == "0A" && ($2 == "0100007F" p || $2 == "00000000" p || $2 == "00000000000000000000000001000000" p || $2 == "00000000000000000000000000000000" p || $2 == "0000000000000000FFFF00000100007F" p) { if (u != "" && $8 == u) r = 0; else { r = 2; exit } }',
  'END { exit r }',
].join(' ');

function fastPath({ secretTool, awk }: FastPathTools): string[] {
  const tool = quoteForShell(secretTool, 'linux');
  const metadata = `"$KEYTRAY_CONFIG_DIR/${METADATA_FILE_NAME}"`;
  const lookup = (account: string) =>
    `$(${tool} lookup service "$KEYTRAY_KEYCHAIN_SERVICE" username ${account} 2>/dev/null) && [ -n "$secret" ] || return 1`;
  return [
    'keytray_fast() {',
    `  index="$KEYTRAY_CONFIG_DIR/${HELPER_INDEX_NAME}"`,
    `  [ -f ${metadata} ] && [ "$index" -nt ${metadata} ] && [ -x ${tool} ] || return 1`,
    "  store='' port='' label=''",
    '  while read -r kind provider name; do',
    '    case "$kind" in',
    '      store) store=$provider ;;',
    '      proxy) port=$provider ;;',
    '      active) [ "$#" -eq 1 ] && [ "$provider" = "$1" ] && label=$name ;;',
    '      key) [ "$#" -eq 2 ] && [ "$provider" = "$1" ] && [ "$name" = "$2" ] && label=$name ;;',
    '    esac',
    '  done < "$index"',
    '  [ "$store" = keychain ] || return 1',
    `  if [ "$#" -eq 1 ] && [ "$1" = ${PROXY_TOKEN_ARG} ]; then`,
    ...(awk
      ? ['    keytray_proxy_is_mine "$port" || return 1', `    secret=${lookup(`'${PROXY_TOKEN_ACCOUNT}'`)}`]
      : ['    return 1']),
    '  else',
    `    case "$1" in -*|'') return 1 ;; esac`,
    '    [ "$#" -le 2 ] && [ -n "$label" ] || return 1',
    `    secret=${lookup('"$1/$label"')}`,
    '  fi',
    `  if [ -t 1 ]; then printf '%s\\n' "$secret"; else printf '%s' "$secret"; fi`,
    '}',
    ...(awk
      ? [
          "# Whether every listener on 127.0.0.1 (or all addresses) at the port is this user's, and there is one.",
          'keytray_proxy_is_mine() {',
          `  case "$1" in ''|*[!0-9]*) return 1 ;; esac`,
          '  tables=/proc/net/tcp',
          '  [ -r /proc/net/tcp6 ] && tables="$tables /proc/net/tcp6"',
          `  ${quoteForShell(awk, 'linux')} -v port="$1" '${LISTENERS_ARE_MINE}' $tables 2>/dev/null`,
          '}',
        ]
      : []),
    'keytray_fast "$@" && exit 0',
  ];
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
  /** Shell lines run before the CLI (POSIX only). */
  before: string[] = [],
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
    ...before,
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
  const tools = process.platform === 'linux' ? await findFastPathTools() : null;
  if (tools) await refreshHelperIndex(join(pins.configDir, METADATA_FILE_NAME));
  const text = helperScriptText(launcher, pins, process.platform, tools);
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

/** libsecret's secret-tool and awk, from the PATH or where Debian, Fedora and Arch put them; null without secret-tool. */
async function findFastPathTools(): Promise<FastPathTools | null> {
  const where = { env: { PATH: `${process.env.PATH ?? ''}:/usr/bin:/bin` }, platform: 'linux' as const };
  const [secretTool, awk] = await Promise.all([commandPath('secret-tool', where), commandPath('awk', where)]);
  return secretTool ? { secretTool, awk } : null;
}
