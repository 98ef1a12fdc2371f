/**
 * The situation an agent starts in: its working directory, its environment
 * (and where that came from), the user's home and the platform. Every
 * integration reads its config files and its picture from one.
 */
import type { Platform } from '../../../shared/paths';

export interface Situation {
  cwd: string;
  env: Record<string, string>;
  /** The process's own environment, or the login shell's (the app, started by the desktop, probes it). */
  envOrigin: 'env:process' | 'env:login-shell';
  home: string;
  platform: Platform;
}

export function processSituation(cwd: string = process.cwd()): Situation {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return { cwd, env, envOrigin: 'env:process', home: process.env.HOME || '', platform: process.platform };
}
