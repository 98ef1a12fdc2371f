/**
 * Usage's pure rules: which price a model gets (its own, or the one its dated
 * snapshot extends, never a neighbour's), `--since`, and the budget check.
 */
import { describe, expect, it } from 'vitest';
import { costOf, PRICES, priceFor, withOverrides } from '../../shared/prices';
import { budgetOverruns, isModelRequest, parseSince, summarizeUsage, type UsageRecord } from '../../shared/usage';

describe('prices', () => {
  it('gives a dated snapshot its model’s price, and a different model none', () => {
    expect(priceFor(PRICES, 'anthropic', 'claude-sonnet-4-20250514')).toBe(PRICES.providers.anthropic?.['claude-sonnet-4']);
    expect(priceFor(PRICES, 'openai', 'gpt-5.4-2026-03-05')).toBe(PRICES.providers.openai?.['gpt-5.4']);
    // Another model whose id merely starts the same way: unknown, not the neighbour's price.
    expect(priceFor(PRICES, 'anthropic', 'claude-sonnet-4-5-20250929')).toBeNull();
    expect(priceFor(PRICES, 'openai', 'gpt-5.4-pro')).toBeNull();
    expect(priceFor(PRICES, 'openrouter', 'anthropic/claude-sonnet-5')).toBeNull();
  });

  it('lays the user’s prices over the shipped table, model by model', () => {
    const mine = { input: 1, output: 2, cacheRead: 0.1 };
    const table = withOverrides(PRICES, { openai: { 'gpt-5.4': mine }, openrouter: { x: mine } });
    expect(priceFor(table, 'openai', 'gpt-5.4')).toEqual(mine);
    expect(priceFor(table, 'openai', 'gpt-5.5')).toBe(PRICES.providers.openai?.['gpt-5.5']);
    expect(priceFor(table, 'openrouter', 'x')).toEqual(mine);
    // Cache writes at the input price where the provider does not bill them apart.
    expect(costOf(mine, { input: 1_000_000, output: 1_000_000, cacheRead: 1_000_000, cacheWrite: 1_000_000 })).toBeCloseTo(
      4.1,
      9,
    );
  });
});

describe('usage rules', () => {
  const now = new Date('2026-12-04T10:00:00Z');

  it('reads --since as a date, a time or a span, and nothing else', () => {
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-27T10:00:00.000Z');
    expect(parseSince('24h', now)?.toISOString()).toBe('2026-12-03T10:00:00.000Z');
    expect(parseSince('2026-12-01', now)?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseSince('2026-12-01T09:00Z', now)?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    for (const bad of ['yesterday', '7', '-1d', '2026-13-45', '']) expect(parseSince(bad, now), bad).toBeNull();
  });

  it('knows a model request from the rest', () => {
    expect(isModelRequest('POST', '/v1/messages')).toBe(true);
    expect(isModelRequest('POST', '/v1/messages/count_tokens')).toBe(false);
    expect(isModelRequest('GET', '/v1/models')).toBe(false);
    expect(isModelRequest('POST', '/v1beta/models/gemini-3-flash-preview:streamGenerateContent')).toBe(true);
  });

  it('counts a model with no price as unknown, never as 0, and a failed request apart', () => {
    const record = (model: string, status = 200): UsageRecord => ({
      time: '2026-12-04T09:00:00.000Z',
      provider: 'anthropic',
      label: 'work',
      agent: null,
      model,
      status,
      tokens: status < 400 ? { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0 } : null,
    });
    const summary = summarizeUsage([record('claude-sonnet-5'), record('claude-mystery'), record('claude-sonnet-5', 529)], {
      by: 'key',
      since: null,
      prices: PRICES,
      pricesOverridden: false,
    });
    expect(summary.total).toMatchObject({ requests: 3, failed: 1, input: 2000, output: 200, costUsd: null });
    expect(summary.total.unpricedModels).toEqual(['anthropic/claude-mystery']);
    expect(summary.total.pricedCostUsd).toBeCloseTo((1000 * 2 + 100 * 10) / 1e6, 9);
    expect(
      budgetOverruns(
        [
          { provider: 'anthropic', label: 'work', budgetUsd: 0.002 },
          { provider: 'anthropic', label: 'spare' },
        ],
        new Map([['anthropic/work', summary.total.pricedCostUsd]]),
      ),
    ).toEqual([{ provider: 'anthropic', label: 'work', spentUsd: 0.003, budgetUsd: 0.002 }]);
  });
});
