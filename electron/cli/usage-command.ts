/**
 * `keytray usage`: what each key, agent, day or model spent through the
 * proxy, read from the usage file and priced with the shipped table and the
 * user's own prices file.
 */
import { KeyTrayError } from '../../shared/errors';
import {
  agentLabel,
  PROXY_ONLY,
  parseSince,
  USAGE_GROUPS,
  type UsageGroup,
  type UsageRow,
  type UsageSummary,
} from '../../shared/usage';
import { configDir } from '../core/paths';
import { loadUsageSummary } from '../core/usage/usage-summary';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const USAGE_USAGE = 'keytray usage [--since <date|7d|24h>] [--by key|agent|day|model] [--json]';

export async function usageCommand(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { since: { type: 'string' }, by: { type: 'string', default: 'key' }, ...JSON_OPTION },
    USAGE_USAGE,
    {
      min: 0,
      max: 0,
    },
  );
  const by = values.by as UsageGroup;
  if (!(USAGE_GROUPS as readonly string[]).includes(by))
    throw new KeyTrayError('usage', `--by takes ${USAGE_GROUPS.join(', ')}, not "${values.by.slice(0, 20)}".`);
  let since: Date | null = null;
  if (values.since !== undefined) {
    since = parseSince(values.since, new Date());
    if (!since)
      throw new KeyTrayError(
        'usage',
        `--since takes a date (2026-12-01), a time (2026-12-01T09:00Z) or a span (7d, 24h, 30m), not "${values.since.slice(0, 30)}".`,
      );
  }
  const summary = await loadUsageSummary(configDir(), { by, since });
  if (values.json) {
    printJson(summary);
    return 0;
  }
  printLines(usageTable(summary));
  return 0;
}

function usageTable(summary: UsageSummary): string[] {
  const header = [summary.by, 'requests', 'input', 'cache write', 'cached', 'output', 'est. cost'];
  const cells = (row: UsageRow, name: string) => [
    name,
    String(row.requests) + (row.failed ? ` (${row.failed} failed)` : ''),
    row.input.toLocaleString('en-US'),
    row.cacheWrite.toLocaleString('en-US'),
    row.cacheRead.toLocaleString('en-US'),
    row.output.toLocaleString('en-US'),
    row.costUsd !== null
      ? `$${row.costUsd.toFixed(4)}`
      : row.pricedCostUsd > 0
        ? `unknown (≥ $${row.pricedCostUsd.toFixed(4)})`
        : 'unknown',
  ];
  const rows = summary.rows.map((row) => cells(row, summary.by === 'agent' ? agentLabel(row.group) : row.group));
  if (rows.length === 0) return [`No usage${summary.since ? ` since ${summary.since}` : ''}.`, PROXY_ONLY];
  rows.push(cells(summary.total, 'total'));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const lines = [line(header), ...rows.map(line)];
  const unpriced = summary.total.unpricedModels;
  if (unpriced.length)
    lines.push(`No price for ${unpriced.join(', ')}: add it to ${configDir()}/prices.json to estimate its cost.`);
  if (summary.total.unreported)
    lines.push(
      `${summary.total.unreported} answered request${summary.total.unreported === 1 ? '' : 's'} reported no usage (not in the sums).`,
    );
  lines.push(`Prices as of ${summary.pricesAsOf}${summary.pricesOverridden ? ', with your prices.json' : ''}. ${PROXY_ONLY}`);
  return lines;
}
