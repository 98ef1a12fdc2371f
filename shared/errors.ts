/**
 * Errors a user sees. Each has a stable code (used in `--json` output, the
 * IPC envelope and the CLI's exit status) and a message that says what
 * happened and what to do. Messages never contain a secret.
 */

export const ERROR_CODES = {
  /** Bad arguments or input: unknown provider, bad label, empty key. */
  usage: 2,
  /** No such key, or the provider has no keys. */
  'not-found': 3,
  /** No usable keychain: no Secret Service, locked collection, no D-Bus. */
  'keychain-unavailable': 4,
  /** Metadata and keychain disagree, or a file is unreadable as it stands. */
  inconsistent: 5,
  /** A key with that label already exists. */
  exists: 6,
  /** Undo refused: the file changed after KeyTray wrote it (`--remove` takes out only KeyTray's entries). */
  'changed-since': 7,
  /** `keys test`: the upstream refused the key, or could not be reached. */
  'key-failed': 8,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES | 'internal';

export class KeyTrayError extends Error {
  readonly code: ErrorCode;
  /** What to do about it, when there is something to do. */
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { fix?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyTrayError';
    this.code = code;
    this.fix = options?.fix;
  }
}

export function exitCodeFor(code: ErrorCode): number {
  return code === 'internal' ? 1 : ERROR_CODES[code];
}
