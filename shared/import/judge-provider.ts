/**
 * Whose key a plaintext value is, judged first by its format where the format
 * tells (the catalog's keyFormat patterns: `sk-ant-api…`, `sk-or-v1-…`,
 * `AIza…`, `sk-proj-…`), then by its context: the provider the place names
 * (an OpenCode auth.json entry), or the variable that holds it. A value whose
 * format and name disagree goes with its format: an `OPENAI_API_KEY` holding
 * an `sk-or-v1-` key is an OpenRouter key. A bare `sk-…` with nothing else to
 * go on is OpenAI's.
 */
import { CCR_KEY_PLACEHOLDER } from '../agents/claude-code-router/picture';
import { type BuiltinProviderId, isProviderId, PROVIDERS, type ProviderId } from '../providers';

/** Formats that say the provider on their own, whatever holds them. */
const DISTINCTIVE: readonly BuiltinProviderId[] = ['anthropic', 'openrouter', 'bedrock', 'gemini'];

/** Names that say whose key they hold, when the key's format does not (Claude Platform on AWS keys have no prefix). */
const BY_NAME: Readonly<Record<string, ProviderId>> = {
  ANTHROPIC_API_KEY: 'anthropic',
  ANTHROPIC_AWS_API_KEY: 'anthropic-aws',
  AWS_BEARER_TOKEN_BEDROCK: 'bedrock',
  OPENAI_API_KEY: 'openai',
  OPENROUTER_API_KEY: 'openrouter',
  GEMINI_API_KEY: 'gemini',
  GOOGLE_API_KEY: 'gemini',
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

/**
 * `variable`: the name that holds the value; `provider`: the provider the place itself names (an
 * OpenCode auth.json entry, an OpenClaw provider), when it is one KeyTray knows.
 */
export function judgeProvider(value: string, context: { variable?: string; provider?: string } = {}): ProviderId | null {
  const distinctive =
    DISTINCTIVE.find((p) => PROVIDERS[p].keyFormat.pattern.test(value)) ??
    (/^sk-(proj|svcacct|admin)-/.test(value) && PROVIDERS.openai.keyFormat.pattern.test(value) ? 'openai' : undefined);
  if (distinctive) return distinctive;
  // The value does not say; the place does.
  const named = context.provider && isProviderId(context.provider) ? context.provider : BY_NAME[context.variable ?? ''];
  if (named) return named;
  return PROVIDERS.openai.keyFormat.pattern.test(value) ? 'openai' : null;
}
