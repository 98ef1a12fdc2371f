/**
 * A cross-process lock for read-modify-write of one file: an exclusive
 * `<file>.keytray-lock` holding the owner's pid. A lock whose owner is dead is
 * taken over; a live one is waited for, up to a limit, then reported. The
 * suffix is KeyTray's own: other tools keep `<file>.lock` files of theirs
 * beside the files KeyTray edits (Codex leaves `auth.json.lock`).
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';

const RETRY_MS = 15;

export async function withFileLock<T>(path: string, work: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const lockPath = `${path}.keytray-lock`;
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await ownerIsGone(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new KeyTrayError('inconsistent', `Another KeyTray process has held ${lockPath} for over ${timeoutMs / 1000} s.`, {
          fix: 'Wait for it to finish; if no KeyTray is running, delete that lock file.',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function ownerIsGone(lockPath: string): Promise<boolean> {
  let pid: number;
  try {
    pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
  } catch {
    return false; // being created or just released: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
