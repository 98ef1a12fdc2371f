/**
 * A key's daily budget, for real: set with `keytray keys budget`, spent
 * through the real proxy (ProxyController, the usage file) against a fake
 * upstream that reports usage, and judged by what the tray reads
 * (keysOverBudget) and shows (trayIcon): amber past the budget, not below it.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyController } from '../../electron/core/proxy/proxy-controller';
import { keysOverBudget } from '../../electron/core/usage/budgets';
import { usageLogPath } from '../../electron/core/usage/usage-log';
import { trayIcon } from '../../electron/main/tray-menu';
import { costOf, PRICES, priceFor } from '../../shared/prices';
import { runCli } from '../support/cli';
import { type FakeUsageUpstream, startFakeUsageUpstream } from '../support/fake-usage-upstream';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, makeTestEnv } from '../support/test-env';

let upstream: FakeUsageUpstream;
beforeAll(async () => {
  upstream = await startFakeUsageUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe('daily budgets', () => {
  it('past the budget the tray turns amber; under it, it does not', async () => {
    const t = makeTestEnv();
    const cli = async (args: string[], input?: string) => runCli(args, { env: t.env, ...(input === undefined ? {} : { input }) });
    expect((await cli(['keys', 'add', 'anthropic', '--label', 'work'], fakeAnthropicKey())).code).toBe(0);
    expect((await cli(['provider', 'set', 'anthropic', '--base-url', upstream.url])).code).toBe(0);

    // Bad amounts are refused with a sentence; nothing is written.
    for (const bad of ['abc', '0', '1e3']) {
      const refused = await cli(['keys', 'budget', 'anthropic', 'work', bad]);
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr, bad).toMatch(/US dollars a day/);
    }
    expect((await cli(['keys', 'budget', 'anthropic', 'work', '-1'])).code).toBe(2);
    expect((await cli(['keys', 'budget', 'anthropic', 'work'])).code).toBe(2);
    const set = await cli(['keys', 'budget', 'anthropic', 'work', '0.0001', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).key).toMatchObject({ provider: 'anthropic', label: 'work', budgetUsd: 0.0001 });

    const vault = t.vault();
    await vault.setProxyPort(await freePort());
    const configDir = dirname(t.metadataPath);
    const proxy = new ProxyController(vault, `${t.root}/proxy-log.jsonl`, undefined, undefined, usageLogPath(configDir));
    await proxy.ensure(true);
    const before = upstream.reported.length;
    try {
      const res = await fetch(`http://127.0.0.1:${proxy.status().port}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': await vault.proxyToken(), 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      await proxy.stop();
    }
    const tokens = upstream.reported[before]?.tokens;
    const price = priceFor(PRICES, 'anthropic', 'claude-haiku-4-5');
    if (!tokens || !price) throw new Error('no usage reported, or no price');
    const spent = costOf(price, tokens);

    const over = await keysOverBudget(await vault.readMetadata(), configDir);
    expect(over).toHaveLength(1);
    expect(over[0]).toMatchObject({ provider: 'anthropic', label: 'work', budgetUsd: 0.0001 });
    expect(over[0]?.spentUsd).toBeCloseTo(spent, 5);
    const tray = { picture: null, listing: null, proxyMode: false, proxy: { running: false, port: 0 }, awsMode: false };
    expect(trayIcon({ ...tray, overBudget: over })).not.toBe('ok');

    // Raised above today's spend, then cleared: no longer over.
    expect((await cli(['keys', 'budget', 'anthropic', 'work', String(Math.ceil(spent * 100) + 1)])).code).toBe(0);
    expect(await keysOverBudget(await vault.readMetadata(), configDir)).toEqual([]);
    expect((await cli(['keys', 'budget', 'anthropic', 'work', '--clear'])).stdout).toContain('has no daily budget');
    expect((await vault.readMetadata()).providers.anthropic?.keys[0]?.budgetUsd).toBeUndefined();
  });
});
