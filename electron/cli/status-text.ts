/**
 * An agent's auth picture as a readable ladder: what goes in each header
 * first, then every tier with its state and why, then warnings with their
 * fixes.
 */
import { AGENTS } from '../../shared/agents/catalog';
import { headerLabel, providerWords } from '../../shared/agents/describe';
import type { AgentPicture, PictureHeader, TierState } from '../../shared/agents/picture';

const MARKS: Record<TierState, string> = {
  wins: '✓',
  sent: '+',
  shadowed: '✗',
  ignored: '✗',
  cancelled: '∅',
  absent: '·',
};

export function statusLines(picture: AgentPicture): string[] {
  const lines = [headline(picture), ''];
  // Model variables beyond the one the headline names (Claude Code's per-tier defaults, set for a non-Anthropic provider).
  const others = Object.entries(picture.models ?? {}).filter(([name]) => name !== 'ANTHROPIC_MODEL');
  if (others.length > 0) lines.splice(1, 0, `  models: ${others.map(([name, value]) => `${name}=${value}`).join(', ')}`);
  for (const [name, value] of Object.entries(picture.headers)) lines.push(headerLine(headerLabel(name), value));
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

function headline(picture: AgentPicture): string {
  const where = picture.tool === 'claude-code' ? `${providerWords(picture)} (${picture.provider})` : providerWords(picture);
  const model = picture.model ? `, model ${picture.model}` : '';
  return `${AGENTS[picture.tool].label} in ${picture.cwd} → ${where}${model}${picture.destination ? ` at ${picture.destination}` : ''}`;
}

function headerLine(name: string, value: PictureHeader | null): string {
  if (!value) return `  ${name.padEnd(14)} (nothing)`;
  const parts = [`  ${name.padEnd(14)} ${value.source}`, value.masked ?? '(value not known to KeyTray)', `[${value.origin}]`];
  if (value.detail) parts.push(value.detail);
  return parts.join('  ');
}
