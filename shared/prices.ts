/**
 * The price table KeyTray ships, for estimated costs: USD per million
 * tokens, per provider and model, from each provider's public pricing page
 * (cited per entry), read on the date below. Prices change: the user's own
 * prices file (`prices.json` in KeyTray's config directory) overrides or adds
 * entries, and a model in neither has an unknown cost, never a cost of 0.
 */

export interface ModelPrice {
  /** Base input tokens. */
  input: number;
  output: number;
  /** Cache hits (Anthropic's cache reads, OpenAI's and Gemini's cached input). */
  cacheRead: number;
  /** Cache writes (Anthropic's 5-minute writes); absent where the provider does not bill them apart. */
  cacheWrite?: number;
  /** Where the figures come from. */
  source?: string;
}

export interface PriceTable {
  /** The day the figures were read (YYYY-MM-DD). */
  asOf: string;
  /** By provider id, then by model id (exact, or the id a dated snapshot extends: `claude-sonnet-4` for `claude-sonnet-4-20250514`). */
  providers: Record<string, Record<string, ModelPrice>>;
}

const ANTHROPIC = 'https://platform.claude.com/docs/en/about-claude/pricing';
const ANTHROPIC_MODELS = 'https://platform.claude.com/docs/en/models';
const OPENAI = 'https://developers.openai.com/api/docs/pricing (standard tier, context under 270K)';
const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing (paid tier, text)';

const opus45 = { input: 5, cacheWrite: 6.25, cacheRead: 0.5, output: 25, source: ANTHROPIC };
const opus4 = { input: 15, cacheWrite: 18.75, cacheRead: 1.5, output: 75, source: ANTHROPIC };
const sonnet4 = { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15, source: ANTHROPIC };

export const PRICES: PriceTable = {
  asOf: '2026-12-04',
  providers: {
    anthropic: {
      'claude-opus-5': {
        input: 5,
        cacheWrite: 6.25,
        cacheRead: 0.5,
        output: 25,
        source: 'https://platform.claude.com/docs/about-claude/models/whats-new-opus-5',
      },
      'claude-opus-4-8': opus45,
      'claude-opus-4-7': opus45,
      'claude-opus-4-6': opus45,
      'claude-opus-4-5': opus45,
      'claude-opus-4-1': opus4,
      'claude-opus-4-0': opus4,
      'claude-opus-4': opus4,
      'claude-sonnet-5-5': {
        input: 2,
        cacheWrite: 2.5,
        cacheRead: 0.2,
        output: 10,
        source: `${ANTHROPIC_MODELS}/sonnet-5-5/overview`,
      },
      'claude-sonnet-5': {
        input: 2,
        cacheWrite: 2.5,
        cacheRead: 0.2,
        output: 10,
        source: `${ANTHROPIC_MODELS}/sonnet-5/overview`,
      },
      'claude-sonnet-4-0': sonnet4,
      'claude-sonnet-4': sonnet4,
      'claude-3-7-sonnet': sonnet4,
      // Input and output from the model's page; cache writes and hits at the pricing page's multipliers (1.25×, 0.1×).
      'claude-haiku-4-5': {
        input: 1,
        cacheWrite: 1.25,
        cacheRead: 0.1,
        output: 5,
        source: `${ANTHROPIC_MODELS}/haiku-4-5/overview`,
      },
      'claude-3-5-haiku': { input: 0.8, cacheWrite: 1, cacheRead: 0.08, output: 4, source: ANTHROPIC },
      'claude-3-haiku': { input: 0.25, cacheWrite: 0.3, cacheRead: 0.03, output: 1.25, source: ANTHROPIC },
    },
    openai: {
      'gpt-5.5': { input: 5, cacheRead: 0.5, output: 30, source: OPENAI },
      'gpt-5.4': { input: 2.5, cacheRead: 0.25, output: 15, source: OPENAI },
      'gpt-5.4-mini': { input: 0.75, cacheRead: 0.075, output: 4.5, source: OPENAI },
      'gpt-5.4-nano': { input: 0.2, cacheRead: 0.02, output: 1.25, source: OPENAI },
    },
    gemini: {
      'gemini-3-flash-preview': { input: 0.5, cacheRead: 0.05, output: 3, source: GEMINI },
    },
  },
};

/** A dated snapshot's suffix: `-20250514`, `-2026-03-05`. */
const SNAPSHOT = /^-(?:\d{8}|\d{4}-\d{2}-\d{2})$/;

/** The price of a model: its own entry, or the entry its dated snapshot id extends; null when unknown. */
export function priceFor(table: PriceTable, provider: string, model: string): ModelPrice | null {
  const models = table.providers[provider];
  if (!models) return null;
  const exact = models[model];
  if (exact) return exact;
  for (const [id, price] of Object.entries(models))
    if (model.startsWith(id) && SNAPSHOT.test(model.slice(id.length))) return price;
  return null;
}

/** USD for some tokens at a price. */
export function costOf(
  price: ModelPrice,
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number },
): number {
  return (
    (tokens.input * price.input +
      tokens.output * price.output +
      tokens.cacheRead * price.cacheRead +
      tokens.cacheWrite * (price.cacheWrite ?? price.input)) /
    1_000_000
  );
}

/** The shipped table with the user's entries laid over it, model by model. */
export function withOverrides(table: PriceTable, overrides: Record<string, Record<string, ModelPrice>>): PriceTable {
  const providers: Record<string, Record<string, ModelPrice>> = {};
  for (const [provider, models] of Object.entries(table.providers)) providers[provider] = { ...models };
  for (const [provider, models] of Object.entries(overrides)) providers[provider] = { ...providers[provider], ...models };
  return { asOf: table.asOf, providers };
}
