/**
 * The situation an agent starts in: its working directory, its environment
 * (and where that came from), the user's home and the platform. Every
 * integration reads its config files and its picture from one.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Platform } from '../../../shared/paths';

export interface Situation {
  cwd: string;
  env: Record<string, string>;
  /** The process's own environment, or the login shell's (the app, started by the desktop, probes it). */
  envOrigin: 'env:process' | 'env:login-shell';
  home: string;
  platform: Platform;
  /** The git repository's top folder holding `cwd`: Claude Code reads local settings there. */
  projectRoot?: string;
}

export function processSituation(cwd: string = process.cwd()): Situation {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return {
    cwd,
    env,
    envOrigin: 'env:process',
    home: process.env.HOME || '',
    platform: process.platform,
    ...projectRootOf(cwd, env),
  };
}

/**
 * The git repository's top folder holding `cwd` (a `.git` folder, or the
 * file of a worktree or submodule), if any. Like git, it never goes up into
 * a folder named in GIT_CEILING_DIRECTORIES.
 */
export function projectRootOf(cwd: string, env: Record<string, string | undefined>): { projectRoot?: string } {
  const ceilings = new Set((env.GIT_CEILING_DIRECTORIES ?? '').split(':').filter((d) => d.startsWith('/')));
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return { projectRoot: dir };
    if (dirname(dir) === dir || ceilings.has(dirname(dir))) return {};
  }
}
