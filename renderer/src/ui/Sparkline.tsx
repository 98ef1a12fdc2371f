/**
 * A week of a key's tokens as a line the size of a word: drawn as SVG (no
 * chart library for 7 points), with its numbers in words for screen readers
 * and on hover.
 */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const width = 56;
  const height = 16;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`);
  const words = `${label}: ${values.map((v) => v.toLocaleString('en-US')).join(', ')} tokens a day over the last ${values.length} days`;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={words}>
      <title>{words}</title>
      <polyline points={points.join(' ')} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
}
