/**
 * The packaged shape end to end: the real Electron app, its preload and
 * window. Runs wherever an Electron binary is installed; where it is not
 * (build machines install with ELECTRON_SKIP_BINARY_DOWNLOAD=1), it reports
 * itself skipped with the reason, never passed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { makeTestEnv } from '../test/support/test-env';

/** The installed binary, found without require('electron'), which would try to download one. */
function electronBinary(): string | null {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

test('the Electron app opens its window with window.keytray and no Node in the page', async () => {
  const binary = electronBinary();
  test.skip(
    binary === null,
    'No Electron binary here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); run `npm install` where GitHub downloads work.',
  );
  const t = makeTestEnv();
  const app = await electron.launch({
    executablePath: binary as string,
    args: [resolve('out/main/index.js'), '--no-sandbox'],
    env: { ...(t.env as Record<string, string>), KEYTRAY_SHOW_WINDOW: '1' },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: 'Keys' })).toBeVisible();
    expect(await window.evaluate(() => typeof (window as unknown as { keytray?: unknown }).keytray)).toBe('object');
    expect(await window.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => 'ipcRenderer' in (window as unknown as { keytray: object }).keytray)).toBe(false);
  } finally {
    await app.close();
  }
});
