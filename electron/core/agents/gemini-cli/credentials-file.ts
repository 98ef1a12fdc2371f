/**
 * Gemini CLI's own key store when it finds no keychain:
 * `~/.gemini/gemini-credentials.json`, `ivHex:tagHex:cipherHex`, AES-256-GCM
 * under a key derived (scrypt) from constants, the host name and the user
 * name. Anyone who can read the file can derive the key, so it is plaintext
 * in all but name; KeyTray reads it to move the API key into the keychain,
 * and writes it back, in the same form, without that entry.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

/** Where Gemini CLI keeps its API key in that store. */
const SERVICE = 'gemini-cli-api-key';
const ACCOUNT = 'default-api-key';

export type GeminiCredentials = Record<string, Record<string, string>>;

function fileKey(): Buffer {
  return scryptSync('gemini-cli-oauth', `${hostname()}-${userInfo().username}-gemini-cli`, 32);
}

/** The store's entries, or null when the text is not one Gemini CLI wrote on this machine for this user. */
export function openCredentials(text: string): GeminiCredentials | null {
  const [iv, tag, body, ...rest] = text.trim().split(':');
  if (!iv || !tag || body === undefined || rest.length > 0) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', fileKey(), Buffer.from(iv, 'hex'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, 'hex'));
    const json = JSON.parse(decipher.update(body, 'hex', 'utf8') + decipher.final('utf8')) as unknown;
    return typeof json === 'object' && json !== null ? (json as GeminiCredentials) : null;
  } catch {
    return null;
  }
}

export function sealCredentials(entries: GeminiCredentials): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', fileKey(), iv, { authTagLength: 16 });
  const body = cipher.update(JSON.stringify(entries, null, 2), 'utf8', 'hex') + cipher.final('hex');
  return `${iv.toString('hex')}:${cipher.getAuthTag().toString('hex')}:${body}`;
}

/** The API key the store holds, if any. */
export function storedApiKey(entries: GeminiCredentials): string | null {
  const raw = entries[SERVICE]?.[ACCOUNT];
  if (!raw) return null;
  try {
    const token = (JSON.parse(raw) as { token?: { accessToken?: unknown } }).token?.accessToken;
    return typeof token === 'string' && token !== '' ? token : null;
  } catch {
    return null;
  }
}

/** The entries without the API key (Gemini's OAuth tokens for its MCP servers stay). */
export function withoutApiKey(entries: GeminiCredentials): GeminiCredentials {
  const { [SERVICE]: apiKeys, ...others } = entries;
  const { [ACCOUNT]: _removed, ...rest } = apiKeys ?? {};
  return Object.keys(rest).length > 0 ? { ...others, [SERVICE]: rest } : others;
}
