/**
 * A throw-away world for running an agent's real CLI beside `keytray`: a
 * HOME, KeyTray's own folders and keychain service, the private keyring's
 * bus, a PATH with this Node, and nothing else from the test's environment.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli';
import type { TestEnv } from './test-env';

export function agentEnv(t: TestEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: t.root,
    DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
    XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR,
    GIT_CEILING_DIRECTORIES: process.env.GIT_CEILING_DIRECTORIES,
    XDG_CONFIG_HOME: t.configHome,
    XDG_DATA_HOME: join(t.root, '.local', 'share'),
    KEYTRAY_KEYCHAIN_SERVICE: t.service,
    ...extra,
  };
}

/**
 * OpenCode offline: no model list, update, LSP download, default plugins or share; and the
 * @opencode-ai/plugin it npm-installs in its config folder in the background finds no registry.
 */
export const OPENCODE_OFFLINE = {
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
  OPENCODE_DISABLE_SHARE: '1',
  npm_config_offline: 'true',
  npm_config_registry: 'http://127.0.0.1:9/',
} as const;

/** `keytray` in that environment, expected to succeed. */
export function keytrayIn(env: NodeJS.ProcessEnv, fixedArgs: string[] = []) {
  return async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
    const result = await runCli([...args, ...fixedArgs], { env, ...(input === undefined ? {} : { input }) });
    expect(result.code, `keytray ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
}

/**
 * Every file under a folder, as text: where a leaked key would be found. Links are followed; what is
 * neither a file nor a folder (the sockets and locks agents leave about, a dangling link) has no text.
 */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...filesUnder(path));
    else if (stat?.isFile()) out.push({ path, text: readFileSync(path, 'latin1') });
  }
  return out;
}
