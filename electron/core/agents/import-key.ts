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
  const stored = await keepInKeychain(deps.vault, provider, label, secret, plan.path);
  await deps.writer.apply(plan);
  return { key: { provider, label: stored }, path: plan.path, diff: plan.diff };
}

/**
 * Stores the key under `label` (or finds it already held, by fingerprint),
 * then reads it back from the keychain and compares: only a key that passes
 * may be taken out of `place`. Returns the label it is held under.
 */
export async function keepInKeychain(
  vault: Vault,
  provider: ProviderId,
  label: string,
  secret: string,
  place: string,
): Promise<string> {
  const meta = await vault.readMetadata();
  const print = fingerprint(secret);
  const held = meta.providers[provider]?.keys.find((k) => k.fingerprint === print);
  const stored = held?.label ?? (await vault.add(provider, label, secret)).key.label;
  const readBack = await vault.secret(provider, stored);
  if (readBack.secret !== secret) {
    throw new KeyTrayError(
      'inconsistent',
      `The keychain did not give back the key stored as ${provider}/${stored}; ${place} was left as it was.`,
      {
        fix: 'Run `keytray doctor`, then try again.',
      },
    );
  }
  return stored;
}
