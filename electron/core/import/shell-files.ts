/**
 * Plaintext keys in shell startup files and the files they source. Bounded:
 * the startup files KeyTray knows (env/shell-exports.ts), then what they
 * source, only under the home folder, a few levels deep and a few dozen files
 * at most. Moving a key replaces its line with a marker comment, checked with
 * the shell itself (`-n`: read, never run) so the file still parses.
 */
import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';
import type { Metadata } from '../../../shared/metadata';
import type { Situation } from '../agents/situation';
import { STARTUP_FILES } from '../env/shell-exports';
import { FORMATS } from '../files/formats';
import { type SettingsPlan, settingsDiff } from '../files/settings-writer';
import { type Found, found } from './found';
import { dialectOf, type ShellDialect, shellAssignments, sourcedPaths, withoutAssignments } from './shell-text';

const MAX_FILES = 40;
const MAX_DEPTH = 3;
const MAX_BYTES = 1024 * 1024;

/** What zsh reads from $ZDOTDIR. */
const ZSH_FILES = ['.zshenv', '.zprofile', '.zshrc', '.zlogin'];

export async function findShellKeys(situation: Situation, meta: Metadata): Promise<Found[]> {
  const home = situation.home;
  // Without a home folder there is no startup file to read, and no bound to keep to.
  if (!isAbsolute(home)) return [];
  const seen = new Set<string>();
  const keys: Found[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    if (seen.size >= MAX_FILES || depth > MAX_DEPTH) return;
    const real = await realpath(path).catch(() => null);
    if (!real || seen.has(real)) return;
    const info = await stat(real).catch(() => null);
    if (!info?.isFile() || info.size > MAX_BYTES) return;
    seen.add(real);
    const text = await readFile(real, 'utf8').catch(() => null);
    if (text === null) return;
    const dialect = dialectOf(path);
    for (const assignment of shellAssignments(text, dialect)) {
      keys.push(
        found(
          meta,
          {
            kind: 'shell',
            path,
            line: assignment.line,
            variable: assignment.name,
            action: 'Comments out the line, leaving a marker that says where the key went.',
          },
          assignment.value,
          basename(path),
        ),
      );
    }
    for (const sourced of sourcedPaths(text, dialect)) {
      const resolved = resolveSourced(sourced, home);
      if (resolved) await visit(resolved, depth + 1);
    }
  };
  for (const relativePath of STARTUP_FILES) await visit(join(home, relativePath), 0);
  // zsh reads its own files from $ZDOTDIR when it is set (often ~/.config/zsh).
  const zdotdir = situation.env.ZDOTDIR ? resolveSourced(situation.env.ZDOTDIR, home) : null;
  if (zdotdir) for (const name of ZSH_FILES) await visit(join(zdotdir, name), 0);
  return keys;
}

/** `~/x`, `$HOME/x`, `${HOME}/x`, an absolute path or one relative to home (where a login shell starts); only under home. */
function resolveSourced(written: string, home: string): string | null {
  const expanded = written.replace(/^(~|\$HOME|\$\{HOME\})(?=\/)/, home);
  if (/[$`*?]/.test(expanded)) return null;
  const path = isAbsolute(expanded) ? expanded : join(home, expanded);
  const inside = relative(home, path);
  return inside.startsWith('..') || isAbsolute(inside) ? null : path;
}

/**
 * The plan that takes every chosen line out of one shell file, each replaced by its marker.
 * Comments alone first; where the shell then cannot read the file but could before (an
 * assignment alone in an `if` block), the no-op form.
 */
export async function planShellFile(
  path: string,
  lines: { line: number; marker: string; value: string }[],
): Promise<SettingsPlan> {
  const before = await readFile(path, 'utf8');
  const dialect = dialectOf(path);
  for (const { line, value } of lines) {
    // The file changed since the scan: refuse rather than comment out another line.
    const still = shellAssignments(before, dialect).find((a) => a.line === line);
    if (still?.value !== value) {
      throw new KeyTrayError('inconsistent', `Line ${line} of ${path} changed since it was read; the file was left as it was.`, {
        fix: 'Run `keytray import` again to see it as it is now.',
      });
    }
  }
  let after = withoutAssignments(before, lines, dialect);
  const shell = await checkingShell(path, dialect);
  if (shell && (await parses(shell, before)) && !(await parses(shell, after))) {
    after = withoutAssignments(before, lines, dialect, true);
  }
  return { path, format: FORMATS.shell, before, after, diff: settingsDiff(path, before, after, FORMATS.shell) };
}

/** The shell that checks this file, when one is installed: zsh for zsh's files, else bash (what both shells share). */
async function checkingShell(path: string, dialect: ShellDialect): Promise<string | null> {
  if (dialect !== 'sh') return null;
  const names = /zsh|zprofile|zlogin/.test(basename(path)) ? ['zsh', 'bash'] : ['bash'];
  for (const name of names) {
    for (const dir of ['/bin', '/usr/bin', '/usr/local/bin']) {
      const candidate = join(dir, name);
      const isFile = await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      );
      if (isFile) return candidate;
    }
  }
  return null;
}

/** Whether `shell -n` reads the text without a syntax error (it reads; it runs nothing). */
function parses(shell: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = execFile(shell, ['-n'], { timeout: 10_000 }, (error) => resolve(error === null));
    child.stdin?.end(text);
  });
}
