/**
 * The `apiKeyHelper` command KeyTray writes into Claude Code's settings, and
 * how to recognise it again when reading settings back. Pure.
 */
import type { DeliveryMode } from './agents/catalog';
import type { Platform } from './paths';
import { isProviderIdShape, type ProviderId } from './providers';

export interface HelperBinding {
  provider: ProviderId;
  /** A named key; absent means the provider's active key. */
  label?: string;
}

export const HELPER_SCRIPT_NAME = 'claude-key-helper';

/** The argument that makes the helper print a proxy token instead of a key (proxy mode). */
export const PROXY_TOKEN_ARG = '--proxy-token';

/**
 * What a helper command prints: a key (the provider's active one, or a named
 * one), or a proxy token: the install's own (the proxy sends each provider's
 * active key), or one derived for a named key (the proxy sends that key).
 */
export type HelperTarget = ({ kind: 'key' } & HelperBinding) | { kind: 'proxy-token'; binding?: Required<HelperBinding> };

/**
 * What an agent's helper prints in a mode: in proxy mode a proxy token (a
 * named key's own when a label was asked for, `keyLabel` being that key's
 * stored label), else the key (the provider's active one, or the named one).
 */
export function helperTargetFor(
  mode: DeliveryMode,
  provider: ProviderId,
  label: string | undefined,
  keyLabel: string,
): HelperTarget {
  return mode === 'proxy'
    ? { kind: 'proxy-token', ...(label ? { binding: { provider, label: keyLabel } } : {}) }
    : { kind: 'key', provider, ...(label ? { label } : {}) };
}

/** `/bin/sh` reads the command on macOS and Linux, `cmd` on Windows. */
export function helperCommand(scriptPath: string, target: HelperTarget, platform: Platform): string {
  return `${quoteForShell(scriptPath, platform)} ${helperArgs(target).join(' ')}`;
}

const LABEL = /^[A-Za-z0-9._-]+$/;

/**
 * What a command asks KeyTray's helper for, and the script it runs; null when
 * it is not KeyTray's helper. Only exactly what helperCommand writes counts:
 * a newline, a second command or any other byte makes it someone else's
 * (the shell would run more than the helper).
 */
export function parseHelperCommand(command: string): { script: string; target: HelperTarget } | null {
  // The script as quoteForShell wrote it: sh words ('…' joined by \') or a cmd word ("…" with "" for ").
  const match = /^(?:((?:'[^'\n\r]*'|\\')+)|"((?:[^"\n\r]|"")*)")((?: [^\s]+){1,3})$/.exec(command);
  if (!match) return null;
  const sh = match[1] !== undefined;
  const script = sh
    ? (match[1] as string).replace(/'([^']*)'|\\'/g, (_, quoted: string | undefined) => quoted ?? "'")
    : (match[2] ?? '').replace(/""/g, '"');
  if (!isHelperScript(script)) return null;
  const target = parseHelperArgs((match[3] ?? '').slice(1).split(' '));
  if (!target || helperCommand(script, target, sh ? 'linux' : 'win32') !== command) return null;
  return { script, target };
}

/** Whether a script path is KeyTray's helper (a `.cmd` on Windows). */
export function isHelperScript(path: string): boolean {
  return path.replace(/\.cmd$/, '').endsWith(HELPER_SCRIPT_NAME);
}

/** What the helper's arguments ask for; null when they are not the helper's. */
export function parseHelperArgs(args: readonly string[]): HelperTarget | null {
  const proxy = args[0] === PROXY_TOKEN_ARG;
  const [provider, label, ...extra] = proxy ? args.slice(1) : args;
  if (extra.length > 0 || (label !== undefined && !LABEL.test(label))) return null;
  if (proxy) {
    if (provider === undefined) return { kind: 'proxy-token' };
    if (!isProviderIdShape(provider) || label === undefined) return null;
    return { kind: 'proxy-token', binding: { provider, label } };
  }
  if (provider === undefined || !isProviderIdShape(provider)) return null;
  return { kind: 'key', provider, ...(label ? { label } : {}) };
}

/** The helper's arguments for a target (the inverse of parseHelperArgs). */
export function helperArgs(target: HelperTarget): string[] {
  const binding = target.kind === 'key' ? target : target.binding;
  return [
    ...(target.kind === 'proxy-token' ? [PROXY_TOKEN_ARG] : []),
    ...(binding ? [binding.provider, ...(binding.label ? [binding.label] : [])] : []),
  ];
}

export function quoteForShell(value: string, platform: Platform): string {
  if (platform === 'win32') return `"${value.replace(/"/g, '""')}"`;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
