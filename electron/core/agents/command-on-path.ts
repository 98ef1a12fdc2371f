/** Whether a command is installed: an executable file of that name in one of the PATH's folders. */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Situation } from './situation';

export async function commandOnPath(command: string, situation: Pick<Situation, 'env' | 'platform'>): Promise<boolean> {
  return (await commandPath(command, situation)) !== null;
}

/** The command's file: the first executable of that name along the PATH, or null. */
export async function commandPath(command: string, situation: Pick<Situation, 'env' | 'platform'>): Promise<string | null> {
  const folders = (situation.env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = situation.platform === 'win32' ? [`${command}.cmd`, `${command}.exe`, command] : [command];
  for (const folder of folders) {
    for (const name of names) {
      const path = join(folder, name);
      try {
        await access(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return null;
}
