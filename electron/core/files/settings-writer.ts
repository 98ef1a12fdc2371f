/**
 * The one writer for other tools' files (JSON, TOML, dotenv). A change is planned
 * (with a diff to preview), then applied: under a lock, only if the file is
 * still what the plan saw, after a backup, atomically, keeping the file's
 * mode and following a symlink to the real file. Each write is journalled so
 * `undo` can put the previous bytes back exactly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { KeyTrayError } from '../../../shared/errors';
import type { Change, FileFormat } from '../../../shared/formats/file-format';
import { writeFileAtomic } from './atomic-file';
import { type BackupKeys, isSealed, seal, unseal } from './backup-cipher';
import { withFileLock } from './file-lock';
import { FORMATS } from './formats';

export interface SettingsPlan {
  path: string;
  format: FileFormat;
  /** The file's text when planned; null when it does not exist. */
  before: string | null;
  after: string;
  /** Unified diff with credential values masked. Empty when nothing changes. */
  diff: string;
  /** The file really written, when links (the file's or a folder's) make it another than `path`. */
  target?: string;
  /** The plan deletes the file (a file of KeyTray's own it takes away); `after` is then ''. */
  deletes?: true;
}

/** One write KeyTray can undo, as `keytray backups` shows it. */
export interface BackupView {
  id: string;
  /** The file written. */
  path: string;
  at: string;
  /** The earlier bytes; null when KeyTray created the file. */
  backup: string | null;
  /** The earlier bytes held a credential (the backup is sealed under a key in the keychain). */
  heldCredential: boolean;
}

interface JournalEntry {
  id: string;
  path: string;
  /** Backup of the previous bytes; null when the file did not exist. */
  backup: string | null;
  /** SHA-256 of what KeyTray wrote, to notice later edits; DELETED when KeyTray deleted the file. */
  written: string;
  at: string;
}

/** What the journal says of a file KeyTray deleted: undo needs it still absent. */
const DELETED = 'deleted';

export async function readSettingsFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new KeyTrayError('inconsistent', `Cannot read ${path} (${code ?? 'error'}).`, { cause: error });
  }
}

/** Throws a clear error naming the file and the position when the text does not parse in its format. */
export function assertValidSettings(path: string, text: string | null, format: FileFormat = FORMATS.json): void {
  if (text === null) return;
  const parsed = format.parse(text);
  if (!parsed.ok) {
    throw new KeyTrayError(
      'inconsistent',
      `${path} is not valid ${format.name}: ${parsed.problem} at line ${parsed.line}, column ${parsed.column}.`,
      {
        fix: 'KeyTray did not touch it. Fix the file (the tool that reads it cannot read it either), then try again.',
      },
    );
  }
}

export async function planSettingsChange(
  path: string,
  changes: Change[],
  format: FileFormat = FORMATS.json,
): Promise<SettingsPlan> {
  const before = await readSettingsFile(path);
  assertValidSettings(path, before, format);
  let after: string;
  try {
    after = format.edit(before ?? '', changes);
  } catch (error) {
    if (error instanceof KeyTrayError) throw error;
    throw new KeyTrayError('inconsistent', `KeyTray cannot change ${path}: ${(error as Error).message}.`, {
      cause: error,
      fix: 'KeyTray did not touch it. Rewrite that part of the file in the plain form, then try again.',
    });
  }
  const target = await realTarget(path);
  return { path, format, before, after, diff: settingsDiff(path, before, after, format), ...(target !== path ? { target } : {}) };
}

/**
 * A file of KeyTray's own, planned whole: `text` is what it will hold, null
 * deletes it. The writer backs it up, journals and undoes it like any other.
 */
export async function planOwnedFile(path: string, text: string | null): Promise<SettingsPlan> {
  const format = FORMATS.owned;
  const before = await readSettingsFile(path);
  const target = await realTarget(path);
  const common = { path, format, before, ...(target !== path ? { target } : {}) };
  if (text === null) {
    return before === null
      ? { ...common, after: '', diff: '' }
      : { ...common, after: '', deletes: true, diff: settingsDiff(path, before, null, format) };
  }
  return { ...common, after: text, diff: settingsDiff(path, before, text, format) };
}

