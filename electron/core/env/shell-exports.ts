/**
 * Finds credential variables set in shell startup files, so the auth picture
 * can say "exported from ~/.zshrc:12". Reads lines, never evaluates them, and
 * never keeps a value.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ShellExport {
  name: string;
  file: string;
  line: number;
}

export const STARTUP_FILES = [
  '.profile',
  '.bash_profile',
  '.bash_login',
  '.bashrc',
  '.zshenv',
  '.zprofile',
  '.zshrc',
  '.zlogin',
  '.config/fish/config.fish',
  '.cshrc',
  '.tcshrc',
];

export async function findShellExports(home: string, names: readonly string[]): Promise<ShellExport[]> {
  const found: ShellExport[] = [];
  for (const relative of STARTUP_FILES) {
    const file = join(home, relative);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    found.push(...scanStartupText(text, names).map(({ name, line }) => ({ name, file, line })));
  }
  return found;
}

/** Pure: the assignments to `names` in one file's text, with their line numbers. */
export function scanStartupText(text: string, names: readonly string[]): { name: string; line: number }[] {
  const alternatives = names.map((n) => n.replace(/[^A-Z0-9_]/gi, '')).join('|');
  const patterns = [
    // sh, bash, zsh: NAME=…, export NAME=…, export -x NAME=…, typeset -x NAME=…
    new RegExp(`^\\s*(?:(?:export|typeset|declare|local|readonly)(?:\\s+-\\w+)*\\s+)?(${alternatives})=`),
    // fish: set -gx NAME …
    new RegExp(`^\\s*set\\s+(?:-\\w+\\s+)*(${alternatives})\\s`),
    // csh: setenv NAME …
    new RegExp(`^\\s*setenv\\s+(${alternatives})\\s`),
  ];
  const found: { name: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    if (/^\s*#/.test(content)) return;
    for (const pattern of patterns) {
      const match = pattern.exec(content);
      if (match?.[1]) {
        found.push({ name: match[1], line: index + 1 });
        break;
      }
    }
  });
  return found;
}
