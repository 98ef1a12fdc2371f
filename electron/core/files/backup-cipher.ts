/**
 * Backups of other tools' files that held a credential (a Codex auth.json
 * before its key moved into the keychain, a settings file with an exported
 * key) are not left on disk in plaintext: they are sealed with AES-256-GCM
 * under a key that lives in the keychain, so undo can still put the bytes
 * back exactly while the disk holds nothing usable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Marks a sealed backup file, and its format. */
const MAGIC = 'keytray-sealed-backup 1\n';

export interface BackupKeys {
  backupKey(): Promise<Buffer>;
}

export async function seal(text: string, keys: BackupKeys): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', await keys.backupKey(), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${MAGIC}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}\n`;
}

export function isSealed(text: string): boolean {
  return text.startsWith(MAGIC);
}

export async function unseal(text: string, keys: BackupKeys): Promise<string> {
  const raw = Buffer.from(text.slice(MAGIC.length).trim(), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', await keys.backupKey(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
