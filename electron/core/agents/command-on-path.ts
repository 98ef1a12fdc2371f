/** Whether a command is installed: an executable file of that name in one of the PATH's folders. */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Situation } from './situation';

export async function commandOnPath(command: string, situation: Situation): Promise<boolean> {
  const folders = (situation.env.PATH ?? '').split(delimiter).filter(Boolean);
  const names = situation.platform === 'win32' ? [`${command}.cmd`, `${command}.exe`, command] : [command];
  for (const folder of folders) {
    for (const name of names) {
      try {
        await access(join(folder, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}
