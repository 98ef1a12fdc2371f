/**
 * Whose key a plaintext value is, judged first by its format (the catalog's
 * keyFormat patterns, most specific first), then by the name that holds it.
 * A value whose format and name disagree goes with its format: an
 * `OPENAI_API_KEY` holding an `sk-or-v1-` key is an OpenRouter key. A name
 * alone decides only where the provider's keys have no telling shape.
 */
import { CCR_KEY_PLACEHOLDER } from '../agents/claude-code-router/picture';
import { PROVIDERS, type ProviderId } from '../providers';

/** Patterns tried in this order: OpenAI's `sk-` would also match Anthropic's and OpenRouter's keys. */
const BY_FORMAT: readonly ProviderId[] = ['anthropic', 'openrouter', 'bedrock', 'gemini', 'openai'];

/** Names that say the provider when the value's format cannot (Claude Platform on AWS keys have no prefix). */
const BY_NAME: Readonly<Record<string, ProviderId>> = {
  ANTHROPIC_AWS_API_KEY: 'anthropic-aws',
};

/** The variables a plaintext key is looked for under, beyond those named above. */
export const CREDENTIAL_NAME = /^[A-Z][A-Z0-9_]*(_API_KEY|_AUTH_TOKEN|_BEARER_TOKEN|_TOKEN|_KEY)$/;

/** A value that could be a key: long, one word, no shell expansion, no URL, and none of KeyTray's own stand-ins. */
export function looksLikeKey(value: string): boolean {
  return /^[A-Za-z0-9_\-+/=.:]{20,4096}$/.test(value) && !/^(https?|file):/.test(value) && !isKeyTrays(value);
}

/**
 * What KeyTray itself writes where a key was: its proxy tokens (`ktp_…`, which reach only
 * KeyTray's own proxy) and the placeholder its claude-code-router transformer replaces on
 * the way out (OpenCode's is too short to look like a key).
 */
function isKeyTrays(value: string): boolean {
  return value.startsWith('ktp_') || value === CCR_KEY_PLACEHOLDER;
}

export function judgeProvider(value: string, variable: string | null): ProviderId | null {
  const byFormat = BY_FORMAT.find((p) => PROVIDERS[p].keyFormat.pattern.test(value));
  if (byFormat) return byFormat;
  // A name alone is enough only where the provider's keys have no telling shape.
  const named = variable ? BY_NAME[variable] : undefined;
  return named === 'anthropic-aws' && PROVIDERS[named].keyFormat.pattern.test(value) ? named : null;
}
