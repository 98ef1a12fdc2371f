/**
 * What every place's finder returns: a plaintext key as the user sees it
 * (shared/import/plaintext-key.ts), plus, for main only, the key itself and
 * a label to store it under. `publicKey` is the one way a finding leaves
 * main: without the secret.
 */
import { createHash } from 'node:crypto';
import { judgeProvider } from '../../../shared/import/judge-provider';
import type { PlaintextKey } from '../../../shared/import/plaintext-key';
import { maskSecret } from '../../../shared/mask';
import type { Metadata } from '../../../shared/metadata';
import { providerIds } from '../../../shared/providers';
import { fingerprint } from '../vault/vault';

export interface Found extends PlaintextKey {
  secret: string;
  /** The label `--apply` stores it under unless KeyTray holds it already. */
  label: string;
  /** The agent's own entry that holds it (claude-code-router's provider name, OpenClaw's provider id). */
  entry?: string;
  /** A store KeyTray only reads (another app's database): what the user does there once the key is stored. */
  storeOnly?: string;
}

export function publicKey(found: Found): PlaintextKey {
  const { secret: _secret, label: _label, entry: _entry, storeOnly: _storeOnly, ...shown } = found;
  return shown;
}

/** A finding from where it is, the value and the sentence saying what `--apply` does there. */
export function found(
  meta: Metadata,
  where: Omit<PlaintextKey, 'id' | 'provider' | 'masked' | 'held'>,
  secret: string,
  label: string,
  entry?: string,
  /** The provider the place itself names (an OpenCode auth.json entry, an OpenClaw provider). */
  named?: string,
): Found {
  const id = createHash('sha256')
    .update([where.kind, where.path, where.row ?? '', where.variable, String(where.line ?? ''), fingerprint(secret)].join('\0'))
    .digest('hex')
    .slice(0, 8);
  return {
    id,
    ...where,
    provider: judgeProvider(secret, { variable: where.variable.split('.').pop() ?? '', ...(named ? { provider: named } : {}) }),
    masked: maskSecret(secret),
    held: heldKey(meta, secret),
    secret,
    label: labelFrom(label),
    ...(entry !== undefined ? { entry } : {}),
  };
}

/** The key KeyTray holds with the same fingerprint, in any provider. */
export function heldKey(meta: Metadata, secret: string): PlaintextKey['held'] {
  const print = fingerprint(secret);
  for (const provider of providerIds()) {
    const key = meta.providers[provider]?.keys.find((k) => k.fingerprint === print);
    if (key) return { provider, label: key.label };
  }
  return null;
}

/** A label KeyTray accepts, from a file or provider name. */
function labelFrom(name: string): string {
  const cleaned = name
    .replace(/^\.+/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 48);
  return cleaned || 'imported';
}
