/**
 * The one place a secret is turned into something printable.
 *
 * A masked value keeps just enough of a known prefix to tell what kind of key
 * it is, and the last four characters to tell two keys apart. Nothing else of
 * the secret survives, and short secrets lose their tail too, because four
 * characters of a short secret are too large a share of it.
 */

/** Longest first: the first match wins. */
const KNOWN_PREFIXES = [
  'sk-ant-admin',
  'sk-ant-oat',
  'sk-ant-',
  'sk-or-v1-',
  'sk-proj-',
  'sk-svcacct-',
  'sk-',
  'bedrock-api-key-',
  'ABSK',
  'AKIA',
  'ASIA',
  'ktp_',
] as const;

const MIN_LENGTH_FOR_TAIL = 16;
const ELLIPSIS = '…';

export function maskSecret(secret: string): string {
  const prefix = KNOWN_PREFIXES.find((p) => secret.startsWith(p) && secret.length > p.length + 8) ?? '';
  if (secret.length < MIN_LENGTH_FOR_TAIL) return `${prefix}${ELLIPSIS}`;
  return `${prefix}${ELLIPSIS}${secret.slice(-4)}`;
}
