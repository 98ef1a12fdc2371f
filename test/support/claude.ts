/**
 * The real Claude Code CLI (the pinned npm package's native binary), run in a
 * throw-away home with nothing but the environment a test gives it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The native binary: found through its platform package, whether or not the wrapper's postinstall ran. */
export function claudeBinary(): string {
  const base = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  for (const pkg of [base, `${base}-musl`]) {
    let dir: string;
    try {
      dir = dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      continue;
    }
    const file = join(dir, process.platform === 'win32' ? 'claude.exe' : 'claude');
    if (existsSync(file)) return file;
  }
  throw new Error(`Claude Code's binary for ${process.platform}-${process.arch} is not installed: run npm ci.`);
}

export interface ClaudeResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables every run gets: a home, a PATH, the private keyring's bus, and no traffic beyond the fakes. */
export function baseClaudeEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'GIT_CEILING_DIRECTORIES']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

export function runClaude(
  args: string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs?: number },
): Promise<ClaudeResult> {
  return new Promise((resolve) => {
    const child = execFile(
      claudeBinary(),
      args,
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // `claude -p` waits for piped stdin to end before it starts.
    child.stdin?.end();
  });
}
