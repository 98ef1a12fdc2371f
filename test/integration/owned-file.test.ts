/**
 * Files of KeyTray's own (OpenCode's plugin) through the one writer: created,
 * replaced and deleted whole, each write journalled, and undone byte for byte
 * (a deletion too), or refused when the file changed since.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planOwnedFile, SettingsWriter } from '../../electron/core/files/settings-writer';

const root = mkdtempSync(join(tmpdir(), 'kt-owned-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the writer, for a file of KeyTray's own", () => {
  it('creates, replaces, deletes, and undoes each step back', async () => {
    const writer = new SettingsWriter(join(root, 'data'));
    const path = join(root, 'plugins', 'keytray.js');
    const created = await planOwnedFile(path, 'one\n');
    expect(created.diff).toContain('+one');
    await writer.apply(created);
    await writer.apply(await planOwnedFile(path, 'two\n'));
    const deleting = await planOwnedFile(path, null);
    expect(deleting).toMatchObject({ deletes: true, before: 'two\n' });
    expect(deleting.diff).toContain('-two');
    await writer.apply(deleting);
    expect(() => readFileSync(path)).toThrow();
    // Deleting what is not there changes nothing.
    expect((await planOwnedFile(path, null)).diff).toBe('');

    await writer.undo(path);
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    await writer.undo(path);
    expect(readFileSync(path, 'utf8')).toBe('one\n');
    await writer.undo(path);
    expect(() => readFileSync(path)).toThrow();
    expect(await writer.canUndo(path)).toBe(false);
  });

  it('refuses to undo a deletion once a file is back in its place', async () => {
    const writer = new SettingsWriter(join(root, 'data2'));
    const path = join(root, 'p2', 'keytray.js');
    mkdirSync(join(root, 'p2'));
    writeFileSync(path, 'mine\n');
    await writer.apply(await planOwnedFile(path, null));
    writeFileSync(path, 'new\n');
    await expect(writer.undo(path)).rejects.toMatchObject({ code: 'changed-since' });
    expect(readFileSync(path, 'utf8')).toBe('new\n');
  });
});
