/**
 * Usage accounting, pure: what the proxy records per model request, which
 * agent sent it, and the sums `keytray usage` and the window show. Records
 * hold no secret and no body: key label, provider, agent, model, tokens,
 * status, time.
 */
import { AGENTS, type AgentId } from './agents/catalog';
import { costOf, type PriceTable, priceFor } from './prices';
import type { ProviderId } from './providers';

/** Tokens as billed: input at the base rate, cache reads and writes, output (thinking included). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One model request through the proxy, as the usage file holds it (one JSON line). */
export interface UsageRecord {
  /** ISO time the request arrived. */
  time: string;
  provider: ProviderId;
  label: string;
  agent: AgentId | null;
  model: string | null;
  status: number;
  /** What the answer reported; null when it reported nothing (an error, or a stream without usage). */
  tokens: TokenCounts | null;
  /** The answer came from the provider's fallback key, after the first answered 429 or 5xx. */
  fallbackFrom?: string;
}

export const USAGE_GROUPS = ['key', 'agent', 'day', 'model'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  /** `provider/label`, an agent id (or `unknown`), a day (YYYY-MM-DD, UTC) or a model (or `unknown`). */
  group: string;
  requests: number;
  /** Requests the upstream refused or failed (status 400 and up). */
  failed: number;
  /** Answered requests whose answer carried no usage (their tokens are not in the sums). */
  unreported: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Estimated USD; null when any request in the row used a model the price table does not know. */
  costUsd: number | null;
  /** The estimated USD of the requests whose model has a price (what a budget is held to). */
  pricedCostUsd: number;
  /** Models with no price, so the cost is unknown (never counted as 0). */
  unpricedModels: string[];
}

export interface UsageSummary {
  since: string | null;
  by: UsageGroup;
  rows: UsageRow[];
  total: UsageRow;
  /** The price table's date, and whether the user's own prices file changed it. */
  pricesAsOf: string;
  pricesOverridden: boolean;
}

/** Said wherever usage is shown: the helper hands a key over and sees nothing after. */
export const PROXY_ONLY =
  "Usage is recorded only for requests through KeyTray's proxy; in helper mode the agent talks to the provider directly and KeyTray sees nothing.";

/**
 * The agent a request came from, by its User-Agent: `claude-cli/…`, `codex_exec/…`, `GeminiCLI/…`
 * (seen from the real CLIs, test/integration/usage.test.ts) and `opencode/…` (in its binary). Others
 * (OpenClaw, claude-code-router, ant) send their SDK's and count as unknown until theirs is checked.
 */
export function agentOf(userAgent: string | undefined): AgentId | null {
  if (!userAgent) return null;
  const ua = userAgent.toLowerCase();
  if (ua.startsWith('claude-cli/')) return 'claude-code';
  if (ua.startsWith('codex')) return 'codex';
  if (ua.startsWith('geminicli') || ua.includes(' geminicli')) return 'gemini-cli';
  if (ua.startsWith('opencode/')) return 'opencode';
  return null;
}

/** Paths that ask a model for an answer, as opposed to listing models or counting tokens. */
export function isModelRequest(method: string, path: string): boolean {
  if (method !== 'POST') return false;
  return /(?:\/messages|\/chat\/completions|\/responses|\/completions|:generateContent|:streamGenerateContent|\/invoke|\/invoke-with-response-stream|\/converse|\/converse-stream)$/.test(
    path,
  );
}

/** A UTC day, YYYY-MM-DD. */
export function dayOf(time: string): string {
  return time.slice(0, 10);
}

/**
 * Parses `--since`: a date (YYYY-MM-DD, UTC midnight), an ISO time, or a span back from `now`
 * (`7d`, `24h`, `30m`). Null when the text is none of them.
 */
