/**
 * On a terminal, `keys add` asks for the key with echo off, and `configure`
 * shows its diff and asks before it writes. A real pseudo-terminal
 * (Python's pty module) stands in for the user.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv, secretToolLookup } from '../support/test-env';

const exec = promisify(execFile);

// Runs the command on a pty, types the key once the prompt appears, and
// prints everything the terminal showed.
const PTY_DRIVER = `
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""
while os.environ["WAIT_FOR"].encode() not in seen:
    seen += os.read(fd, 1024)
os.write(fd, os.environ["ANSWER"].encode() + b"\\r")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode())
sys.exit(os.waitstatus_to_exitcode(status))
`;

describe('hidden prompt', () => {
  it('stores what was typed and never echoes it', async () => {
    const t = makeTestEnv();
    const key = fakeAnthropicKey();
    const { stdout } = await exec(
      'python3',
      ['-c', PTY_DRIVER, process.execPath, BIN, 'keys', 'add', 'anthropic', '--label', 'typed'],
      {
        env: { ...t.env, WAIT_FOR: '(input hidden)', ANSWER: key },
        timeout: 20_000,
      },
    );
    expect(stdout).toContain('Anthropic key for "typed" (input hidden): ');
    expect(stdout).toContain(`Stored anthropic/typed (sk-ant-…${key.slice(-4)}), active.`);
    expect(stdout).not.toContain(key.slice(0, 20));
    expect(await secretToolLookup(t.service, 'anthropic/typed')).toBe(key);
  });
});

describe('configure on a terminal', () => {
  const onPty = (env: NodeJS.ProcessEnv, answer: string, ...args: string[]) =>
    exec('python3', ['-c', PTY_DRIVER, process.execPath, BIN, 'configure', 'claude-code', ...args], {
      env: { ...env, WAIT_FOR: '[y/N]', ANSWER: answer },
      timeout: 20_000,
    });

  it('shows the diff and writes nothing without a yes', async () => {
    const t = makeTestEnv();
    const added = await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env: t.env, input: fakeAnthropicKey() });
    expect(added.code).toBe(0);
    const settings = join(t.root, '.claude', 'settings.json');
    mkdirSync(join(t.root, '.claude'));
    writeFileSync(settings, '{ "model": "opus" }\n');

    const declined = await onPty(t.env, 'n');
    expect(declined.stdout).toContain(`Would change ${settings} (user settings):`);
    expect(declined.stdout).toContain('+{ "model": "opus", "apiKeyHelper": ');
    expect(declined.stdout).toContain('Write these changes? [y/N] ');
    expect(declined.stdout).toContain('Nothing was written.');
    expect(readFileSync(settings, 'utf8')).toBe('{ "model": "opus" }\n');

    const accepted = await onPty(t.env, 'y');
    expect(accepted.stdout).toContain('Written. Undo with `keytray configure claude-code --scope user --undo`.');
    expect(JSON.parse(readFileSync(settings, 'utf8')).apiKeyHelper).toMatch(/claude-key-helper' anthropic$/);
  });
});
