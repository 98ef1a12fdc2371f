import { expect, test } from '@playwright/test';
import { type FakeUsageUpstream, startFakeUsageUpstream } from '../test/support/fake-usage-upstream';
import { freePort } from '../test/support/ports';
import { fakeAnthropicKey, fakeOpenAIKey, makeTestEnv } from '../test/support/test-env';
import { connectBridge, servedRenderer, shot } from './support/harness';

const server = servedRenderer();
let upstream: FakeUsageUpstream;
test.beforeAll(async () => {
  upstream = await startFakeUsageUpstream();
});
test.afterAll(async () => {
  await upstream.close();
});

test('the Usage view shows what went through the proxy, per key and per agent, and a budget passed', async ({ page }) => {
  const t = makeTestEnv();
  const vault = t.vault();
  const keys = [fakeAnthropicKey(), fakeAnthropicKey(), fakeOpenAIKey()];
  await vault.add('anthropic', 'work', keys[0] as string);
  await vault.add('anthropic', 'spare', keys[1] as string);
  await vault.add('openai', 'ci', keys[2] as string);
  await vault.configureProvider('anthropic', { baseUrl: upstream.url });
  await vault.configureProvider('openai', { baseUrl: upstream.url });
  const bridge = await connectBridge(page, t);
  await vault.setProxyPort(await freePort());
  await bridge.proxy.ensure(true);
  const port = bridge.proxy.status().port;
  const token = await vault.proxyToken();
  const before = upstream.reported.length;
  const post = async (path: string, body: unknown, userAgent: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': userAgent },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await res.text();
  };
  const hi = [{ role: 'user', content: 'hi' }];
  await post(
    '/anthropic/v1/messages',
    { model: 'claude-sonnet-5', stream: true, max_tokens: 5, messages: hi },
    'claude-cli/2.1.0 (external, cli)',
  );
  await post(
    '/anthropic/v1/messages',
    { model: 'claude-sonnet-5', max_tokens: 5, messages: hi },
    'claude-cli/2.1.0 (external, cli)',
  );
  await post('/openai/v1/responses', { model: 'gpt-5.4', input: 'hi', stream: true }, 'codex_exec/0.171.0');
  const reported = upstream.reported.slice(before);
  const anthropic = reported.filter((r) => r.path.endsWith('/v1/messages'));
  const sum = (rows: typeof reported, field: 'input' | 'output' | 'cacheRead' | 'cacheWrite') =>
    rows.reduce((total, r) => total + (r.tokens?.[field] ?? 0), 0);
  const tokens = (rows: typeof reported) =>
    sum(rows, 'input') + sum(rows, 'output') + sum(rows, 'cacheRead') + sum(rows, 'cacheWrite');

  await page.goto(server.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Usage' }).click();
  await expect(page.getByTestId('usage-proxy-only')).toContainText("recorded only for requests through KeyTray's proxy");
  await expect(page.getByTestId('usage-proxy-only')).toContainText('helper mode');

  // The sums, per key, equal what the upstream reported.
  const sums = page.getByTestId('usage-sums');
  const workRow = sums.getByRole('row', { name: /^anthropic\/work/ });
  await expect(workRow.getByRole('cell').nth(0)).toHaveText('2');
  await expect(workRow.getByRole('cell').nth(1)).toHaveText(sum(anthropic, 'input').toLocaleString('en-US'));
  await expect(workRow.getByRole('cell').nth(4)).toHaveText(sum(anthropic, 'output').toLocaleString('en-US'));
  await expect(
    sums
      .getByRole('row', { name: /^openai\/ci/ })
      .getByRole('cell')
      .nth(0),
  ).toHaveText('1');

  // Two charts drawn by uPlot, each with its data in a table for screen readers.
  const keysChart = page.getByTestId('chart-keys');
  await expect(keysChart.locator('canvas')).toHaveCount(1);
  await expect(page.getByTestId('chart-agents').locator('canvas')).toHaveCount(1);
  const today = new Date().toISOString().slice(0, 10);
  const keysTable = keysChart.getByRole('table', { name: 'Tokens per day, per key' });
  await expect(keysTable.getByRole('columnheader')).toHaveText(['Day', 'anthropic/work', 'openai/ci']);
  await expect(keysTable.getByRole('row', { name: today })).toHaveText(
    `${today}${tokens(anthropic)}${tokens(reported) - tokens(anthropic)}`,
  );
  const agentsTable = page.getByTestId('chart-agents').getByRole('table');
  await expect(agentsTable.getByRole('columnheader')).toHaveText(['Day', 'Claude Code', 'Codex CLI']);
  await shot(page, 'usage-light');

  // A daily budget below today's spend: the window says which key, and why the tray is amber.
  await page.getByLabel('anthropic/work').fill('0.0001');
  await page
    .getByRole('row', { name: /anthropic\/work/ })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect(page.getByTestId('over-budget')).toContainText('anthropic/work has spent about $');
  await expect(page.getByTestId('over-budget')).toContainText('past its $0.00 daily budget');
  expect((await vault.readMetadata()).providers.anthropic?.keys.find((k) => k.label === 'work')?.budgetUsd).toBe(0.0001);
  // A budget above it: the warning goes.
  await page.getByLabel('anthropic/work').fill('1000');
  await page
    .getByRole('row', { name: /anthropic\/work/ })
    .getByRole('button', { name: 'Save' })
    .click();
  await expect(page.getByTestId('over-budget')).toHaveCount(0);

  // The fallback switch, for a provider with a second key; OpenAI has one key, so its switch is off.
  // Clicked, not check(): the box is drawn from the saved setting, so it turns on once the save is read back.
  await page.getByLabel(/Anthropic: fall back to the next key/).click();
  await expect(page.getByLabel(/Anthropic: fall back to the next key/)).toBeChecked();
  await expect.poll(async () => (await vault.readMetadata()).providers.anthropic?.fallback).toBe(true);
  await expect(page.getByLabel(/OpenAI: fall back/)).toBeDisabled();

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(keysChart.locator('canvas')).toHaveCount(1);
  await shot(page, 'usage-dark');

  // The overview's Today card and each key row's week of tokens say the same numbers.
  await page.getByRole('navigation').getByRole('button', { name: 'Overview' }).click();
  const todayCard = page.getByTestId('overview-today');
  await expect(todayCard).toContainText(`Requests${3}`);
  await expect(todayCard).toContainText(`Tokens${tokens(reported).toLocaleString('en-US')}`);
  await page.getByRole('navigation').getByRole('button', { name: 'Keys' }).click();
  await expect(
    page
      .getByTestId('key-anthropic-work')
      .getByRole('img', { name: /work through the proxy: .* tokens a day over the last 7 days/ }),
  ).toHaveAccessibleName(new RegExp(`, ${tokens(anthropic).toLocaleString('en-US')} tokens a day`));
  // Nothing the renderer got holds a key.
  for (const payload of bridge.payloads) for (const key of keys) expect(payload).not.toContain(key);
  await bridge.proxy.stop();
});
