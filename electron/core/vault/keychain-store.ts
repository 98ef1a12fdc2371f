/**
 * The OS keychain through @napi-rs/keyring: Keychain on macOS, Credential
 * Manager on Windows, the Secret Service on Linux. On Linux the Secret Service
 * is required: the library would otherwise fall back to the kernel keyring,
 * whose entries vanish at reboot.
 */
import keyring from '@napi-rs/keyring';
import { KeyTrayError } from '../../../shared/errors';
import type { SecretStore } from './secret-store';

export const DEFAULT_SERVICE = 'keytray';

export function keychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEYTRAY_KEYCHAIN_SERVICE || DEFAULT_SERVICE;
}

const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;

export function keychainStore(service: string = keychainService()): SecretStore {
  const entry = (account: string) => attempt(() => new keyring.AsyncEntry(service, account, ENTRY_OPTIONS));
  return {
    kind: 'keychain',
    description: `${keychainName()} (service "${service}")`,
    async get(account) {
      const e = await entry(account);
      return attempt(() => e.getPassword());
    },
    async set(account, secret) {
      const e = await entry(account);
      await attempt(() => e.setPassword(secret));
    },
    async delete(account) {
      const e = await entry(account);
      return attempt(() => e.deleteCredential());
    },
    async entries() {
      // Probe first: the search alone reports an absent Secret Service as "nothing found".
      await entry('probe/availability');
      const found = await attempt(() => keyring.findCredentialsAsync(service));
      return new Map(found.map((c) => [c.account, c.password]));
    },
  };
}

export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service keyring';
}

async function attempt<T>(operation: () => T | Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw keychainError(error);
  }
}

/**
 * Turns the library's error into one a user can act on. The library's
 * messages carry no secret (they describe the store, not the entry's value).
 */
export function keychainError(error: unknown, platform: NodeJS.Platform = process.platform): KeyTrayError {
  const detail = error instanceof Error ? error.message : String(error);
  const fallback = 'Or, knowingly, keep keys in a plaintext file instead: `keytray store use file`.';
  if (platform === 'linux') {
    if (/IsLocked|locked|prompt|dismissed|no result found|not available|ServiceUnknown|no such object/i.test(detail)) {
      return new KeyTrayError(
        'keychain-unavailable',
        `The Secret Service keyring is not usable: it is locked or has no default collection (${detail}).`,
        {
          cause: error,
          fix: `Unlock your login keyring (for example in Seahorse, "Passwords and Keys"), or start gnome-keyring with \`gnome-keyring-daemon --unlock --components=secrets\`. ${fallback}`,
        },
      );
    }
    if (/autolaunch|DBUS_SESSION_BUS_ADDRESS|connect to address|failed to connect|no such file/i.test(detail)) {
      return new KeyTrayError(
        'keychain-unavailable',
        `The keychain cannot be reached: there is no D-Bus session bus (${detail}).`,
        {
          cause: error,
          fix: `Run KeyTray inside your desktop session, or start one with \`dbus-run-session\` and a Secret Service such as gnome-keyring or KWallet. ${fallback}`,
        },
      );
    }
  }
  return new KeyTrayError('keychain-unavailable', `The keychain refused the request (${detail}).`, {
    cause: error,
    fix: `Check that the ${keychainName(platform)} is unlocked and allows KeyTray to use it. ${fallback}`,
  });
}
