/**
 * A throw-away world per test: its own config directory under the private
 * HOME and its own keychain service name, so tests never see each other's keys.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, type Stats, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Vault } from '../../electron/core/vault/vault';

const run = promisify(execFile);

export interface TestEnv {
  root: string;
  configHome: string;
  service: string;
  env: NodeJS.ProcessEnv;
  metadataPath: string;
  fileStorePath: string;
  vault(): Vault;
}

export function makeTestEnv(): TestEnv {
  const root = mkdtempSync(join(process.env.HOME || tmpdir(), 'kt-'));
  const configHome = join(root, '.config');
  const service = `keytray-test-${randomBytes(6).toString('hex')}`;
  const metadataPath = join(configHome, 'keytray', 'keytray.json');
  const fileStorePath = join(configHome, 'keytray', 'secrets.json');
  const env = {
    ...process.env,
    HOME: root,
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_HOME: join(root, '.local', 'share'),
    KEYTRAY_KEYCHAIN_SERVICE: service,
  };
  return {
    root,
    configHome,
    service,
    env,
    metadataPath,
    fileStorePath,
    vault: () => new Vault({ metadataPath, fileStorePath, keychainService: service }),
  };
}

/**
 * A key shaped like a real one, random every time, carrying a canary
 * (KTCANARY) that scripts/secret-scan.mjs looks for in every log and report
 * the test run leaves: finding one there is a leak.
 */
export function fakeAnthropicKey(): string {
  return `sk-ant-api03-KTCANARY${randomBytes(70).toString('base64url').slice(0, 85)}AA`;
}

/** An OpenAI project key's shape, random, with the canary. */
export function fakeOpenAIKey(): string {
  return `sk-proj-KTCANARY${randomBytes(60).toString('base64url').slice(0, 72)}`;
}

/** A Google AI Studio key's shape (AIza and 35 more), random, with the canary. */
/**
 * A key the user keeps in plaintext in another tool's file (a broken config, a
 * provider of their own), which KeyTray never holds: no canary, since the
 * secret scan looks for KeyTray's leaks and this one is the user's by design.
 */
export function usersOwnKey(prefix: string): string {
  return `${prefix}UsersOwn${randomBytes(36).toString('base64url').slice(0, 48)}`;
}

/** A key for an Anthropic-compatible provider of the user's (DeepSeek, a gateway): "sk-" and random, with the canary. */
export function fakeCompatibleKey(): string {
  return `sk-KTCANARY${randomBytes(36).toString('base64url').slice(0, 40)}`;
}

export function fakeGeminiKey(): string {
  return `AIzaKTCANARY${randomBytes(30).toString('base64url').slice(0, 27)}`;
}

/** What the Secret Service holds, read by secret-tool: an outside witness. */
export async function secretToolLookup(service: string, account: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', ['lookup', 'service', service, 'username', account]);
    return stdout;
  } catch {
    return null;
  }
}

export async function secretToolClear(service: string, account: string): Promise<void> {
  await run('secret-tool', ['clear', 'service', service, 'username', account]);
}

export async function secretToolStore(service: string, account: string, secret: string): Promise<void> {
  const child = execFile('secret-tool', ['store', '--label', `${service} ${account}`, 'service', service, 'username', account]);
  child.stdin?.end(secret);
  await new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`secret-tool store exited ${code}`)))),
  );
}

/** The file's stat, or null when there is no such file. */
export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
