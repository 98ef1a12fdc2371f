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

/** `/bin/sh` reads the command on macOS and Linux, `cmd` on Windows. */
export function helperCommand(scriptPath: string, binding: HelperBinding, platform: Platform): string {
  const args = binding.label ? `${binding.provider} ${binding.label}` : binding.provider;
  return `${quoteForShell(scriptPath, platform)} ${args}`;
}

/** The binding a command asks for, and the script it runs, when it is KeyTray's helper; null otherwise. */
export function parseHelperCommand(command: string): (HelperBinding & { script: string }) | null {
  const match = /^(?:'([^']*)'|"([^"]*)")\s+([a-z-]+)(?:\s+([A-Za-z0-9._-]+))?\s*$/.exec(command.trim());
  if (!match) return null;
  const script = match[1] ?? match[2] ?? '';
  if (!script.replace(/\.cmd$/, '').endsWith(HELPER_SCRIPT_NAME)) return null;
  const provider = match[3] ?? '';
  if (!isProviderId(provider)) return null;
  return match[4] ? { provider, label: match[4], script } : { provider, script };
}

export function quoteForShell(value: string, platform: Platform): string {
  if (platform === 'win32') return `"${value.replace(/"/g, '""')}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
