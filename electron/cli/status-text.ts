/**
 * The auth picture as a readable ladder: what goes in each header first, then
 * every tier with its state and why, then warnings with their fixes.
 */
import { type AuthPicture, type HeaderValue, providerName, type Tier } from '../../shared/agents/claude-code/auth-picture';

const MARKS: Record<Tier['state'], string> = {
  wins: '✓',
  sent: '+',
  shadowed: '✗',
  ignored: '✗',
  cancelled: '∅',
  absent: '·',
};

export function statusLines(picture: AuthPicture): string[] {
  const lines = [`Claude Code in ${picture.cwd} → ${providerName(picture.provider)} (${picture.provider})`, ''];
  lines.push(headerLine('x-api-key', picture.headers['x-api-key']));
  lines.push(headerLine('Authorization', picture.headers.authorization));
  lines.push('', 'Credentials, highest precedence first:');
  for (const tier of picture.tiers) {
    const parts = [`  ${MARKS[tier.state]} ${tier.source.padEnd(24)} ${tier.state.padEnd(9)}`];
    if (tier.masked) parts.push(tier.masked);
    if (tier.origin) parts.push(`[${tier.origin}]`);
    if (tier.detail) parts.push(tier.detail);
    if (tier.reason) parts.push(`— ${tier.reason}`);
    lines.push(parts.join(' ').trimEnd());
  }
  if (picture.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of picture.warnings) {
      lines.push(`  ! ${w.message}`);
      if (w.fix) lines.push(`    fix: ${w.fix}`);
    }
  }
  return lines;
}

function headerLine(name: string, value: HeaderValue | null): string {
  if (!value) return `  ${name.padEnd(14)} (nothing)`;
  const parts = [`  ${name.padEnd(14)} ${value.source}`, value.masked ?? '(value not known to KeyTray)', `[${value.origin}]`];
  if (value.detail) parts.push(value.detail);
  return parts.join('  ');
}
