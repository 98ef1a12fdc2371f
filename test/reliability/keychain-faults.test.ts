/**
 * Keychain faults in a private session of their own: the Secret Service
 * stopping mid-session and coming back. Clear errors, metadata intact,
 * recovery once the keychain is back.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN } from '../support/cli';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

const exec = promisify(execFile);

describe('the Secret Service stops mid-session', () => {
  it('gives a clear error, keeps the metadata, and works again once it is back', async () => {
    const t = makeTestEnv();
    const key = fakeAnthropicKey();
    // The daemon serving this bus only (never another session's), found through the bus itself.
    const script = `
      set -u
      secrets_pid() { dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '/uint32/ {print $2}'; }
      printf '%s' "$KEY" | node ${BIN} keys add anthropic --label work >/dev/null
      cp "$XDG_CONFIG_HOME/keytray/keytray.json" "$HOME/meta-before.json"
      kill "$(secrets_pid)"; sleep 0.3
      timeout 15 node ${BIN} key anthropic > /dev/null 2> "$HOME/down.err"; echo "down=$?"
      timeout 15 node ${BIN} keys list > /dev/null 2>&1; echo "list=$?"
      cmp -s "$XDG_CONFIG_HOME/keytray/keytray.json" "$HOME/meta-before.json" && echo "metadata=intact"
      # D-Bus may have started a fresh, locked daemon on demand: replace it with an unlocked one.
      p="$(secrets_pid)"; [ -n "$p" ] && kill "$p"; sleep 0.3
      printf '\\n' | gnome-keyring-daemon --unlock --components=secrets > /dev/null; sleep 0.5
      # Compared by digest: the key itself is never written to a file.
      got=$(set -o pipefail; timeout 15 node ${BIN} key anthropic | sha256sum); echo "up=$?"
      [ "$got" = "$(printf '%s' "$KEY" | sha256sum)" ] && echo "key=back"
      cat "$HOME/down.err"`;
    // Its own private keyring session: stopping this daemon disturbs no other test.
    const env = { ...t.env, KEYTRAY_PRIVATE_KEYRING: '', KEY: key };
    const { stdout } = await exec(resolve('scripts/with-keyring.sh'), ['bash', '-c', script], { env, timeout: 30_000 });
    expect(stdout).toMatch(/^down=4$/m);
    expect(stdout).toMatch(/^list=4$/m);
    expect(stdout).toMatch(/^metadata=intact$/m);
    expect(stdout).toMatch(/^up=0$/m);
    expect(stdout).toMatch(/^key=back$/m);
    expect(stdout).toMatch(/keytray key: The (Secret Service keyring is not usable|keychain cannot be reached)/);
    expect(stdout).not.toContain(key);
    console.log('keychain faults: Secret Service stopped mid-session (exit 4, metadata intact), restarted (key back)');
  });
});
