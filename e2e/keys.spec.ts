/**
 * The window in Chromium on the real core: every call crosses the same IPC
 * handler table Electron's main registers, with the private keyring and a
 * temp HOME. Screenshots of each screen land in test-results/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { CANARY_SEEN, screenshotText } from '../scripts/secret-scan.mjs';
import { runCli } from '../test/support/cli';
import { freePort } from '../test/support/ports';
import {
  fakeAnthropicKey,
  fakeCompatibleKey,
  fakeGeminiKey,
  fakeOpenAIKey,
  makeTestEnv,
  secretToolClear,
  secretToolLookup,
} from '../test/support/test-env';
import { connectBridge, expectNoSecret, servedRenderer, shot } from './support/harness';

const server = servedRenderer();

/** The window as it opens (on the overview), then its Keys view. */
async function openKeys(page: Page): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Keys' }).click();
}

/** Opens an agent's configure form in the Agents view. */
async function openAgent(page: Page, agent: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: 'Agents' }).click();
  await page.getByTestId(`agent-${agent}`).getByRole('button', { name: 'Configure…' }).click();
}

async function addKeyInUi(page: Page, label: string, secret: string): Promise<void> {
  await page.getByRole('button', { name: 'Add a key…' }).click();
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Key', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Add key' }).click();
  await expect(page.getByTestId(`key-anthropic-${label}`)).toBeVisible();
  // Added without a warning: the dialog closes, and the key field went with it.
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

test('add two keys, see them masked, switch the active one, reveal and copy on request', async ({ page }) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const work = fakeAnthropicKey();
  const personal = fakeAnthropicKey();
  await openKeys(page);
  await expect(page.getByText('No keys yet.')).toBeVisible();
  await shot(page, '01-empty');

  await addKeyInUi(page, 'work', work);
  await addKeyInUi(page, 'personal', personal);
  expect(await secretToolLookup(t.service, 'anthropic/work')).toBe(work);
  await expect(page.getByTestId('key-anthropic-work')).toContainText(`sk-ant-…${work.slice(-4)}`);
  await expect(page.getByTestId('key-anthropic-work').getByTestId('active-badge')).toBeVisible();
  await expect(page.getByTestId('key-anthropic-personal').getByTestId('active-badge')).toHaveCount(0);
  await shot(page, '02-keys');

  // A pasted key's shape names its provider, until the person picks one.
  await page.getByRole('button', { name: 'Add a key…' }).click();
  await page.getByLabel('Key', { exact: true }).fill(fakeOpenAIKey());
  await expect(page.getByRole('combobox', { name: /^Provider/ })).toHaveValue('openai');
  await expect(page.getByTestId('recognised')).toHaveText('Looks like a key for OpenAI.');
  await page.getByRole('combobox', { name: /^Provider/ }).selectOption('openrouter');
  await page.getByLabel('Key', { exact: true }).fill(fakeGeminiKey());
  await expect(page.getByRole('combobox', { name: /^Provider/ })).toHaveValue('openrouter');
  await expect(page.getByTestId('recognised')).toHaveText('Looks like a key for Google Gemini, not OpenRouter.');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expectNoSecret(page, bridge, [work, personal]);

  await page.getByTestId('key-anthropic-personal').getByRole('button', { name: 'More for personal' }).click();
  await page.getByRole('menuitem', { name: 'Make active' }).click();
  await expect(page.getByTestId('key-anthropic-personal').getByTestId('active-badge')).toBeVisible();
  expect((await t.vault().secret('anthropic')).label).toBe('personal');

  // Reveal: the one explicit exception, shown in that row only, and only on a yes to main's own question.
  bridge.allowReveal = false;
  await page.getByTestId('key-anthropic-work').getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByTestId('error')).toContainText('anthropic/work was not shown: the request was cancelled.');
  await expect(page.getByTestId('key-anthropic-work').getByTestId('masked')).toHaveText(`sk-ant-…${work.slice(-4)}`);
  bridge.allowReveal = true;
  await page.getByTestId('key-anthropic-work').getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByTestId('key-anthropic-work').getByTestId('masked')).toHaveText(work);
  expect(bridge.revealQuestions).toEqual(['anthropic/work', 'anthropic/work']);
  await page.getByTestId('key-anthropic-work').getByRole('button', { name: 'Hide' }).click();
  await expect(page.getByTestId('key-anthropic-work').getByTestId('masked')).toHaveText(`sk-ant-…${work.slice(-4)}`);
  await expectNoSecret(page, bridge, [work, personal]);

  // Copy happens in main; the clipboard is cleared after the delay if it still holds the key.
  await page.getByTestId('key-anthropic-personal').getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByTestId('key-anthropic-personal').getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(bridge.clipboard.text).toBe(personal);
  await expect.poll(() => bridge.clipboard.text, { timeout: 3000 }).toBe('');

  // A secret deleted behind KeyTray's back shows as such.
  await secretToolClear(t.service, 'anthropic/work');
  await page.reload();
  await expect(page.getByTestId('key-anthropic-work')).toContainText('secret missing from the store');
});

