/**
 * Where KeyTray's helper script lives must be KeyTray's alone: whoever can
 * replace the script decides what every agent runs for its key. The script
 * and its folder must belong to the user, not be symbolic links, and not be
 * writable by anyone else. Writing repairs the modes of what is the user's
 * and refuses the rest; the picture names any of it.
 */
import type { Stats } from 'node:fs';
import { chmod, lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';

export interface PlaceProblem {
  problem: string;
  fix: string;
}

/** What is wrong with the script's place (folder first, then the script), or null. */
export async function helperPlaceProblem(script: string): Promise<PlaceProblem | null> {
  if (process.platform === 'win32') return null;
  for (const path of [dirname(script), script]) {
    const info = await lstat(path).catch(() => null);
    const problem = info && ownProblem(path, info);
    if (problem) return problem;
  }
  return null;
}

/**
 * Before the script is written: its folder's mode repaired to 0700 when the
 * folder is the user's own, a refusal when it is a link or another's.
 */
export async function secureHelperFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const info = await lstat(folder).catch(() => null);
  if (!info) return;
  const problem = ownProblem(folder, info, false);
  if (problem)
    throw new KeyTrayError('inconsistent', `KeyTray will not write its helper there: ${problem.problem}.`, { fix: problem.fix });
  if ((info.mode & 0o077) !== 0) await chmod(folder, 0o700);
}

function ownProblem(path: string, info: Stats, modes = true): PlaceProblem | null {
  const fix = `Remove ${path} and run \`keytray configure <agent>\` again: KeyTray writes it anew, mode 0700.`;
  if (info.isSymbolicLink()) return { problem: `${path} is a symbolic link`, fix };
  if (info.uid !== process.getuid?.()) return { problem: `${path} belongs to another user (uid ${info.uid})`, fix };
  if (modes && (info.mode & 0o022) !== 0) {
    return {
      problem: `${path} can be changed by other users (mode ${(info.mode & 0o777).toString(8)})`,
      fix: `Run \`chmod go-w ${path}\`, or \`keytray configure <agent>\` again: it repairs the mode.`,
    };
  }
  return null;
}
