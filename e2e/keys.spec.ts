import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { fakeAnthropicKey, makeTestEnv, secretToolClear } from '../test/support/test-env';
import { connectBridge, serveRenderer } from './support/harness';

test.beforeAll(() => {
  if (process.env.KEYTRAY_PRIVATE_KEYRING !== '1') throw new Error('Run with `npm run test:e2e`: it needs the private keyring.');
});

test('the window lists keys masked, from the real keychain, and never holds a full key', async ({ page }, info) => {
  const t = makeTestEnv();
  const vault = t.vault();
  const work = fakeAnthropicKey();
  const personal = fakeAnthropicKey();
  await vault.add('anthropic', 'work', work);
  await vault.add('anthropic', 'personal', personal);
  await vault.add('openrouter', 'main', `sk-or-v1-${'ab12'.repeat(16)}`);

  const server = await serveRenderer();
  const bridge = await connectBridge(page, vault);
  try {
    await page.goto(server.url);
    const workRow = page.getByTestId('key-anthropic-work');
    await expect(workRow).toContainText(`sk-ant-…${work.slice(-4)}`);
    await expect(workRow).toContainText('active');
    await expect(page.getByTestId('key-anthropic-personal')).not.toContainText('active');
    await expect(page.getByTestId('store')).toContainText(`Secret Service keyring (service "${t.service}")`);
    await expect(page.getByRole('heading', { name: 'OpenRouter' })).toBeVisible();

    mkdirSync(info.outputDir, { recursive: true });
    await page.screenshot({ path: info.outputPath('keys.png'), fullPage: true });

    const html = await page.content();
    for (const secret of [work, personal]) {
      expect(html).not.toContain(secret.slice(13, -4));
      for (const payload of bridge.payloads) expect(payload).not.toContain(secret.slice(13, -4));
    }

    // A secret deleted behind KeyTray's back shows as such after a reload.
    await secretToolClear(t.service, 'anthropic/personal');
    await page.reload();
    await expect(page.getByTestId('key-anthropic-personal')).toContainText('secret missing from the store');
  } finally {
    await server.close();
  }
});

test('an empty vault says how to add a key', async ({ page }) => {
  const t = makeTestEnv();
  const server = await serveRenderer();
  await connectBridge(page, t.vault());
  try {
    await page.goto(server.url);
    await expect(page.getByText('No keys yet.')).toBeVisible();
  } finally {
    await server.close();
  }
});
