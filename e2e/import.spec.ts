/**
 * Moving in from the window: a home seeded with plaintext keys shows the
 * banner "N keys in plaintext on this machine"; one click moves them into
 * the keychain through the same IPC handlers main registers; the files no
 * longer hold them; undo puts the files back. The DOM and every IPC payload
 * carry masks only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fakeAnthropicKey, fakeOpenAIKey, makeTestEnv, secretToolLookup, usersOwnKey } from '../test/support/test-env';
import { connectBridge, expectNoSecret, servedRenderer, shot } from './support/harness';

const server = servedRenderer();

test('the banner counts the plaintext keys, one click moves them into the keychain, undo puts the files back, and a key KeyTray cannot judge moves once its provider is named', async ({
  page,
}) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const [shell, codex, claude] = [fakeAnthropicKey(), fakeOpenAIKey(), fakeAnthropicKey()];
  // A token KeyTray cannot judge: the user's own, moved only once they name its provider.
  const own = usersOwnKey('tok_');
  const files = {
    [join(t.root, '.bashrc')]: `# mine\nexport ANTHROPIC_API_KEY="${shell}"\nalias ll='ls -l'\nexport MY_SERVICE_TOKEN=${own}\n`,
    [join(t.root, '.codex', 'auth.json')]: `{\n  "OPENAI_API_KEY": "${codex}"\n}\n`,
    [join(t.root, '.claude', 'settings.json')]: `{\n  "env": { "ANTHROPIC_API_KEY": "${claude}" }\n}\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text, { mode: 0o600 });
  }

  // The banner is on every view; the keys it moved show in the Keys view.
  await page.goto(`${server.url}#keys`);
  const banner = page.getByTestId('import-banner');
  await expect(banner.getByRole('heading', { name: '4 keys in plaintext on this machine' })).toBeVisible();
  await banner.getByText('Where they are').click();
  await expect(banner.getByTestId('plaintext-key')).toHaveCount(4);
  await expect(banner).toContainText('KeyTray cannot tell whose key it is');
  await expect(banner).toContainText(`sk-ant-…${shell.slice(-4)}`);
  await expect(banner).toContainText(`${join(t.root, '.bashrc')}:2`);
  await expect(banner).toContainText(`sk-proj-…${codex.slice(-4)}`);
  await shot(page, 'import-01-banner');
  await expectNoSecret(page, bridge, [shell, codex, claude, own]);

  await banner.getByRole('button', { name: 'Move 3 keys into the keychain' }).click();
  const result = page.getByTestId('import-result');
  await expect(result.getByRole('heading', { name: 'Moved 3 of 3 keys into the keychain' })).toBeVisible();
  await expect(result).toContainText('Codex CLI configured with openai/codex');
  await shot(page, 'import-02-moved');
  expect(await secretToolLookup(t.service, 'anthropic/bashrc')).toBe(shell);
  expect(await secretToolLookup(t.service, 'openai/codex')).toBe(codex);
  expect(await secretToolLookup(t.service, 'anthropic/claude-code-user')).toBe(claude);
  for (const path of Object.keys(files)) {
    const text = readFileSync(path, 'utf8');
    for (const secret of [shell, codex, claude]) expect(text).not.toContain(secret);
  }
  expect(readFileSync(join(t.root, '.bashrc'), 'utf8')).toContain(`export MY_SERVICE_TOKEN=${own}`);
  // The keys list shows them, masked.
  await expect(page.getByTestId('key-anthropic-bashrc')).toContainText(`sk-ant-…${shell.slice(-4)}`);
  await expectNoSecret(page, bridge, [shell, codex, claude]);

  await result.getByRole('button', { name: 'Undo' }).click();
  await expect(
    page.getByTestId('import-banner').getByRole('heading', { name: '4 keys in plaintext on this machine' }),
  ).toBeVisible();
  for (const [path, text] of Object.entries(files)) expect(readFileSync(path, 'utf8')).toBe(text);

  // Moved again; then the one KeyTray could not judge, once its provider is named.
  await page.getByTestId('import-banner').getByRole('button', { name: 'Move 3 keys into the keychain' }).click();
  await page.getByTestId('import-result').getByRole('button', { name: 'Done' }).click();
  const left = page.getByTestId('import-banner');
  await expect(left.getByRole('heading', { name: '1 key in plaintext on this machine' })).toBeVisible();
  await left.getByText('Where they are').click();
  await expect(left.getByRole('button', { name: 'Move this key' })).toBeDisabled();
  await left.getByLabel('Provider of MY_SERVICE_TOKEN').selectOption('openai');
  await left.getByRole('button', { name: 'Move this key' }).click();
  await expect(
    page.getByTestId('import-result').getByRole('heading', { name: 'Moved 1 of 1 key into the keychain' }),
  ).toBeVisible();
  expect(await secretToolLookup(t.service, 'openai/bashrc')).toBe(own);
  expect(readFileSync(join(t.root, '.bashrc'), 'utf8')).not.toContain(own);
  await shot(page, 'import-03-picked');
  await page.getByTestId('import-result').getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('import-banner')).toHaveCount(0);
  await expectNoSecret(page, bridge, [shell, codex, claude, own]);
});
