/**
 * The `apiKeyHelper` command KeyTray writes into Claude Code's settings, and
 * how to recognise it again when reading settings back. Pure.
 */
import type { Platform } from './claude-scopes';
import { isProviderId, type ProviderId } from './providers';

export interface HelperBinding {
  provider: ProviderId;
  /** A named key; absent means the provider's active key. */
  label?: string;
}

export const HELPER_SCRIPT_NAME = 'claude-key-helper';

/** The argument that makes the helper print the proxy token instead of a key (proxy mode). */
export const PROXY_TOKEN_ARG = '--proxy-token';

/** What a helper command prints: a key (by binding), or the proxy token (null). */
export type HelperTarget = HelperBinding | null;

/** `/bin/sh` reads the command on macOS and Linux, `cmd` on Windows. */
export function helperCommand(scriptPath: string, target: HelperTarget, platform: Platform): string {
  const args = target === null ? PROXY_TOKEN_ARG : target.label ? `${target.provider} ${target.label}` : target.provider;
  return `${quoteForShell(scriptPath, platform)} ${args}`;
}

/** What a command asks KeyTray's helper for, and the script it runs; null when it is not KeyTray's helper. */
export function parseHelperCommand(command: string): { script: string; target: HelperTarget } | null {
  const match = /^(?:'([^']*)'|"([^"]*)")\s+([a-z-]+)(?:\s+([A-Za-z0-9._-]+))?\s*$/.exec(command.trim());
  if (!match) return null;
  const script = match[1] ?? match[2] ?? '';
  if (!script.replace(/\.cmd$/, '').endsWith(HELPER_SCRIPT_NAME)) return null;
  const first = match[3] ?? '';
  if (first === PROXY_TOKEN_ARG && !match[4]) return { script, target: null };
  if (!isProviderId(first)) return null;
  return { script, target: match[4] ? { provider: first, label: match[4] } : { provider: first } };
}

export function quoteForShell(value: string, platform: Platform): string {
  if (platform === 'win32') return `"${value.replace(/"/g, '""')}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
