/**
 * The vault against the real Secret Service (private gnome-keyring), checked
 * from outside with secret-tool.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METADATA_VERSION } from '../../shared/metadata';
import { fakeAnthropicKey, makeTestEnv, secretToolClear, secretToolLookup, secretToolStore } from '../support/test-env';

describe('vault on the Secret Service', () => {
  it('stores the secret in the keychain and only metadata on disk', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const secret = fakeAnthropicKey();
    const { key, warnings } = await vault.add('anthropic', 'work', `${secret}\n`);
    expect(warnings).toEqual([]);
    expect(key).toMatchObject({ provider: 'anthropic', label: 'work', active: true, state: 'ok' });
    expect(key.masked).toBe(`sk-ant-…${secret.slice(-4)}`);

    expect(await secretToolLookup(t.service, 'anthropic/work')).toBe(secret);
    const file = readFileSync(t.metadataPath, 'utf8');
    expect(file).not.toContain(secret);
    expect(file).not.toContain(secret.slice(13, 40));
    expect(statSync(t.metadataPath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(file).version).toBe(METADATA_VERSION);
  });

  it('keeps several keys, exactly one active, and switches', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const work = fakeAnthropicKey();
    const personal = fakeAnthropicKey();
    await vault.add('anthropic', 'work', work);
    const second = await vault.add('anthropic', 'personal', personal);
    expect(second.key.active).toBe(false);
    expect((await vault.secret('anthropic')).secret).toBe(work);

    await vault.use('anthropic', 'personal');
    expect(await vault.secret('anthropic')).toEqual({ label: 'personal', secret: personal });
    const listing = await vault.list();
    const keys = listing.providers[0]?.keys ?? [];
    expect(keys.filter((k) => k.active).map((k) => k.label)).toEqual(['personal']);
    expect(listing.discrepancies).toEqual([]);

    // Removing the active key promotes the remaining one.
    const removed = await vault.remove('anthropic', 'personal');
    expect(removed).toEqual({ removed: 'personal', active: 'work', secretWasMissing: false });
    expect(await secretToolLookup(t.service, 'anthropic/personal')).toBeNull();
    expect((await vault.secret('anthropic')).secret).toBe(work);
  });

  it('renames a key in the keychain and the metadata', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const secret = fakeAnthropicKey();
    await vault.add('anthropic', 'old', secret);
    const renamed = await vault.rename('anthropic', 'old', 'new');
    expect(renamed).toMatchObject({ label: 'new', active: true });
    expect(await secretToolLookup(t.service, 'anthropic/new')).toBe(secret);
    expect(await secretToolLookup(t.service, 'anthropic/old')).toBeNull();
  });

  it('refuses a taken label unless asked to replace', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('openai', 'ci', 'sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    await expect(vault.add('openai', 'ci', 'sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbb')).rejects.toMatchObject({ code: 'exists' });
    expect(await secretToolLookup(t.service, 'openai/ci')).toBe('sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    await vault.add('openai', 'ci', 'sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbb', { replace: true });
    expect(await secretToolLookup(t.service, 'openai/ci')).toBe('sk-proj-bbbbbbbbbbbbbbbbbbbbbbbbbbbb');
  });

  it('reports a secret deleted behind its back and keeps the other keys', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('anthropic', 'work', fakeAnthropicKey());
    const personal = fakeAnthropicKey();
    await vault.add('anthropic', 'personal', personal);
    await secretToolClear(t.service, 'anthropic/work');

    const listing = await vault.list();
    expect(listing.providers[0]?.keys.map((k) => [k.label, k.state])).toEqual([
      ['work', 'missing'],
      ['personal', 'ok'],
    ]);
    expect(listing.discrepancies).toMatchObject([{ kind: 'missing-secret', provider: 'anthropic', label: 'work' }]);
    await expect(vault.secret('anthropic')).rejects.toMatchObject({ code: 'inconsistent' });
    expect((await vault.secret('anthropic', 'personal')).secret).toBe(personal);

    // Removing the broken entry works and leaves the other one whole.
    expect(await vault.remove('anthropic', 'work')).toMatchObject({ secretWasMissing: true, active: 'personal' });
    expect(await vault.check()).toEqual([]);
  });

  it('adopts a secret whose metadata never got written (an interrupted add)', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const secret = fakeAnthropicKey();
    await secretToolStore(t.service, 'anthropic/half', secret);
    expect(await vault.check()).toMatchObject([{ kind: 'orphan-secret', provider: 'anthropic', label: 'half' }]);
    const { fixed, remaining } = await vault.repair();
    expect(fixed).toHaveLength(1);
    expect(remaining).toEqual([]);
    expect(await vault.secret('anthropic')).toEqual({ label: 'half', secret });
  });

  it('notices a secret changed by another tool and accepts it on repair', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('anthropic', 'work', fakeAnthropicKey());
    const replaced = fakeAnthropicKey();
    await secretToolStore(t.service, 'anthropic/work', replaced);
    expect(await vault.check()).toMatchObject([{ kind: 'changed-secret', label: 'work' }]);
    await vault.repair();
    const key = await vault.show('anthropic', 'work');
    expect(key).toMatchObject({ state: 'ok', masked: `sk-ant-…${replaced.slice(-4)}` });
  });

  it('rebuilds lost metadata from the keychain', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const a = fakeAnthropicKey();
    await vault.add('anthropic', 'a', a);
    await vault.add('openai', 'b', 'sk-proj-cccccccccccccccccccccccccccc');
    writeFileSync(t.metadataPath, '{ "version": 1, "store": "keychain", "providers": {} }');
    await vault.repair();
    expect((await vault.secret('anthropic')).secret).toBe(a);
    expect((await vault.secret('openai')).secret).toBe('sk-proj-cccccccccccccccccccccccccccc');
  });

  it('refuses a damaged metadata file and leaves it as it was', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await vault.add('anthropic', 'work', fakeAnthropicKey());
    writeFileSync(t.metadataPath, '{ "version": 1, ');
    await expect(vault.add('anthropic', 'other', fakeAnthropicKey())).rejects.toMatchObject({
      code: 'inconsistent',
      message: expect.stringContaining('is not valid JSON'),
    });
    expect(readFileSync(t.metadataPath, 'utf8')).toBe('{ "version": 1, ');
    expect(await secretToolLookup(t.service, 'anthropic/other')).toBeNull();
  });

  it('keeps per-provider settings and validates them', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const view = await vault.configureProvider('anthropic-aws', { region: 'eu-west-1', workspaceId: 'wrkspc_01' });
    expect(view.baseUrl).toBe('https://aws-external-anthropic.eu-west-1.api.aws');
    await vault.configureProvider('anthropic', { baseUrl: 'http://127.0.0.1:4010' });
    expect((await vault.configureProvider('anthropic', { baseUrl: null })).baseUrl).toBe('https://api.anthropic.com');
    await expect(vault.configureProvider('openai', { region: 'us-east-1' })).rejects.toMatchObject({ code: 'usage' });
    const meta = await vault.readMetadata();
    expect(meta.providers['anthropic-aws']?.settings).toEqual({ region: 'eu-west-1', workspaceId: 'wrkspc_01' });
  });

  it('moves every secret to the file store the user chose, and back', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    const secret = fakeAnthropicKey();
    await vault.add('anthropic', 'work', secret);
    const toFile = await vault.switchStore('file');
    expect(toFile).toMatchObject({ moved: 1, store: { kind: 'file' } });
    expect(toFile.store.description).toMatch(/plaintext file .* not the keychain/);
    expect(await secretToolLookup(t.service, 'anthropic/work')).toBeNull();
    expect(statSync(t.fileStorePath).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(t.fileStorePath, 'utf8')).secrets['anthropic/work']).toBe(secret);
    expect((await vault.secret('anthropic')).secret).toBe(secret);

    await vault.switchStore('keychain');
    expect(await secretToolLookup(t.service, 'anthropic/work')).toBe(secret);
    expect(JSON.parse(readFileSync(t.fileStorePath, 'utf8')).secrets).toEqual({});
  });

  it('rejects bad input before touching the keychain', async () => {
    const t = makeTestEnv();
    const vault = t.vault();
    await expect(vault.add('anthropc', 'work', fakeAnthropicKey())).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('Unknown provider "anthropc"'),
    });
    await expect(vault.add('anthropic', 'a/b', fakeAnthropicKey())).rejects.toMatchObject({ code: 'usage' });
    await expect(vault.add('anthropic', 'work', ' \n')).rejects.toMatchObject({ code: 'usage' });
    await expect(vault.use('anthropic', 'nope')).rejects.toMatchObject({ code: 'not-found' });
    expect(await secretToolLookup(t.service, 'anthropic/work')).toBeNull();
    expect(await vault.check()).toEqual([]);
  });
});
