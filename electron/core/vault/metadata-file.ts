/**
 * Reading and writing the metadata file (see shared/metadata.ts). Writes are
 * atomic, mode 0600, serialised across processes by a lock. A file that
 * cannot be read as metadata is reported and left untouched.
 */
import { readFile } from 'node:fs/promises';
import { KeyTrayError } from '../../../shared/errors';
import { emptyMetadata, type Metadata, MetadataFormatError, parseMetadata } from '../../../shared/metadata';
import { writeFileAtomic } from '../files/atomic-file';
import { withFileLock } from '../files/file-lock';

export async function readMetadata(path: string): Promise<Metadata> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyMetadata();
    throw new KeyTrayError('inconsistent', `KeyTray cannot read its metadata file ${path}.`, {
      cause: error,
      fix: 'Check that the file and its folder belong to you and are readable.',
    });
  }
  return parseMetadataText(text, path);
}

function parseMetadataText(text: string, path: string): Metadata {
  const untouched = `KeyTray left it untouched. Fix it, or move it aside and run \`keytray doctor --fix\` to rebuild it from the keychain.`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyTrayError('inconsistent', `KeyTray's metadata file ${path} is not valid JSON (${(error as Error).message}).`, {
      cause: error,
      fix: untouched,
    });
  }
  try {
    return parseMetadata(json);
  } catch (error) {
    if (!(error instanceof MetadataFormatError)) throw error;
    throw new KeyTrayError('inconsistent', `KeyTray's metadata file ${path} is not usable: ${error.message}`, {
      cause: error,
      fix: untouched,
    });
  }
}

export function serializeMetadata(metadata: Metadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

/**
 * Read-modify-write under the lock. `change` gets the current metadata and
 * returns the new one plus a result; nothing is written when it throws.
 */
export async function updateMetadata<T>(
  path: string,
  change: (current: Metadata) => Promise<{ next: Metadata; result: T }> | { next: Metadata; result: T },
): Promise<T> {
  return withFileLock(path, async () => {
    const { next, result } = await change(await readMetadata(path));
    await writeFileAtomic(path, serializeMetadata(next), 0o600);
    return result;
  });
}