test('configure Claude Code with a preview, check the file, undo; then proxy mode', async ({ page }) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const key = fakeAnthropicKey();
  const personal = fakeAnthropicKey();
  await t.vault().add('anthropic', 'work', key);
  await t.vault().add('anthropic', 'personal', personal);
  const settings = join(t.root, '.claude', 'settings.json');
  await page.goto(server.url);
  await openAgent(page, 'claude-code');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('diff')).toContainText('+  "apiKeyHelper":');
  await expect(page.getByTestId('header-x-api-key')).toContainText('apiKeyHelper');
  // The box takes the colour of its verdict: KeyTray's key; the current view stands out in the navigation.
  await expect(page.getByTestId('header-x-api-key')).toHaveAttribute('data-verdict', 'right');
  await expect(page.getByRole('navigation').getByRole('button', { name: 'Agents' })).toHaveCSS('font-weight', '600');
  await expect(page.getByRole('navigation').getByRole('button', { name: 'Keys' })).not.toHaveCSS('font-weight', '600');
  await shot(page, '03-claude-preview');
  expect(existsSync(settings)).toBe(false);

  await page.getByRole('button', { name: 'Configure Claude Code' }).click();
  await expect(page.getByTestId('agent-result')).toContainText(`Updated ${settings}`);
  expect(JSON.parse(readFileSync(settings, 'utf8')).apiKeyHelper).toMatch(/claude-key-helper' anthropic$/);
  expect(readFileSync(settings, 'utf8')).not.toContain(key);

  await page.getByRole('button', { name: 'Undo last change' }).click();
  await expect(page.getByTestId('agent-result')).toContainText('Restored');
  expect(existsSync(settings)).toBe(false);

  await page.getByLabel('Proxy (Claude Code never holds the key)').check();
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('diff')).toContainText('ANTHROPIC_BASE_URL');
  await page.getByRole('button', { name: 'Configure Claude Code' }).click();
  await expect(page.getByTestId('agent-result')).toContainText('Updated');
  const written = JSON.parse(readFileSync(settings, 'utf8'));
  expect(written.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/anthropic$/);
  expect(written.apiKeyHelper).toMatch(/--proxy-token$/);
  await shot(page, '04-claude-proxy');

  // Configured from the command line with a named key: the form, opened afresh, loads what is in force
  // (the key, the mode), so its preview changes nothing rather than proposing to revert it.
  const cli = await runCli(['configure', 'claude-code', '--label', 'work', '--mode', 'proxy'], { env: t.env });
  expect(cli.code, cli.stderr).toBe(0);
  await page.reload();
  await openAgent(page, 'claude-code');
  await expect(page.getByLabel('Key for Claude Code')).toHaveValue('work');
  await expect(page.getByLabel('Proxy (Claude Code never holds the key)')).toBeChecked();
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('heading', { name: `${settings} is already set up` })).toBeVisible();

  // One project bound to the other key, still in proxy mode: its own proxy token names that key.
  const project = join(t.root, 'project');
  mkdirSync(project);
  await page.getByLabel('Key for Claude Code').selectOption('personal');
  await page.getByLabel('This project only').check();
  // The folder comes from main's own folder dialog (answered here by the test, as a person would).
  bridge.pickedFolder = project;
  await page.getByRole('button', { name: 'Choose…' }).click();
  await expect(page.getByRole('textbox', { name: 'Project folder' })).toHaveValue(project);
  expect(bridge.folderDialogs).toEqual(['The project Claude Code should use this key in']);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('diff')).toContainText('--proxy-token anthropic personal');
  await page.getByRole('button', { name: 'Configure Claude Code' }).click();
  await expect(page.getByTestId('agent-result')).toContainText('Updated');
  const local = readFileSync(join(project, '.claude', 'settings.local.json'), 'utf8');
  expect(JSON.parse(local).apiKeyHelper).toMatch(/--proxy-token anthropic personal$/);
  expect(local).not.toContain(personal);
  await expectNoSecret(page, bridge, [key, personal]);
});

