/**
 * Refreshes the picture when something it depends on changes: KeyTray's
 * metadata, Claude Code's user settings, shell startup files.
 */
import { type FSWatcher, watch } from 'node:fs';
import { dirname, join } from 'node:path';

export function watchForChanges(paths: { home: string; metadataPath: string }, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  const debounced = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, 300);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of [dirname(paths.metadataPath), join(paths.home, '.claude'), paths.home]) {
    try {
      watchers.push(watch(dir, { persistent: false }, debounced));
    } catch {
      // A folder that does not exist yet has nothing to watch.
    }
  }
  return () => {
    for (const w of watchers) w.close();
  };
}
