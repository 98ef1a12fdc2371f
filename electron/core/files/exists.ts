import { access } from 'node:fs/promises';

/** Whether something is at the path (a missing file is not an error). */
export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
