/**
 * keys:reveal, the one IPC answer with a secret in it, needs the user's own
 * yes from main (a native dialog there, a stand-in answer here) and is held
 * to a few a minute, so a renderer gone wrong cannot read every key.
 */
import { describe, expect, it } from 'vitest';
import { createAgents } from '../../electron/core/agents/registry';
import { SettingsWriter } from '../../electron/core/files/settings-writer';
import { createHandlers, type HandlerDeps, invoke } from '../../electron/core/ipc-handlers';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

describe('keys:reveal', () => {
  it('shows a key only on the user’s yes, and at most five a minute whatever the answers', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const keys = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(async (label) => {
        const secret = fakeAnthropicKey();
        await vault.add('anthropic', label, secret);
        return { label, secret };
      }),
    );
    let clock = 1_000_000;
    const answers: boolean[] = [];
    const asked: string[] = [];
    const data = `${t.root}/.local/share/keytray`;
    const deps = {
      vault,
      agents: createAgents({
        vault,
        writer: new SettingsWriter(data, vault),
        dataDir: data,
        metadataPath: t.metadataPath,
        launcher: { runtime: process.execPath, cli: 'bin/keytray.cjs' },
        pins: { configDir: t.configHome, keychainService: t.service },
      }),
      metadataPath: t.metadataPath,
      confirmReveal: async (key: string) => {
        asked.push(key);
        return answers.shift() ?? false;
      },
      now: () => clock,
    } as unknown as HandlerDeps;
    const handlers = createHandlers(deps);
    const reveal = (label: string) => invoke(handlers, 'keys:reveal', { provider: 'anthropic', label });

    answers.push(false);
    const cancelled = await reveal('a');
    expect(cancelled).toMatchObject({
      ok: false,
      error: { code: 'usage', message: 'anthropic/a was not shown: the request was cancelled.' },
    });
    expect(JSON.stringify(cancelled)).not.toContain(keys[0]?.secret);

    answers.push(true, true, true, true);
    for (const { label, secret } of keys.slice(1, 5)) {
      expect(await reveal(label)).toMatchObject({ ok: true, value: { secret } });
    }
    // Five asked in this minute: the sixth is not even asked.
    answers.push(true);
    const limited = await reveal('f');
    expect(limited).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(JSON.stringify(limited)).not.toContain(keys[5]?.secret);
    expect(asked).toEqual(['anthropic/a', 'anthropic/b', 'anthropic/c', 'anthropic/d', 'anthropic/e']);

    clock += 60_001;
    expect(await reveal('f')).toMatchObject({ ok: true, value: { secret: keys[5]?.secret } });
  });
});
