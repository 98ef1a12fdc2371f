/**
 * The environment a terminal would give Claude Code: a tray app started by
 * the desktop does not inherit what ~/.zshrc exports, so KeyTray asks the
 * user's login shell once, the way VS Code resolves its shell environment.
 */
import { spawn } from 'node:child_process';

const MARKER = '__KEYTRAY_ENV__';

export interface ShellEnvironment {
  env: Record<string, string>;
  /** Set when the shell could not be asked and the process environment stands in. */
  problem?: string;
}

export function loginShellEnvironment(options: {
  shell?: string;
  home: string;
  timeoutMs?: number;
  baseEnv?: NodeJS.ProcessEnv;
}): Promise<ShellEnvironment> {
  const base = stringsOnly(options.baseEnv ?? process.env);
  if (process.platform === 'win32') return Promise.resolve({ env: base });
  const shell = options.shell || base.SHELL || '/bin/sh';
  return new Promise((resolve) => {
    const child = spawn(shell, ['-l', '-i', '-c', `printf '%s\\0' '${MARKER}'; env -0`], {
      cwd: options.home,
      env: { ...base, KEYTRAY_RESOLVING_SHELL_ENV: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs ?? 5000);
    const fallback = (problem: string) => resolve({ env: base, problem });
    child.on('error', () => {
      clearTimeout(timer);
      fallback(`${shell} could not be started`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const env = parseEnv(Buffer.concat(chunks).toString('utf8'));
      if (env) resolve({ env });
      else
        fallback(
          code === null
            ? `${shell} did not answer within ${(options.timeoutMs ?? 5000) / 1000} s`
            : `${shell} exited with ${code}`,
        );
    });
  });
}

/** Pure: the variables after the marker in `env -0` output; null when the marker never came. */
export function parseEnv(output: string): Record<string, string> | null {
  const start = output.indexOf(`${MARKER}\0`);
  if (start < 0) return null;
  const env: Record<string, string> = {};
  for (const entry of output.slice(start + MARKER.length + 1).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  delete env.KEYTRAY_RESOLVING_SHELL_ENV;
  return env;
}

function stringsOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
