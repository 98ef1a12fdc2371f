/**
 * Refreshes the pictures when something they depend on changes: KeyTray's
 * metadata, shell startup files, and every file and folder an agent names
 * (its settings, its .env, its login). Returns what stops the watchers.
 */
import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';

export function watchForChanges(paths: string[], onChange: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  const debounced = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, 300);
  };
  const watchers: FSWatcher[] = [];
  // A file is watched through its folder: editors replace files, and a file made later appears there.
  const folders = new Set(paths.map((p) => (/\.[A-Za-z0-9]+$|\/\.env$/.test(p) ? dirname(p) : p)));
  for (const dir of folders) {
    try {
      watchers.push(watch(dir, { persistent: false }, debounced));
    } catch {
      // A folder that does not exist yet has nothing to watch.
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