/** Where a write to `path` lands once every link is followed: the file's, or its nearest existing folder's. */
export async function realTarget(path: string): Promise<string> {
  const real = await realpath(path).catch(() => null);
  if (real) return real;
  const parent = dirname(path);
  if (parent === path) return path;
  return join(await realTarget(parent), basename(path));
}

export function settingsDiff(
  path: string,
  before: string | null,
  after: string | null,
  format: FileFormat = FORMATS.json,
): string {
  if (before === after) return '';
  return createTwoFilesPatch(
    before === null ? '/dev/null' : path,
    after === null ? '/dev/null' : path,
    format.redact(before ?? ''),
    format.redact(after ?? ''),
    undefined,
    undefined,
    { context: 3 },
  )
    .split('\n')
    .slice(1) // the "Index:"/"====" header says nothing the file names don't
    .filter((line) => !/^={10,}$/.test(line))
    .join('\n');
}

export class SettingsWriter {
  private readonly journalPath: string;
  private readonly backupDir: string;

  /**
   * `keys` seals backups of files that hold a credential (see backup-cipher.ts). Without it (tests of
   * the writer alone) such a backup is kept in plaintext, mode 0600.
   */
  constructor(
    dataDir: string,
    private readonly keys?: BackupKeys,
  ) {
    this.backupDir = join(dataDir, 'backups');
    this.journalPath = join(this.backupDir, 'journal.json');
  }

  /** Writes the plan, refusing when the file changed since it was planned. */
  async apply(plan: SettingsPlan): Promise<void> {
    if (plan.deletes ? plan.before === null : plan.before === plan.after) return;
    const target = await resolveTarget(plan.path);
    await withFileLock(target, async () => {
      const current = await readSettingsFile(target);
      if (current !== plan.before) {
        throw new KeyTrayError('inconsistent', `${plan.path} changed since the preview; nothing was written.`, {
          fix: 'Run the command again to see the new diff.',
        });
      }
      const mode = current === null ? 0o644 : (await stat(target)).mode & 0o777;
      const backup = current === null ? null : await this.backup(current, plan.format);
      await this.record({
        id: randomBytes(8).toString('hex'),
        path: plan.path,
        backup,
        written: plan.deletes ? DELETED : sha256(plan.after),
        at: new Date().toISOString(),
      });
      if (plan.deletes) await rm(target);
      else await writeFileAtomic(target, plan.after, mode);
    });
  }

  /** Every write KeyTray can still undo, oldest first, with where its backup is and whether that held a credential. */
  async backups(): Promise<BackupView[]> {
    return (await this.journal()).map((e) => ({
      id: e.id,
      path: e.path,
      at: e.at,
      backup: e.backup,
      heldCredential: e.backup?.endsWith('.sealed') ?? false,
    }));
  }

  /**
   * Deletes backups (by id; every one that held a credential with `sealed`):
   * the file goes, and so does the undo it allowed. Returns what was deleted.
   */
  async deleteBackups(which: { ids?: string[]; sealed?: boolean }): Promise<BackupView[]> {
    return withFileLock(this.journalPath, async () => {
      const all = await this.backups();
      const chosen = all.filter((b) => which.ids?.includes(b.id) || (which.sealed && b.heldCredential));
      const unknown = (which.ids ?? []).filter((id) => !all.some((b) => b.id === id));
      if (unknown.length) {
        throw new KeyTrayError('not-found', `KeyTray has no backup ${unknown.join(', ')}.`, {
          fix: 'See them with `keytray backups`.',
        });
      }
      const gone = new Set(chosen.map((b) => b.id));
      await this.save((await this.journal()).filter((e) => !gone.has(e.id)));
      for (const b of chosen) if (b.backup) await rm(b.backup, { force: true });
      return chosen;
    });
  }

  /** Whether there is a KeyTray write of this file to undo. */
  async canUndo(path: string): Promise<boolean> {
    return (await this.journal()).some((e) => e.path === path);
  }

