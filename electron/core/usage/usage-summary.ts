/**
 * The usage summary the CLI and the window show: the usage file, priced.
 */
import type { PriceTable } from '../../../shared/prices';
import { summarizeUsage, type UsageGroup, type UsageRecord, type UsageSummary } from '../../../shared/usage';
import { loadPrices, pricesPath } from './prices-file';
import { readUsage, usageLogPath } from './usage-log';

export async function loadUsageSummary(
  configDir: string,
  options: { by: UsageGroup; since: Date | null },
): Promise<UsageSummary> {
  const [{ prices, overridden }, records] = await Promise.all([
    loadPrices(pricesPath(configDir)),
    readUsage(usageLogPath(configDir)),
  ]);
  return summarizeUsage(records, { ...options, prices, pricesOverridden: overridden });
}

/** The records and the prices in effect, for the budget check. */
export async function loadUsage(configDir: string): Promise<{ records: UsageRecord[]; prices: PriceTable }> {
  const [{ prices }, records] = await Promise.all([loadPrices(pricesPath(configDir)), readUsage(usageLogPath(configDir))]);
  return { records, prices };
}
