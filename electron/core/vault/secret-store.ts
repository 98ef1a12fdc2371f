/**
 * Where secrets live. Two stores behind one interface: the OS keychain (the
 * default, and the only one KeyTray ever picks by itself) and a plaintext file
 * the user must choose explicitly. Accounts are `<provider>/<label>`.
 */
import type { StoreKind } from '../../../shared/metadata';

export interface SecretStore {
  readonly kind: StoreKind;
  /** Says where the secrets are, in words a user understands. */
  readonly description: string;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when something was deleted, false when there was nothing. */
  delete(account: string): Promise<boolean>;
  /** Every account this store holds for KeyTray, with its secret. */
  entries(): Promise<Map<string, string>>;
}

export function accountFor(provider: string, label: string): string {
  return `${provider}/${label}`;
}
