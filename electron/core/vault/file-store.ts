/**
 * The plaintext secret store: one JSON file, mode 0600, next to the metadata.
 * Only ever used when the user chose it with `keytray store use file`; every
 * surface labels it as what it is.
 */
import { readFile } from 'node:fs/promises';
import { KeyTrayError } from '../../../shared/errors';
import { writeFileAtomic } from '../files/atomic-file';
import { withFileLock } from '../files/file-lock';
import type { SecretStore } from './secret-store';

const FORMAT_VERSION = 1;
const NOTICE = 'Plaintext API keys chosen with `keytray store use file`. Anyone who can read this file can use them.';

export function fileStore(path: string): SecretStore {
  const change = (edit: (secrets: Map<string, string>) => boolean) =>
    withFileLock(path, async () => {
      const secrets = await readSecrets(path);
      const changed = edit(secrets);
      if (changed) await writeSecrets(path, secrets);
      return changed;
    });
  return {
    kind: 'file',
    description: `plaintext file ${path} (mode 0600), not the keychain`,
    async get(account) {
      return (await readSecrets(path)).get(account) ?? null;
    },
    async set(account, secret) {
      await change((secrets) => {
        secrets.set(account, secret);
        return true;
      });
    },
    async delete(account) {
      return change((secrets) => secrets.delete(account));
    },
    entries: () => readSecrets(path),
  };
}

async function readSecrets(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new KeyTrayError('inconsistent', `KeyTray cannot read its key file ${path}.`, { cause: error });
  }
  const broken = () =>
    new KeyTrayError('inconsistent', `KeyTray's key file ${path} is damaged: it is not the JSON KeyTray wrote.`, {
      fix: 'KeyTray left it untouched. Restore it from a backup, or move it aside and add the keys again.',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message can quote the file, which holds secrets.
    throw broken();
  }
  const secrets = (parsed as { secrets?: unknown } | null)?.secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) throw broken();
  const map = new Map<string, string>();
  for (const [account, secret] of Object.entries(secrets)) {
    if (typeof secret !== 'string') throw broken();
    map.set(account, secret);
  }
  return map;
}

async function writeSecrets(path: string, secrets: Map<string, string>): Promise<void> {
  const body = { version: FORMAT_VERSION, notice: NOTICE, secrets: Object.fromEntries(secrets) };
  await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`, 0o600);
}