test('configure Codex from the window: a preview of config.toml, the write, its state on the card, and a byte-exact undo', async ({
  page,
}) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const key = fakeOpenAIKey();
  await t.vault().add('openai', 'work', key);
  const config = join(t.root, '.codex', 'config.toml');
  mkdirSync(join(t.root, '.codex'));
  const mine = '# my Codex settings\nmodel = "gpt-5.4" # the one I like\n\n[features]\nweb_search = true\n';
  writeFileSync(config, mine);
  await page.goto(server.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Agents' }).click();
  await expect(page.getByTestId('agent-codex')).toContainText('not configured by KeyTray');
  await expect(page.getByTestId('agent-gemini-cli')).toBeVisible();
  // ant takes its key from `keytray exec` only: its card says how, and offers no form.
  await expect(page.getByTestId('agent-ant')).toContainText('keytray exec --agent ant -- ant …');
  await expect(page.getByTestId('agent-ant').getByRole('button', { name: 'Configure…' })).toHaveCount(0);
  await openAgent(page, 'codex');
  await page.getByLabel('Key for Codex CLI').selectOption('work');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('diff')).toContainText('+model_provider = "keytray"');
  await expect(page.getByTestId('diff')).toContainText('+[model_providers.keytray.auth]');
  await expect(page.getByTestId('auth-picture-codex').getByTestId('header-authorization')).toContainText('keytray: openai/work');
  await shot(page, '09-codex-preview');
  expect(readFileSync(config, 'utf8')).toBe(mine);

  await page.getByRole('button', { name: 'Configure Codex CLI' }).click();
  await expect(page.getByTestId('agent-result')).toContainText(`Updated ${config}`);
  const written = readFileSync(config, 'utf8');
  expect(written.startsWith('# my Codex settings\nmodel = "gpt-5.4" # the one I like\nmodel_provider = "keytray"\n')).toBe(true);
  expect(written).toMatch(/\[model_providers\.keytray\.auth\]\ncommand = ".*claude-key-helper"\nargs = \["openai", "work"\]/);
  expect(written).not.toContain(key);
  await expect(page.getByTestId('agent-codex').getByTestId('agent-state')).toHaveText('helper mode · openai/work');

  await page.getByTestId('agent-codex').getByRole('button', { name: 'Undo last change' }).click();
  await expect(page.getByTestId('agent-result')).toContainText('Restored');
  expect(readFileSync(config, 'utf8')).toBe(mine);
  await expectNoSecret(page, bridge, [key]);
});

test('the auth picture changes when the environment the app reads exports a key, and offers the fix', async ({ page }) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const key = fakeAnthropicKey();
  await t.vault().add('anthropic', 'work', key);
  await page.goto(server.url);
  await openAgent(page, 'claude-code');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Configure Claude Code' }).click();
  await expect(page.getByTestId('agent-result')).toBeVisible();

  await page.getByRole('button', { name: 'Auth status' }).click();
  // Every agent's picture is on the page (ant's has an ANTHROPIC_API_KEY tier too): Claude Code's is the one read here.
  const claude = page.getByTestId('auth-picture-claude-code');
  await expect(claude.getByTestId('tier-apiKeyHelper')).toContainText('wins');
  await shot(page, '05-status-ok');

  const exported = fakeAnthropicKey();
  bridge.env.ANTHROPIC_API_KEY = exported;
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(claude.getByTestId('tier-ANTHROPIC_API_KEY')).toContainText('wins');
  await expect(claude.getByTestId('header-x-api-key')).toContainText(`sk-ant-…${exported.slice(-4)}`);
  await expect(claude.getByTestId('header-x-api-key')).toHaveAttribute('data-verdict', 'other');
  await expect(claude.getByTestId('warning-env-shadows-keychain')).toBeVisible();
  await shot(page, '06-status-shadowed');

  await page.getByRole('button', { name: 'Fix: make Claude Code ignore it' }).click();
  await expect(page.getByTestId('diff')).toContainText('"ANTHROPIC_API_KEY": ""');
  await page.getByRole('button', { name: 'Configure Claude Code' }).click();
  await page.getByRole('button', { name: 'Auth status' }).click();
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(claude.getByTestId('tier-apiKeyHelper')).toContainText('wins');
  await expect(claude.getByTestId('tier-ANTHROPIC_API_KEY')).toContainText('cancelled');
  await expectNoSecret(page, bridge, [key, exported]);
});