  /**
   * Restores the file as it was before KeyTray's last write to it, byte for
   * byte (or removes it when KeyTray created it). Refuses when the file was
   * edited since, rather than lose those edits.
   */
  /** `removeHint`: the command that takes out only KeyTray's entries, offered when undo must refuse. */
  async undo(path: string, format: FileFormat = FORMATS.json, removeHint?: string): Promise<SettingsPlan> {
    const target = await resolveTarget(path);
    return withFileLock(target, async () => {
      const entry = (await this.journal()).findLast((e) => e.path === path);
      if (!entry) {
        throw new KeyTrayError('not-found', `KeyTray has not changed ${path}, so there is nothing to undo.`);
      }
      const current = await readSettingsFile(target);
      const unchanged = entry.written === DELETED ? current === null : current !== null && sha256(current) === entry.written;
      if (!unchanged) {
        const kept = entry.backup
          ? `The earlier version is kept at ${entry.backup}${entry.backup.endsWith('.sealed') ? ' (sealed: it held a credential; its key is in the keychain)' : ''}.`
          : '';
        throw new KeyTrayError('changed-since', `${path} was changed after KeyTray wrote it; undo would lose those changes.`, {
          fix: [
            removeHint ? `\`${removeHint}\` takes out only what KeyTray put in, and keeps the rest.` : 'Edit the file by hand.',
            kept,
          ]
            .filter(Boolean)
            .join(' '),
        });
      }
      const previous = entry.backup === null ? null : await this.readBackup(entry.backup);
      if (previous === null) await rm(target, { force: true });
      else await writeFileAtomic(target, previous, current === null ? 0o644 : (await stat(target)).mode & 0o777);
      await withFileLock(this.journalPath, async () => {
        await this.save((await this.journal()).filter((e) => e.id !== entry.id));
      });
      if (entry.backup) await rm(entry.backup, { force: true });
      return { path, format, before: current, after: previous ?? '', diff: settingsDiff(path, current, previous, format) };
    });
  }

  /** Keeps the previous bytes; sealed when they hold a credential (what the format's redaction would mask). */
  private async backup(text: string, format: FileFormat): Promise<string> {
    await mkdir(this.backupDir, { recursive: true, mode: 0o700 });
    const sealed = this.keys !== undefined && format.redact(text) !== text;
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.${sealed ? 'sealed' : 'bak'}`;
    const file = join(this.backupDir, name);
    // 0600 either way: a file can hold something of the user's that KeyTray does not recognise as a key.
    await writeFile(file, sealed && this.keys ? await seal(text, this.keys) : text, { mode: 0o600, flag: 'wx' });
    return file;
  }

  private async readBackup(file: string): Promise<string> {
    const text = await readFile(file, 'utf8');
    if (!isSealed(text)) return text;
    if (!this.keys)
      throw new KeyTrayError('inconsistent', `${file} is sealed, and this KeyTray cannot reach the keychain to open it.`);
    try {
      return await unseal(text, this.keys);
    } catch (error) {
      throw new KeyTrayError(
        'inconsistent',
        `The sealed backup ${file} cannot be opened with the key in the keychain; nothing was changed.`,
        {
          cause: error,
          fix: 'Its key may have been deleted from the keychain; restore the file by hand.',
        },
      );
    }
  }

  private async journal(): Promise<JournalEntry[]> {
    const text = await readSettingsFile(this.journalPath);
    if (text === null) return [];
    try {
      const parsed = JSON.parse(text) as { entries?: JournalEntry[] };
      return Array.isArray(parsed.entries) ? parsed.entries : [];
    } catch (error) {
      throw new KeyTrayError('inconsistent', `KeyTray's undo journal ${this.journalPath} is damaged.`, {
        cause: error,
        fix: 'The backups beside it are intact; move the journal aside to start a new one.',
      });
    }
  }

  private async record(entry: JournalEntry): Promise<void> {
    await withFileLock(this.journalPath, async () => {
      await this.save([...(await this.journal()), entry]);
    });
  }

  private async save(entries: JournalEntry[]): Promise<void> {
    await writeFileAtomic(this.journalPath, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`, 0o600);
  }
}

/** A symlinked settings file (dotfile managers) is written through, not replaced. */
async function resolveTarget(path: string): Promise<string> {
  try {
    if ((await lstat(path)).isSymbolicLink()) return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
  }
  return path;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
