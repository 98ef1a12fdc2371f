/**
 * What each key and agent spent through the proxy: a chart per key and per
 * agent over the last days (uPlot), each with a table that says the same for
 * screen readers, the sums with estimated costs, each key's daily budget and
 * each provider's fallback key.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Outputs } from '../../../shared/ipc';
import type { ProviderId } from '../../../shared/providers';
import { agentLabel, overrunLine, PROXY_ONLY, type UsageRow, type UsageSeries } from '../../../shared/usage';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';

type Usage = Outputs['usage:summary'];

const RANGES = [7, 30, 90] as const;
/** Line colours readable on both themes' backgrounds. */
const PALETTE = ['#3b82f6', '#e0663a', '#22a06b', '#b55fd1', '#d4a017', '#17a2b8', '#e05297', '#7c8a99'];

export function UsageView() {
  const { listing, act } = useApp();
  const [days, setDays] = useState<(typeof RANGES)[number]>(7);
  const [usage, setUsage] = useState<Usage | null>(null);
  const load = useCallback(async () => {
    await act(async () => setUsage(await call(window.keytray.usageSummary({ by: 'key', days }))), []);
  }, [act, days]);
  useEffect(() => {
    void load();
    return window.keytray.onStateChanged((event) => {
      if (event.kind === 'usage' || event.kind === 'keys') void load();
    });
  }, [load]);
  const providers = listing?.providers.filter((p) => p.keys.length > 0) ?? [];
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <p className="hint" data-testid="usage-proxy-only">
        {PROXY_ONLY}
      </p>
      <label className="range">
        Show the last{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof RANGES)[number])}>
          {RANGES.map((d) => (
            <option key={d} value={d}>
              {d} days
            </option>
          ))}
        </select>
      </label>
      {usage?.overBudget.map((over) => (
        <p key={`${over.provider}/${over.label}`} className="warning" data-testid="over-budget">
          ⚠ {overrunLine(over)}: the tray is amber until tomorrow (UTC) or until you raise the budget.
        </p>
      ))}
      {usage && (
        <>
          <UsageChart title="Tokens per day, per key" series={usage.byKey} name={(g) => g} testId="chart-keys" />
          <UsageChart title="Tokens per day, per agent" series={usage.byAgent} name={agentLabel} testId="chart-agents" />
          <SumsTable rows={usage.summary.rows} total={usage.summary.total} />
          <p className="muted" data-testid="usage-prices">
            Estimated with prices as of {usage.summary.pricesAsOf}
            {usage.summary.pricesOverridden ? ' and your prices.json' : ''}. A model with no price shows its cost as unknown.
          </p>
        </>
      )}
      <h2>Daily budgets</h2>
      <table className="log budgets">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Daily budget (USD)</th>
          </tr>
        </thead>
        <tbody>
          {providers.flatMap((p) =>
            p.keys.map((k) => <BudgetRow key={`${p.id}/${k.label}`} provider={p.id} label={k.label} budget={k.budgetUsd} />),
          )}
        </tbody>
      </table>
      <h2>Fallback key</h2>
      <p className="hint">
        When the provider answers 429 or 5xx to the active key, the proxy tries once with its next key, before the agent sees any
        of the answer.
      </p>
      {providers.map((p) => (
        <label key={p.id} className="fallback">
          <input
            type="checkbox"
            checked={p.fallback}
            disabled={p.keys.length < 2}
            onChange={(e) => void act(() => call(window.keytray.setFallback({ provider: p.id, on: e.target.checked })), ['keys'])}
          />
          {p.label}: fall back to the next key{p.keys.length < 2 ? ' (needs a second key)' : ''}
        </label>
      ))}
    </section>
  );
}

