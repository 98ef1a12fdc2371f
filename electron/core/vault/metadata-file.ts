/**
 * Reading and writing the metadata file (see shared/metadata.ts). Writes are
 * atomic, mode 0600, serialised across processes by a lock. Each write also
 * leaves a last-good copy beside the file. A file that cannot be read as
 * metadata is reported and left untouched until `keytray doctor --fix`
 * keeps it aside and restores the last-good copy.
 */

import { readFile, rename, stat } from 'node:fs/promises';
import { KeyTrayError } from '../../../shared/errors';
import { emptyMetadata, type Metadata, MetadataFormatError, parseMetadata } from '../../../shared/metadata';
import { knowCustomProviders } from '../../../shared/providers';
import { writeFileAtomic } from '../files/atomic-file';
import { withFileLock } from '../files/file-lock';
import { helperIndexPath, helperIndexText } from './helper-index';

/** Reads the metadata file, and makes its custom providers known to this process (shared/providers.ts). */
export async function readMetadata(path: string): Promise<Metadata> {
  const metadata = await readMetadataFile(path);
  knowCustomProviders(metadata.custom);
  return metadata;
}

async function readMetadataFile(path: string): Promise<Metadata> {
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

/** The metadata file is there and readable, but not metadata: `keytray doctor --fix` can restore the last good copy. */
export class DamagedMetadataError extends KeyTrayError {}

function parseMetadataText(text: string, path: string): Metadata {
  const untouched =
    'KeyTray left it untouched. Fix it by hand, or run `keytray doctor --fix`: it keeps the damaged file aside and restores the last good copy (active keys, base URLs, bindings, proxy port).';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DamagedMetadataError('inconsistent', `KeyTray's metadata file ${path} is not valid JSON (${jsonProblem(error)}).`, {
      cause: error,
      fix: untouched,
    });
  }
  try {
    return parseMetadata(json);
  } catch (error) {
    if (!(error instanceof MetadataFormatError)) throw error;
    throw new DamagedMetadataError('inconsistent', `KeyTray's metadata file ${path} is not usable: ${error.message}`, {
      cause: error,
      fix: untouched,
    });
  }
}

/** JSON.parse's complaint without the text it quotes (which could be anything the file holds). */
function jsonProblem(error: unknown): string {
  const message = (error as Error).message;
  const position = /position (\d+)/.exec(message);
  return position ? `a syntax error at character ${position[1]}` : 'a syntax error';
}

/** Where the copy of the last metadata KeyTray wrote is kept. */
export function lastGoodPath(path: string): string {
  return `${path}.last-good`;
}

export interface MetadataRestore {
  /** Where the damaged file was kept. */
  keptAt: string;
  /** What the metadata was rebuilt from: the last-good copy, or nothing (the keychain's entries are adopted after). */
  from: 'last-good' | 'nothing';
}

/**
 * When the metadata file cannot be read as metadata: keeps it aside (never
 * deleted) and puts the last-good copy in its place, or an empty file when
 * there is no usable copy. Returns null when the file is fine (or absent).
 */
export async function restoreDamagedMetadata(path: string, now: Date): Promise<MetadataRestore | null> {
  return withFileLock(path, async () => {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (text === null || parses(text)) return null;
    const copy = await readFile(lastGoodPath(path), 'utf8').catch(() => null);
    const good = copy !== null && parses(copy) ? copy : null;
    const keptAt = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, keptAt);
    await writeFileAtomic(path, good ?? serializeMetadata(emptyMetadata()), 0o600);
    return { keptAt, from: good === null ? 'nothing' : 'last-good' };
  });
}

function parses(text: string): boolean {
  try {
    parseMetadataText(text, '');
    return true;
  } catch {
    return false;
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
    knowCustomProviders(next.custom);
    const text = serializeMetadata(next);
    await writeFileAtomic(path, text, 0o600);
    await writeFileAtomic(lastGoodPath(path), text, 0o600);
    // After the metadata, so that the helper script can tell a stale index by its age.
    await writeFileAtomic(helperIndexPath(path), helperIndexText(next), 0o600);
    return result;
  });
}

/**
 * Writes the index when it is missing or older than the metadata (written by
 * a KeyTray from before the index, or restored by doctor), under the
 * metadata's lock so that it cannot describe anything but the file as it is.
 * A metadata file that cannot be read leaves it as it is: stale, so unused.
 */
export async function refreshHelperIndex(metadataPath: string): Promise<void> {
  await withFileLock(metadataPath, async () => {
    const [meta, index] = await Promise.all([
      stat(metadataPath).catch(() => null),
      stat(helperIndexPath(metadataPath)).catch(() => null),
    ]);
    if (meta === null || (index !== null && index.mtimeMs > meta.mtimeMs)) return;
    const metadata = await readMetadata(metadataPath).catch(() => null);
    if (metadata) await writeFileAtomic(helperIndexPath(metadataPath), helperIndexText(metadata), 0o600);
  });
}
