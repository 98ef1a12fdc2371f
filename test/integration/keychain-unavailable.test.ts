/**
 * No usable keychain is a clear error with the fix, exit status 4, and
 * nothing written. Each case is a real broken setup: no bus, a bus without
 * a keyring, a locked keyring.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { BIN, runCli } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const exec = promisify(execFile);

async function shell(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('bash', ['-c', script], { env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('no usable keychain', () => {
  it('without a D-Bus session bus', async () => {
    const t = makeTestEnv();
    const env = { ...t.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${t.root}/no-bus` };
    const result = await runCli(['keys', 'add', 'anthropic', '--label', 'w'], { env, input: fakeAnthropicKey() });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^keytray: The keychain cannot be reached: there is no D-Bus session bus/);
    expect(result.stderr).toMatch(/dbus-run-session/);
    expect(result.stderr).toMatch(/keytray store use file/);
    expect(existsSync(t.metadataPath)).toBe(false);

    const helper = await runCli(['key', 'anthropic'], { env });
    expect(helper.stdout).toBe('');
  });

  it('with a bus but no unlocked keyring', async () => {
    const t = makeTestEnv();
    // A fresh bus of its own: gnome-keyring may be activated on it, but holds no unlocked collection.
    const result = await shell(
      `printf '%s' "$KEY" | dbus-run-session -- node ${BIN} keys add anthropic --label w 2>&1 >/dev/null | grep -v dbus-daemon; exit "\${PIPESTATUS[1]}"`,
      { ...t.env, KEY: fakeAnthropicKey() },
    );
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/keytray: The Secret Service keyring is not usable/);
    expect(existsSync(t.metadataPath)).toBe(false);
  });

  it('with a locked keyring: listing still shows what metadata knows', async () => {
    const t = makeTestEnv();
    const script = `
      printf '%s' "$KEY" | node ${BIN} keys add anthropic --label w >/dev/null
      dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
        org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
      node ${BIN} key anthropic; echo "key=$?"
      node ${BIN} keys list; echo "list=$?"`;
    // Its own private keyring session, so locking it disturbs no other test.
    const key = fakeAnthropicKey();
    const env = { ...t.env, KEYTRAY_PRIVATE_KEYRING: '', KEY: key };
    const result = await shell(`${resolve('scripts/with-keyring.sh')} bash -c '${script.replaceAll("'", "'\\''")}'`, env);
    expect(result.stdout).toMatch(/^key=4$/m);
    expect(result.stdout).toMatch(/^list=4$/m);
    // The mask as KeyTray makes it: a random key's tail may hold "-" or "_", which \w does not match.
    const row = result.stdout.split('\n').find((line) => line.startsWith('  * w  '));
    expect(row?.startsWith(`  * w  ${maskSecret(key)}  added `)).toBe(true);
    expect(row).toMatch(/ \[store unavailable\]$/);
    expect(result.stdout).toMatch(/unavailable: The Secret Service keyring is not usable: it is locked/);
    expect(result.stderr).toMatch(/keytray key: The Secret Service keyring is not usable/);
  });
});
