/**
 * The user's own prices: `prices.json` in KeyTray's config directory, laid
 * over the table KeyTray ships (shared/prices.ts), model by model. Its shape:
 *
 *   { "providers": { "openai": { "gpt-5.4": { "input": 2.5, "output": 15, "cacheRead": 0.25 } } } }
 *
 * USD per million tokens; `cacheWrite` is optional. A file that does not
 * parse or does not fit is a clear error naming the place, never ignored.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { KeyTrayError } from '../../../shared/errors';
import { PRICES, type PriceTable, withOverrides } from '../../../shared/prices';

const rate = z.number().finite().nonnegative();
const PricesFile = z.strictObject({
  providers: z.record(
    z.string().min(1),
    z.record(
      z.string().min(1),
      z.strictObject({ input: rate, output: rate, cacheRead: rate, cacheWrite: rate.optional(), source: z.string().optional() }),
    ),
  ),
});

export function pricesPath(configDir: string): string {
  return join(configDir, 'prices.json');
}

/** The price table in effect, and whether the user's file changed it. */
export async function loadPrices(path: string): Promise<{ prices: PriceTable; overridden: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { prices: PRICES, overridden: false };
    throw new KeyTrayError('inconsistent', `KeyTray could not read your prices file ${path}.`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyTrayError('inconsistent', `Your prices file ${path} is not valid JSON.`, {
      fix: 'Fix it, or remove it to use the prices KeyTray ships.',
    });
  }
  const parsed = PricesFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';
    throw new KeyTrayError(
      'inconsistent',
      `Your prices file ${path} does not fit at ${where}: ${issue?.message ?? 'wrong shape'}.`,
      {
        fix: 'Each model needs input, output and cacheRead (USD per million tokens, 0 or more), and may have cacheWrite: {"providers":{"openai":{"gpt-5.4":{"input":2.5,"output":15,"cacheRead":0.25}}}}.',
      },
    );
  }
  return { prices: withOverrides(PRICES, parsed.data.providers), overridden: true };
}
