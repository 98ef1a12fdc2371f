/**
 * On a terminal, `keys add` asks for the key with echo off. A real
 * pseudo-terminal (Python's pty module) stands in for the user.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli';
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
while b"(input hidden)" not in seen:
    seen += os.read(fd, 1024)
os.write(fd, os.environ["KEY"].encode() + b"\\r")
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
        env: { ...t.env, KEY: key },
        timeout: 20_000,
      },
    );
    expect(stdout).toContain('Anthropic key for "typed" (input hidden): ');
    expect(stdout).toContain(`Stored anthropic/typed (sk-ant-…${key.slice(-4)}), active.`);
    expect(stdout).not.toContain(key.slice(0, 20));
    expect(await secretToolLookup(t.service, 'anthropic/typed')).toBe(key);
  });
});
