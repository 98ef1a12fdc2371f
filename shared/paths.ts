/**
 * Paths as the platform writes them, for pure code that has no node:path.
 */

/** `process.platform` values, without depending on Node's types. */
export type Platform = string;

/** Joins path parts with the platform's separator. */
export function joinPath(platform: Platform, ...parts: string[]): string {
  const sep = platform === 'win32' ? '\\' : '/';
  return parts.map((part, i) => (i === 0 ? part.replace(/[\\/]+$/, '') : part.replace(/^[\\/]+|[\\/]+$/g, ''))).join(sep);
}

/** The path with the home directory shortened to `~`. */
export function tildePath(path: string, home: string): string {
  return home && path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}
