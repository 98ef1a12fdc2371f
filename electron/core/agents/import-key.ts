/**
 * Moving a plaintext key out of an agent's own file into the keychain, the
 * one way for every agent: store it (unless KeyTray holds it already, by
 * fingerprint), read it back from the keychain, and only then write the
 * file without it, through the writer (a sealed backup, undo).
 */
import { KeyTrayError } from '../../../shared/errors';
import type { ProviderId } from '../../../shared/providers';
import type { SettingsPlan, SettingsWriter } from '../files/settings-writer';
import { fingerprint, type Vault } from '../vault/vault';

export interface ImportedKey {
  key: { provider: ProviderId; label: string };
  path: string;
  diff: string;
}

export async function moveKeyIntoKeychain(
  deps: { vault: Vault; writer: SettingsWriter },
  provider: ProviderId,
  label: string,
  secret: string,
  plan: SettingsPlan,
): Promise<ImportedKey> {
  const meta = await deps.vault.readMetadata();
  const print = fingerprint(secret);
  const held = meta.providers[provider]?.keys.find((k) => k.fingerprint === print);
  const stored = held?.label ?? (await deps.vault.add(provider, label, secret)).key.label;
  const readBack = await deps.vault.secret(provider, stored);
  if (readBack.secret !== secret) {
    throw new KeyTrayError(
      'inconsistent',
      `The keychain did not give back the key stored as ${provider}/${stored}; ${plan.path} was left as it was.`,
      {
        fix: 'Run `keytray doctor`, then try again.',
      },
    );
  }
  await deps.writer.apply(plan);
  return { key: { provider, label: stored }, path: plan.path, diff: plan.diff };
}