test('bad input from the window is refused with a sentence and changes nothing', async ({ page }) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  await openKeys(page);
  await page.getByRole('button', { name: 'Add a key…' }).click();
  await page.getByLabel('Label').fill('a/b');
  await page.getByLabel('Key', { exact: true }).fill('sk-ant-api03-whatever-0000000000');
  await page.getByRole('button', { name: 'Add key' }).click();
  await expect(page.getByTestId('error')).toContainText('label');
  expect(existsSync(t.metadataPath)).toBe(false);
  await shot(page, '07-error');
  // Hostile payloads straight at the bridge: refused by the schema, nothing written.
  const hostile = await page.evaluate(async () => {
    const api = (
      window as unknown as { keytray: Record<string, (i?: unknown) => Promise<{ ok: boolean; error?: { code: string } }>> }
    ).keytray;
    return Promise.all([
      api.addKey?.({ provider: 'anthropic', label: '../../etc', secret: 'x' }),
      api.addKey?.({ provider: 'nope', label: 'a', secret: 'x' }),
      api.addKey?.({ provider: 'anthropic', label: 'a', secret: 'x', __proto__: { admin: true }, extra: 1 }),
      api.planAgent?.({ agent: 'claude-code', scope: 'local', cwd: '/tmp/../etc' }),
      api.planAgent?.({ agent: 'vim' }),
      api.activateKey?.('not an object'),
    ]);
  });
  for (const result of hostile) expect(result).toMatchObject({ ok: false, error: { code: 'usage' } });
  expect(existsSync(t.metadataPath)).toBe(false);
  void bridge;
});