function BudgetRow({ provider, label, budget }: { provider: ProviderId; label: string; budget: number | undefined }) {
  const act = useApp((s) => s.act);
  const [text, setText] = useState(budget === undefined ? '' : String(budget));
  useEffect(() => setText(budget === undefined ? '' : String(budget)), [budget]);
  const id = `budget-${provider}-${label}`;
  const save = () => {
    const usd = text.trim() === '' ? null : Number(text);
    void act(
      () => call(window.keytray.setBudget({ provider, label, usd: usd === null || Number.isNaN(usd) ? null : usd })),
      ['keys'],
    );
  };
  return (
    <tr>
      <th scope="row">
        <label htmlFor={id}>
          {provider}/{label}
        </label>
      </th>
      <td>
        <input id={id} inputMode="decimal" value={text} placeholder="none" onChange={(e) => setText(e.target.value)} size={8} />{' '}
        <button type="button" onClick={save}>
          Save
        </button>
      </td>
    </tr>
  );
}

function SumsTable({ rows, total }: { rows: UsageRow[]; total: UsageRow }) {
  if (rows.length === 0) return <p className="empty">No requests through the proxy in this period.</p>;
  const cost = (row: UsageRow) =>
    row.costUsd !== null
      ? `$${row.costUsd.toFixed(4)}`
      : row.pricedCostUsd > 0
        ? `unknown (at least $${row.pricedCostUsd.toFixed(4)})`
        : 'unknown';
  const line = (row: UsageRow, name: string) => (
    <tr key={name}>
      <th scope="row">{name}</th>
      <td>{row.requests}</td>
      <td>{row.input.toLocaleString('en-US')}</td>
      <td>{row.cacheWrite.toLocaleString('en-US')}</td>
      <td>{row.cacheRead.toLocaleString('en-US')}</td>
      <td>{row.output.toLocaleString('en-US')}</td>
      <td>{cost(row)}</td>
    </tr>
  );
  return (
    <table className="log usage" data-testid="usage-sums">
      <caption>Per key, in this period</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Requests</th>
          <th scope="col">Input</th>
          <th scope="col">Cache write</th>
          <th scope="col">Cached</th>
          <th scope="col">Output</th>
          <th scope="col">Est. cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => line(row, row.group))}
        {line(total, 'Total')}
      </tbody>
    </table>
  );
}

/** One uPlot chart, redrawn when the data or the theme changes; its table is the same data in words. */
function UsageChart({
  title,
  series,
  name,
  testId,
}: {
  title: string;
  series: UsageSeries;
  name: (group: string) => string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [dark, setDark] = useState(() => window.matchMedia('(prefers-color-scheme: dark)').matches);
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  useEffect(() => {
    const element = box.current;
    if (!element || series.lines.length === 0) return;
    const style = getComputedStyle(element);
    const fg = style.getPropertyValue('--muted').trim() || (dark ? '#9aa1ad' : '#6b7280');
    const grid = style.getPropertyValue('--line').trim() || (dark ? '#2f333b' : '#e3e5ea');
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const x = series.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 220,
        // Days are UTC days: the x axis is labelled by hand, one tick a day at most, not in local hours.
        scales: { x: { time: false } },
        axes: [
          {
            ...axis,
            incrs: [86_400, 7 * 86_400, 30 * 86_400],
            values: (_u: uPlot, splits: number[]) => splits.map((at) => new Date(at * 1000).toISOString().slice(5, 10)),
          },
          { ...axis, size: 60 },
        ],
        series: [
          {
            label: 'Day',
            value: (_u: uPlot, at: number | null) => (at === null ? '--' : new Date(at * 1000).toISOString().slice(0, 10)),
          },
          ...series.lines.map((line, i) => ({
            label: name(line.group),
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            points: { show: true },
          })),
        ],
        legend: { show: true },
      },
      [x, ...series.lines.map((line) => line.tokens)],
      element,
    );
    return () => plot.destroy();
  }, [series, name, dark]);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {series.lines.length === 0 ? (
        <p className="empty">Nothing yet.</p>
      ) : (
        <>
          <div ref={box} aria-hidden="true" />
          <table className="visually-hidden">
            <caption>{title}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {series.lines.map((line) => (
                  <th key={line.group} scope="col">
                    {name(line.group)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {series.lines.map((line) => (
                    <td key={line.group}>{line.tokens[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
}
