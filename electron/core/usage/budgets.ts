/**
 * Which keys passed their daily budget today: the budgets from the metadata,
 * the spend from the usage file, priced. For the tray's colour and the
 * window's sentence.
 */
import type { Metadata } from '../../../shared/metadata';
import { providerIds } from '../../../shared/providers';
import { type BudgetOverrun, budgetOverruns, spendToday } from '../../../shared/usage';
import { loadUsage } from './usage-summary';

export async function keysOverBudget(meta: Metadata, configDir: string, now: Date = new Date()): Promise<BudgetOverrun[]> {
  const keys = providerIds().flatMap((provider) =>
    (meta.providers[provider]?.keys ?? []).filter((k) => k.budgetUsd !== undefined).map((k) => ({ provider, ...k })),
  );
  // No budget anywhere: nothing to read.
  if (keys.length === 0) return [];
  const { records, prices } = await loadUsage(configDir);
  return budgetOverruns(keys, spendToday(records, prices, now));
}
