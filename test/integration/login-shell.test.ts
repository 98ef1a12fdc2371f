/**
 * The environment a terminal would give Claude Code, read from a real login
 * shell with a real startup file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginShellEnvironment, parseEnv } from '../../electron/core/env/login-shell';
import { makeTestEnv } from '../support/test-env';

describe('login shell environment', () => {
  it('sees what ~/.bashrc exports, which the process environment does not', async () => {
    const t = makeTestEnv();
    writeFileSync(
      join(t.root, '.bashrc'),
      'echo "noise on stdout from bashrc"\nexport ANTHROPIC_API_KEY=sk-ant-api03-from-bashrc-1234\n',
    );
    writeFileSync(join(t.root, '.bash_profile'), '. ~/.bashrc\n');
    const { env, problem } = await loginShellEnvironment({
      shell: '/bin/bash',
      home: t.root,
      baseEnv: { HOME: t.root, PATH: '/usr/bin:/bin' },
    });
    expect(problem).toBeUndefined();
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-api03-from-bashrc-1234');
    expect(env.HOME).toBe(t.root);
    expect(env.KEYTRAY_RESOLVING_SHELL_ENV).toBeUndefined();
  });

  it('falls back to the process environment, and says why, when the shell hangs', async () => {
    const t = makeTestEnv();
    writeFileSync(join(t.root, '.bash_profile'), 'sleep 30\n');
    const { env, problem } = await loginShellEnvironment({
      shell: '/bin/bash',
      home: t.root,
      timeoutMs: 300,
      baseEnv: { HOME: t.root, MARK: 'process' },
    });
    expect(problem).toMatch(/did not answer within 0.3 s/);
    expect(env.MARK).toBe('process');
  });

  it('parses only what follows the marker', () => {
    expect(parseEnv('junk\0__KEYTRAY_ENV__\0A=1\0B=x=y\0')).toEqual({ A: '1', B: 'x=y' });
    expect(parseEnv('no marker here')).toBeNull();
  });
});