export function parseSince(text: string, now: Date): Date | null {
  const span = /^(\d{1,5})([dhm])$/.exec(text.trim());
  if (span) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[span[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(span[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const date = new Date(`${text}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

function emptyRow(group: string): UsageRow {
  return {
    group,
    requests: 0,
    failed: 0,
    unreported: 0,
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    costUsd: 0,
    pricedCostUsd: 0,
    unpricedModels: [],
  };
}

function add(row: UsageRow, record: UsageRecord, prices: PriceTable): void {
  row.requests++;
  if (record.status >= 400) {
    row.failed++;
    return;
  }
  const tokens = record.tokens;
  if (!tokens) {
    row.unreported++;
    return;
  }
  row.input += tokens.input;
  row.output += tokens.output;
  row.cacheRead += tokens.cacheRead;
  row.cacheWrite += tokens.cacheWrite;
  const price = record.model ? priceFor(prices, record.provider, record.model) : null;
  if (!price) {
    const name = `${record.provider}/${record.model ?? 'unknown model'}`;
    if (!row.unpricedModels.includes(name)) row.unpricedModels.push(name);
    row.costUsd = null;
  } else {
    const cost = costOf(price, tokens);
    row.pricedCostUsd += cost;
    if (row.costUsd !== null) row.costUsd += cost;
  }
}

function groupOf(record: UsageRecord, by: UsageGroup): string {
  switch (by) {
    case 'key':
      return `${record.provider}/${record.label}`;
    case 'agent':
      return record.agent ?? 'unknown';
    case 'day':
      return dayOf(record.time);
    case 'model':
      return record.model ?? 'unknown';
  }
}

/** Sums records from `since` on, grouped; rows sorted by group (days in order, keys and agents by name). */
export function summarizeUsage(
  records: readonly UsageRecord[],
  options: { by: UsageGroup; since: Date | null; prices: PriceTable; pricesOverridden: boolean },
): UsageSummary {
  const rows = new Map<string, UsageRow>();
  const total = emptyRow('total');
  const from = options.since?.toISOString() ?? '';
  for (const record of records) {
    if (record.time < from) continue;
    const group = groupOf(record, options.by);
    let row = rows.get(group);
    if (!row) {
      row = emptyRow(group);
      rows.set(group, row);
    }
    add(row, record, options.prices);
    add(total, record, options.prices);
  }
  for (const row of [...rows.values(), total]) {
    if (row.costUsd !== null) row.costUsd = roundUsd(row.costUsd);
    row.pricedCostUsd = roundUsd(row.pricedCostUsd);
  }
  return {
    since: options.since?.toISOString() ?? null,
    by: options.by,
    rows: [...rows.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)),
    total,
    pricesAsOf: options.prices.asOf,
    pricesOverridden: options.pricesOverridden,
  };
}

/** Today's estimated spend (UTC day) per key, `provider/label` → USD, counting the requests that have a price. */
export function spendToday(records: readonly UsageRecord[], prices: PriceTable, now: Date): Map<string, number> {
  const today = now.toISOString().slice(0, 10);
  const rows = summarizeUsage(
    records.filter((r) => dayOf(r.time) === today),
    { by: 'key', since: null, prices, pricesOverridden: false },
  ).rows;
  return new Map(rows.map((row) => [row.group, row.pricedCostUsd]));
}

/** Tokens per UTC day for each key or agent, for the window's charts: one value per day, oldest first. */
export interface UsageSeries {
  days: string[];
  lines: { group: string; tokens: number[]; requests: number[] }[];
}

/** The last `days` UTC days up to `now`'s, grouped by key or agent (all tokens: input, cache, output). */
export function usageSeries(records: readonly UsageRecord[], by: 'key' | 'agent', days: number, now: Date): UsageSeries {
  const dayList: string[] = [];
  for (let i = days - 1; i >= 0; i--) dayList.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  const index = new Map(dayList.map((day, i) => [day, i]));
  const lines = new Map<string, { group: string; tokens: number[]; requests: number[] }>();
  for (const record of records) {
    const at = index.get(dayOf(record.time));
    if (at === undefined) continue;
    const group = groupOf(record, by);
    let line = lines.get(group);
    if (!line) {
      line = { group, tokens: dayList.map(() => 0), requests: dayList.map(() => 0) };
      lines.set(group, line);
    }
    (line.requests[at] as number)++;
    const t = record.tokens;
    if (t && record.status < 400) line.tokens[at] = (line.tokens[at] as number) + t.input + t.output + t.cacheRead + t.cacheWrite;
  }
  return { days: dayList, lines: [...lines.values()].sort((a, b) => (a.group < b.group ? -1 : 1)) };
}

/** A key whose estimated spend today passed its daily budget. */
export interface BudgetOverrun {
  provider: string;
  label: string;
  spentUsd: number;
  budgetUsd: number;
}

/** The keys over their daily budget, from each key's budget and today's spend per `provider/label`. */
export function budgetOverruns(
  keys: readonly { provider: string; label: string; budgetUsd?: number }[],
  spent: ReadonlyMap<string, number>,
): BudgetOverrun[] {
  const over: BudgetOverrun[] = [];
  for (const key of keys) {
    const spentUsd = spent.get(`${key.provider}/${key.label}`) ?? 0;
    if (key.budgetUsd !== undefined && spentUsd > key.budgetUsd)
      over.push({ provider: key.provider, label: key.label, spentUsd, budgetUsd: key.budgetUsd });
  }
  return over;
}

/** The sentence the tray and the window say about a key over its budget. */
export function overrunLine(over: BudgetOverrun): string {
  return `${over.provider}/${over.label} has spent about $${over.spentUsd.toFixed(2)} today, past its $${over.budgetUsd.toFixed(2)} daily budget`;
}

/** Micro-dollar precision: enough for a request of a few tokens, without float noise in the sums. */
function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** An agent's name for display. */
export function agentLabel(group: string): string {
  return group in AGENTS ? AGENTS[group as AgentId].label : group;
}
