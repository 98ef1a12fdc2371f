/**
 * Claude Code's settings file under a writer that dies: `keytray configure`
 * killed with SIGKILL at random moments leaves the file either as it was or
 * as it is meant to be, never partial; two configurations at once serialise.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const KILLS = Number(process.env.RELIABILITY_KILLS ?? 40);

describe('a writer killed at random points', () => {
  it(`never leaves a partial settings file (${KILLS} kills)`, async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: fakeAnthropicKey() });
    mkdirSync(join(t.root, '.claude'));
    const path = join(t.root, '.claude', 'settings.json');
    const original = `{\n  "model": "opus",\n  "permissions": { "allow": [${Array.from({ length: 400 }, (_, i) => `"Bash(tool${i}:*)"`).join(', ')}] }\n}\n`;
    writeFileSync(path, original);
    // Every version a complete run can produce: helper and proxy mode, and helper mode after proxy mode.
    const versions = new Set([original]);
    for (const mode of ['helper', 'proxy', 'helper', 'proxy']) {
      expect((await runCli(['configure', 'claude-code', '--mode', mode], { env: t.env })).code).toBe(0);
      versions.add(readFileSync(path, 'utf8'));
    }
    expect(versions.size).toBe(4);
    let killedMidway = 0;

    for (let i = 0; i < KILLS; i++) {
      const child = spawn(process.execPath, [BIN, 'configure', 'claude-code', '--mode', i % 2 ? 'helper' : 'proxy'], {
        env: t.env,
        stdio: 'ignore',
      });
      const closed = new Promise((r) => child.once('close', r));
      await new Promise((r) => setTimeout(r, 40 + Math.random() * 160));
      const exited = child.exitCode !== null;
      child.kill('SIGKILL');
      await closed;
      if (!exited) killedMidway++;
      const now = readFileSync(path, 'utf8');
      expect(versions.has(now), `after kill ${i}, the settings file is neither the old nor a new version`).toBe(true);
      JSON.parse(readFileSync(join(t.root, '.local', 'share', 'keytray', 'backups', 'journal.json'), 'utf8'));
    }
    console.log(`settings writer: ${KILLS} SIGKILLs, ${killedMidway} before the process finished; file always whole`);
    expect(killedMidway).toBeGreaterThan(0);
  });

  it('two configurations at once serialise through the lock and both land', async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: fakeAnthropicKey() });
    const project = join(t.root, 'project');
    mkdirSync(project);
    const [user, local] = await Promise.all([
      runCli(['configure', 'claude-code', '--scope', 'user'], { env: t.env }),
      runCli(['configure', 'claude-code', '--scope', 'local', '--cwd', project], { env: t.env }),
    ]);
    expect(user.code, user.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    const journal = JSON.parse(readFileSync(join(t.root, '.local', 'share', 'keytray', 'backups', 'journal.json'), 'utf8'));
    expect(journal.entries).toHaveLength(2);
    const meta = JSON.parse(readFileSync(t.metadataPath, 'utf8'));
    expect(Object.keys(meta.bindings['claude-code'])).toHaveLength(2);
  });

  it('refuses a read-only settings folder with a clear error and changes nothing', async () => {
    const t = makeTestEnv();
    await runCli(['keys', 'add', 'anthropic', '--label', 'work'], { env: t.env, input: fakeAnthropicKey() });
    mkdirSync(join(t.root, '.claude'));
    writeFileSync(join(t.root, '.claude', 'settings.json'), '{}\n');
    const { chmodSync } = await import('node:fs');
    chmodSync(join(t.root, '.claude'), 0o500);
    try {
      const result = await runCli(['configure', 'claude-code'], { env: t.env });
      if (process.getuid?.() === 0) {
        // root writes anyway: nothing to refuse, and the write is still whole.
        expect(JSON.parse(readFileSync(join(t.root, '.claude', 'settings.json'), 'utf8')).apiKeyHelper).toBeDefined();
      } else {
        expect(result.code).not.toBe(0);
        expect(readFileSync(join(t.root, '.claude', 'settings.json'), 'utf8')).toBe('{}\n');
      }
    } finally {
      chmodSync(join(t.root, '.claude'), 0o700);
    }
  });
});

describe('a file changed between preview and write', () => {
  it('is refused, not overwritten', async () => {
    const { SettingsWriter, planSettingsChange } = await import('../../electron/core/files/settings-writer');
    const t = makeTestEnv();
    const path = join(t.root, 'settings.json');
    writeFileSync(path, '{ "a": 1 }\n');
    const plan = await planSettingsChange(path, [{ path: ['apiKeyHelper'], value: 'x' }]);
    writeFileSync(path, '{ "a": 2 }\n');
    await expect(new SettingsWriter(join(t.root, 'data')).apply(plan)).rejects.toMatchObject({
      code: 'inconsistent',
      message: `${path} changed since the preview; nothing was written.`,
    });
    expect(readFileSync(path, 'utf8')).toBe('{ "a": 2 }\n');
  });
});

describe('backups of files that hold a credential', () => {
  it('are sealed with a key from the keychain, and undo still restores the bytes exactly', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const { SettingsWriter, planSettingsChange } = await import('../../electron/core/files/settings-writer');
    const { FORMATS } = await import('../../electron/core/files/formats');
    const data = join(t.root, 'data');
    const writer = new SettingsWriter(data, vault);
    // The user's own key in a file KeyTray edits (no canary: KeyTray never holds it).
    const own = `sk-proj-UsersOwn${randomBytes(30).toString('base64url')}`;
    const path = join(t.root, 'auth.json');
    const original = `{\n  "auth_mode": "apikey",\n  "OPENAI_API_KEY": "${own}"\n}`;
    writeFileSync(path, original);
    await writer.apply(await planSettingsChange(path, [{ path: ['OPENAI_API_KEY'], value: null }], FORMATS.json));
    const backups = readdirSync(join(data, 'backups')).filter((f) => f !== 'journal.json');
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/\.sealed$/);
    const sealed = readFileSync(join(data, 'backups', backups[0] as string), 'utf8');
    expect(sealed).not.toContain(own);
    expect(sealed).not.toContain('OPENAI_API_KEY');
    await writer.undo(path, FORMATS.json);
    expect(readFileSync(path, 'utf8')).toBe(original);

    // A file with nothing secret keeps a plain backup, for a person to read.
    const plain = join(t.root, 'plain.json');
    writeFileSync(plain, '{ "model": "opus" }\n');
    await writer.apply(await planSettingsChange(plain, [{ path: ['x'], value: 1 }], FORMATS.json));
    expect(readdirSync(join(data, 'backups')).some((f) => f.endsWith('.bak'))).toBe(true);
  });
});