test('test a key against its upstream, and start at login', async ({ page }) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const key = fakeAnthropicKey();
  const { createServer } = await import('node:http');
  const upstream = createServer((req, res) => {
    const ok = req.headers['x-api-key'] === key;
    res
      .writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
      .end(ok ? '{"data":[]}' : '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}');
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  try {
    const port = (upstream.address() as { port: number }).port;
    await t.vault().add('anthropic', 'work', key);
    await t.vault().add('anthropic', 'old', fakeAnthropicKey());
    await t.vault().configureProvider('anthropic', { baseUrl: `http://127.0.0.1:${port}` });
    await openKeys(page);
    await page.getByTestId('key-anthropic-work').getByRole('button', { name: 'Test' }).click();
    await expect(page.getByTestId('key-anthropic-work').getByTestId('test-result')).toHaveText('Anthropic accepted the key.');
    await page.getByTestId('key-anthropic-old').getByRole('button', { name: 'Test' }).click();
    await expect(page.getByTestId('key-anthropic-old').getByTestId('test-result')).toHaveText('invalid x-api-key');
    await shot(page, '08-test-key');

    // A request through the proxy shows as the key's last use.
    await t.vault().setProxyPort(await freePort());
    await bridge.proxy.ensure(true);
    const token = await t.vault().proxyToken();
    const { status } = await fetch(`http://127.0.0.1:${bridge.proxy.status().port}/anthropic/v1/models`, {
      headers: { 'x-api-key': token },
    });
    expect(status).toBe(200);
    await bridge.proxy.stop();
    await page.reload();
    await expect(page.getByTestId('key-anthropic-work')).toContainText('used ');
    await expect(page.getByTestId('key-anthropic-old')).not.toContainText('used ');

    await page.getByRole('button', { name: 'Install command-line tool' }).click();
    await expect(page.getByTestId('cli-installed')).toHaveText(`Installed ${join(t.root, '.local', 'bin', 'keytray')}`);
    expect(existsSync(join(t.root, '.local', 'bin', 'keytray'))).toBe(true);

    await page.getByLabel('Start at login').click();
    await expect(page.getByLabel('Start at login')).toBeChecked();
    await expect.poll(() => bridge.launchAtLogin).toBe(true);
    await expectNoSecret(page, bridge, [key]);
  } finally {
    upstream.close();
  }
});

test('the Bindings view lists every bound file, flags the stale ones, and forgets one whose folder is gone', async ({ page }) => {
  const t = makeTestEnv();
  await connectBridge(page, t);
  await t.vault().add('anthropic', 'work', fakeAnthropicKey());
  await t.vault().add('anthropic', 'client', fakeAnthropicKey());
  const kept = join(t.root, 'kept');
  const moved = join(t.root, 'moved');
  for (const project of [kept, moved]) {
    mkdirSync(project);
    const bound = await runCli(['configure', 'claude-code', '--scope', 'local', '--cwd', project, '--label', 'client'], {
      env: t.env,
    });
    expect(bound.code, bound.stderr).toBe(0);
  }
  rmSync(moved, { recursive: true });
  await page.goto(server.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Bindings' }).click();
  const rows = page.getByTestId('binding-row');
  await expect(rows).toHaveCount(2);
  // Paths under the home folder are shown with ~ (the full path on hover).
  const keptRow = rows.filter({ hasText: '~/kept/.claude/settings.local.json' });
  await expect(keptRow.locator('code')).toHaveAttribute('title', join(kept, '.claude', 'settings.local.json'));
  await expect(keptRow).toContainText('anthropic/client');
  await expect(keptRow).toContainText('OK');
  const movedRow = rows.filter({ hasText: '~/moved/.claude/settings.local.json' });
  await expect(movedRow).toContainText('Stale: its folder moved or is gone');
  await shot(page, '10-bindings');
  await movedRow.getByRole('button', { name: 'Forget' }).click();
  await expect(rows).toHaveCount(1);
  const listed = JSON.parse((await runCli(['bindings', '--json'], { env: t.env })).stdout).bindings;
  expect(listed.map((b: { path: string }) => b.path)).toEqual([join(kept, '.claude', 'settings.local.json')]);
});

test.describe('the Proxy view, on a clock that is not UTC', () => {
  test.use({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });

  test('starts and stops the proxy, shows local times, and Claude Code’s connection check is no error', async ({ page }) => {
    const t = makeTestEnv();
    const bridge = await connectBridge(page, t);
    await t.vault().add('anthropic', 'work', fakeAnthropicKey());
    const port = await freePort();
    await t.vault().setProxyPort(port);
    try {
      await page.goto(server.url);
      await page.getByRole('navigation').getByRole('button', { name: 'Proxy' }).click();
      await expect(page.getByTestId('proxy-status')).toHaveText('Not running');
      await expect(page.getByTestId('proxy-why')).toHaveText('KeyTray starts it when an agent is configured in proxy mode.');

      await page.getByRole('button', { name: 'Start proxy' }).click();
      await expect(page.getByTestId('proxy-status')).toHaveText(`Running on http://127.0.0.1:${port}`);
      await expect(page.getByTestId('proxy-why')).toContainText('Started by you');
      // Claude Code's preconnect carries no credential; a request without the token is refused.
      const probe = await fetch(`http://127.0.0.1:${port}/anthropic/api/hello`, { method: 'HEAD' });
      expect(probe.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/anthropic/v1/models`)).status).toBe(401);

      const rows = page.getByTestId('proxy-log-row');
      await expect(rows).toHaveCount(2);
      const hello = rows.filter({ hasText: 'HEAD /anthropic/api/hello' });
      await expect(hello).toContainText('connection check, answered by KeyTray');
      await expect(hello).not.toHaveClass(/failed/);
      await expect(rows.filter({ hasText: 'GET /anthropic/v1/models' })).toHaveClass(/failed/);
      // The log keeps UTC; the window shows the user's clock (India: UTC+05:30).
      const time = hello.locator('time');
      const utc = (await time.getAttribute('datetime')) as string;
      const local = new Date(utc).toLocaleTimeString('en-GB', { timeZone: 'Asia/Kolkata' });
      expect(local).not.toBe(utc.slice(11, 19));
      await expect(time).toHaveText(local);
      await shot(page, '09-proxy');

      await page.getByRole('button', { name: 'Stop proxy' }).click();
      await expect(page.getByTestId('proxy-status')).toHaveText('Not running');
      await expect(page.getByTestId('proxy-why')).toHaveText('Stopped by you.');
      await expect(fetch(`http://127.0.0.1:${port}/anthropic/api/hello`, { method: 'HEAD' })).rejects.toThrow();
      await page.getByRole('button', { name: 'Let KeyTray decide' }).click();
      await expect(page.getByTestId('proxy-why')).toHaveText('KeyTray starts it when an agent is configured in proxy mode.');
    } finally {
      await bridge.proxy.stop();
    }
  });
});

test('the secret scan reads a key shown on screen, and not a masked one (its positive control)', async ({ page }) => {
  const t = makeTestEnv();
  await connectBridge(page, t);
  const key = fakeAnthropicKey();
  await openKeys(page);
  await addKeyInUi(page, 'shown', key);
  // Outside test-results: these pictures are the control, not part of the run's output.
  const dir = mkdtempSync(join(tmpdir(), 'kt-ocr-'));
  const row = page.getByTestId('key-anthropic-shown');
  await row.screenshot({ path: join(dir, 'masked.png') });
  await row.getByRole('button', { name: 'Reveal' }).click();
  await expect(row.getByTestId('masked')).toHaveText(key);
  await row.screenshot({ path: join(dir, 'revealed.png') });
  await row.getByRole('button', { name: 'Hide' }).click();
  expect(screenshotText(join(dir, 'revealed.png'))).toMatch(CANARY_SEEN);
  expect(screenshotText(join(dir, 'masked.png'))).not.toMatch(CANARY_SEEN);
  rmSync(dir, { recursive: true });
});

test('a provider of your own from a preset: its card, a key for it, Claude Code models, and no remove while it holds a key', async ({
  page,
}) => {
  const t = makeTestEnv();
  const bridge = await connectBridge(page, t);
  const key = fakeCompatibleKey();
  await openKeys(page);
  await page.getByRole('button', { name: 'Add a provider' }).click();
  await page.getByLabel('Preset').selectOption('deepseek');
  await expect(page.getByRole('textbox', { name: 'Base URL', exact: true })).toHaveValue('https://api.deepseek.com/anthropic');
  await expect(page.getByText('https://api-docs.deepseek.com/quick_start/agent_integrations/claude_code')).toBeVisible();
  await page.getByRole('button', { name: 'Add provider' }).click();
  const card = page.getByRole('region', { name: 'DeepSeek' });
  await expect(card).toContainText('https://api.deepseek.com/anthropic');
  await expect(card).toContainText('No key yet');

  // The key form offers it now, and the key lands in the keychain under the provider's id.
  await page.getByRole('button', { name: 'Add a key…' }).click();
  await page.getByRole('combobox', { name: /^Provider/ }).selectOption('deepseek');
  await page.getByLabel('Label').fill('work');
  await page.getByLabel('Key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Add key' }).click();
  await expect(page.getByTestId('key-deepseek-work')).toBeVisible();
  expect(await secretToolLookup(t.service, 'deepseek/work')).toBe(key);

  await card.getByRole('button', { name: 'Settings' }).click();
  await card.getByLabel('ANTHROPIC_MODEL').fill('deepseek-chat');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect
    .poll(async () => (await t.vault().readMetadata()).providers.deepseek?.settings.models)
    .toEqual({ model: 'deepseek-chat' });
  await expect(card.getByRole('button', { name: 'Remove provider' })).toHaveCount(0);

  // Its definition is edited in the same form (still open), as `keytray provider edit` does it.
  await card.getByRole('textbox', { name: 'Name', exact: true }).fill('DeepSeek (work)');
  await card.getByRole('combobox', { name: 'Key sent as' }).selectOption('x-api-key');
  await card.getByRole('button', { name: 'Save' }).click();
  await expect
    .poll(async () => (await t.vault().readMetadata()).custom?.deepseek)
    .toMatchObject({ label: 'DeepSeek (work)', auth: 'x-api-key', baseUrl: 'https://api.deepseek.com/anthropic' });
  await expect(page.getByRole('heading', { name: 'DeepSeek (work)' })).toBeVisible();

  // A bad definition is refused with the CLI's own sentence, and nothing is added.
  await page.getByRole('button', { name: 'Add a provider' }).click();
  const addForm = page.getByRole('region', { name: 'Add a provider' });
  await addForm.getByRole('textbox', { name: 'Id', exact: true }).fill('Bad_Id');
  await addForm.getByRole('textbox', { name: 'Name', exact: true }).fill('Bad');
  await addForm.getByRole('textbox', { name: 'Base URL', exact: true }).fill('https://bad.example.com');
  await page.getByRole('button', { name: 'Add provider' }).click();
  await expect(page.getByTestId('error')).toContainText('"Bad_Id" cannot name a provider');
  expect(Object.keys((await t.vault().readMetadata()).custom ?? {})).toEqual(['deepseek']);
  await shot(page, '09-custom-provider');
  await expectNoSecret(page, bridge, [key]);
});
